"""``pec-tui audit verify``: the audit trail's hash chain, intact or where it breaks (exit 1)."""

from __future__ import annotations

import argparse
import json
import sys

from pec_tui.cli import open_from_args


def cmd_audit(args: argparse.Namespace) -> int:
    from pec_tui.domain import audit

    open_from_args(args)
    result = audit.verify()
    if args.json:
        print(
            json.dumps(
                {
                    "integra": result.ok,
                    "eventos": result.count,
                    "linha_quebrada": result.broken_id,
                    "mensagem": result.message,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
