"""``pec-tui status``: the installation at a glance, as text or JSON."""

from __future__ import annotations

import argparse
import json

from pec_tui.cli import open_from_args


def cmd_status(args: argparse.Namespace) -> int:
    from pec_tui.domain import status

    opened = open_from_args(args)
    data = status.collect(opened)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(status.render_text(data))
    return 0
