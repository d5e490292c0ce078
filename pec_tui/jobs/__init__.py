"""Scheduled jobs: the scheduler process (``pec-tui jobs run``), the jobs, their runs and leases.

Sits above the domain (jobs call domain functions) and below the CLI and screens.
"""
