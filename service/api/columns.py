"""Query results as columns of small integer codes: lean in memory, a row is a few list lookups."""

from __future__ import annotations

from array import array
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
