"""Record types and snapshot tables name the same columns, and nothing is dropped on the way.

The records (``ingest/**/records.py``) are what sources emit; the tables (``SnapshotTable`` in
the store's migrations) are where they land. They are written in two places on purpose (records
stay cheap NamedTuples, tables are append-only migrations), so this test keeps them in step.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import ingest
from catalog.errors import StoreError
from catalog.store.loading import to_arrow
from catalog.store.migrations import SNAPSHOT_TABLES
from ingest.records import RelationRecord


def record_types() -> list[type]:
    found: set[type] = set()
    for info in pkgutil.walk_packages(ingest.__path__, "ingest."):
        for value in vars(importlib.import_module(info.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, tuple)
                and hasattr(value, "_fields")
                and callable(getattr(value, "table", None))
            ):
                found.add(value)
    return sorted(found, key=lambda t: (t.__module__, t.__name__))


RECORD_TYPES = record_types()


def test_every_snapshot_table_has_a_record_type() -> None:
    assert {t.table() for t in RECORD_TYPES} == set(SNAPSHOT_TABLES)  # type: ignore[attr-defined]


@pytest.mark.parametrize("record", RECORD_TYPES, ids=lambda t: t.__name__)
def test_record_fields_are_the_table_columns_in_order(record: type) -> None:
    table = SNAPSHOT_TABLES[record.table()]  # type: ignore[attr-defined]
    assert tuple(record._fields) == table.column_names  # type: ignore[attr-defined]


def test_a_field_the_table_lacks_is_an_error_not_dropped() -> None:
    table = SNAPSHOT_TABLES[RelationRecord.table()]
    columns = {name: ["x"] for name in table.column_names}
    assert to_arrow(table, columns).num_rows == 1
    with pytest.raises(StoreError, match=r"relation_rows: batch has columns the table lacks"):
        to_arrow(table, {**columns, "weight": [1]})
    with pytest.raises(StoreError, match=r"relation_rows: batch lacks columns \['type'\]"):
        to_arrow(table, {k: v for k, v in columns.items() if k != "type"})
