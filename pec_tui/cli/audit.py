"""``pec-tui audit verify``: the audit trail's keyed chain, intact or where it breaks (exit 1).

On success the head is anchored outside the database (:func:`pec_tui.domain.audit.verify`);
``--json`` names the check that failed in ``verificacao_falha`` (``chave``, ``cadeia``,
``cabeca``, ``ancora``; ``null`` when intact)."""

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
                    "verificacao_falha": None if result.failed is None else result.failed.value,
                    "mensagem": result.message,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
