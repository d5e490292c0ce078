"""Shared widgets: the paged list and the dialogs every module screen uses."""
