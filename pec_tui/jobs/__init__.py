"""The scheduler process (``pec-tui jobs run``, built on ``schedule``) and its systemd unit.

The jobs themselves, their runs and leases are the domain's (:mod:`pec_tui.domain.tarefas`);
this layer sits above the domain and below the CLI and screens, and never imports Textual.
"""
