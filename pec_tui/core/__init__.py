"""Cross-cutting helpers with no database and no Textual: clock, errors, paging, checks, keymap."""
