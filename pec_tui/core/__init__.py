"""Cross-cutting helpers with no database and no Textual: clock, errors, paging, checks, keymap,
formatting, and the process-wide switches of a large load (process)."""
