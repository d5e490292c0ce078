"""Storage: peewee models named after PEC's tables, database opening, migrations, demo data."""
