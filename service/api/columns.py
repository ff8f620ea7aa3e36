"""Query results as columns of small integer codes: lean in memory, a row is a few list lookups."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Columns:
    """Rows as columns of small integer codes into each column's distinct values.

    At 50,000 entities a scorecard run has ~1.2 M results but few distinct values per column
    (scorecard and check ids, four states, evidence texts mostly shared): codes take 4 bytes a
    row and a column, and reading an entity's ~25 rows is a list lookup per value (Arrow's
    ``to_pylist`` of a slice cost ~0.5 ms a request)."""

    codes: dict[str, array[int]]
    values: dict[str, list[Any]]

    @classmethod
    def of(cls, table: pa.Table) -> Columns:
        codes: dict[str, array[int]] = {}
        values: dict[str, list[Any]] = {}
        for name in table.column_names:
            encoded = pc.dictionary_encode(table.column(name), null_encoding="encode")
            chunk = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
            values[name] = chunk.dictionary.to_pylist()
            codes[name] = int32s(chunk.indices)
        return cls(codes, values)

    @classmethod
    def of_batches(cls, batches: Iterable[pa.RecordBatch]) -> Columns:
        """As :meth:`of`, one batch at a time (a query's ``to_arrow_reader``): the codes are
        kept, each batch's values only until they are coded, so the query's rows are never
        all in memory as Arrow strings (1.2 M scorecard results at L: ~140 MB)."""
        codes: dict[str, array[int]] = {}
        values: dict[str, list[Any]] = {}
        known: dict[str, dict[Any, int]] = {}
        for batch in batches:
            for name in batch.schema.names:
                encoded = pc.dictionary_encode(batch.column(name), null_encoding="encode")
                seen = known.setdefault(name, {})
                distinct = values.setdefault(name, [])
                remap = array("i")
                for value in encoded.dictionary.to_pylist():
                    code = seen.get(value)
                    if code is None:
                        code = seen[value] = len(distinct)
                        distinct.append(value)
                    remap.append(code)
                local = encoded.indices.cast(pa.int32())
                codes.setdefault(name, array("i")).extend(
                    int32s(pc.take(int32_array(remap), local))
                )
        return cls(codes, values)

    def take(self, order: pa.Array) -> Columns:
        """The rows in ``order`` (an Arrow array of row numbers)."""
        return Columns(
            {name: int32s(pc.take(int32_array(c), order)) for name, c in self.codes.items()},
            self.values,
        )

    def rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        columns = {
            name: [values[c] for c in self.codes[name][start:stop]]
            for name, values in self.values.items()
        }
        return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def int32s(indices: pa.Array) -> array[int]:
    """Integers (dictionary indices; no nulls) as an ``array('i')``, copied from Arrow's buffer."""
    indices = indices.cast(pa.int32())
    out = array("i")
    assert out.itemsize == 4
    data = indices.buffers()[1]
    if data is not None:
        out.frombytes(memoryview(data)[indices.offset * 4 : (indices.offset + len(indices)) * 4])
    return out


def int32_array(values: array[int]) -> pa.Array:
    """An ``array('i')`` as an Arrow int32 array (no copy: it shares the array's buffer)."""
    return pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(values)])
