"""Bulk loads: the engines a large import writes through (SQLite and PostgreSQL).

* :mod:`~pec_tui.storage.bulk.writer` — :class:`~pec_tui.storage.bulk.writer.BulkWriter`: many rows
  at once (``executemany``; ``COPY`` on a writer thread), ids chosen before the rows are written;
* :mod:`~pec_tui.storage.bulk.fk_checks` — PostgreSQL: foreign-key checks suspended for a load and
  validated set-based before commit;
* :mod:`~pec_tui.storage.bulk.sqlite` — SQLite: foreign keys checked once at the end, secondary
  indexes built once.

Nothing here knows what is loaded: the caller (the CNES import) says which tables and rows.
"""
