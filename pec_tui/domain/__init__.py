"""The rules of each administration module, named by its key in pec_tui.modules. Never imports Textual."""
