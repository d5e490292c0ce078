"""Textual screens: one per module, named by its key in :mod:`pec_tui.modules`, plus the
console's own (login, início, senha, ajuda)."""
