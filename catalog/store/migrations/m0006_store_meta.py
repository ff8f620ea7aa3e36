"""Migration 6: ``store_meta``, facts about how the stored data was written.

``row_hash_function`` names the function that computed the snapshot tables' ``row_hash``
values. They come from DuckDB's ``hash()`` (about ten times faster than ``md5_number``), which
DuckDB does not promise to keep stable across releases; when the running DuckDB differs, the
store recomputes the current rows' hashes once before anything is loaded (see
``catalog.store.loading.ensure_row_hashes``). Rows hashed with ``md5_number`` by earlier
versions are recomputed the same way.
"""

from __future__ import annotations

from catalog.store.schema import Migration

_SQL = """
CREATE TABLE store_meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
"""

MIGRATION = Migration(
    version=6,
    description="store_meta: how row hashes were computed",
    sql=_SQL,
)
