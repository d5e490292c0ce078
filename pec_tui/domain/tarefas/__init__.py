"""Tarefas agendadas: the jobs (catalogue), running one and recording it (runs), the leases that
keep one scheduler per database and one run per job (lease), the certificate-expiry reader.

The scheduler process that runs them on time (``schedule``, signals, the systemd unit) is
:mod:`pec_tui.jobs`, above the domain.
"""
