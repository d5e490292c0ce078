"""``pec-tui rnds status``: whether each municipality's access to RNDS is enabled, with which
certificate of the ``chaves`` folder, and its days to expiry (from ``tb_cfg_rnds``)."""

from __future__ import annotations

import argparse
import json

from pec_tui.cli import open_from_args


def add_parser(commands) -> None:
    from pec_tui.cli import _Parser

    rnds = commands.add_parser("rnds", help="Configuração RNDS dos municípios da instalação")
    actions = rnds.add_subparsers(dest="rnds_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    status = actions.add_parser(
        "status", help="se o acesso à RNDS está habilitado, com qual certificado e sua validade"
    )
    status.add_argument("--json", action="store_true", help="saída em JSON")


def cmd_rnds(args: argparse.Namespace) -> int:
    from pec_tui.domain.gestao_municipal import rnds
    from pec_tui.storage.models import InstallationMunicipality

    open_from_args(args)
    ids = [row.localidade_id for row in InstallationMunicipality.select().order_by(InstallationMunicipality.localidade)]
    found = rnds.statuses(ids)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "municipio": item.municipality,
                        "co_localidade": item.localidade_id,
                        "habilitado": item.enabled,
                        "certificado": item.certificate,
                        "identificador_solicitante": item.requester_id,
                        "habilitado_em": item.enabled_at.isoformat(sep=" ") if item.enabled_at else None,
                        "validade_certificado": item.valid_until.isoformat(sep=" ") if item.valid_until else None,
                        "dias_restantes": item.days_left(),
                    }
                    for item in found
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not found:
        print("A instalação não tem municípios.")
    for item in found:
        if not item.enabled:
            print(f"{item.municipality}: RNDS desabilitada.")
            continue
        days = item.days_left()
        when = f"vencido há {-days} dias" if days is not None and days < 0 else f"vence em {days} dias"
        print(
            f"{item.municipality}: RNDS habilitada com o certificado {item.certificate} "
            f"(válido até {item.valid_until:%d/%m/%Y}, {when}); identificador solicitante {item.requester_id}."
        )
    return 0
