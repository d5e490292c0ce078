"""Bulk loads: the engines a large import writes through (SQLite and PostgreSQL)."""
