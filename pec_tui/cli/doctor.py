"""``pec-tui doctor``: the host doctor (:mod:`pec_tui.domain.diagnostico`) for the terminal."""

from __future__ import annotations

import argparse
import json

from pec_tui.cli import open_from_args, pec_home_path
from pec_tui.core.errors import PecError


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit 0 when no check is an error, 1 otherwise; a database that cannot be opened is one
    of the checks, so the host checks still run."""
    from pec_tui.domain import diagnostico

    try:
        opened, open_error = open_from_args(args, check_schema=False), None
    except PecError as exc:
        opened, open_error = None, exc.message
    config = diagnostico.DoctorConfig(
        pec_home=pec_home_path(args), pec_url=args.pec_url or diagnostico.default_pec_url()
    )
    report = diagnostico.run(opened, config, open_error=open_error)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(diagnostico.render_text(report))
    return 1 if report.has_errors else 0
