"""Write a synthetic CNES export (XmlParaESUS) for benchmarks and manual tests.

    python benchmarks/make_cnes.py --units 300 --professionals 100000 --zip -o /tmp

The work is done by :func:`pec_tui.demo.cnes_export.write_cnes_file`; this is only its CLI
(run it from the project's environment, where ``pec_tui`` is installed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pec_tui.demo.cnes_export import write_cnes_file
from pec_tui.domain.cnes.parser import SUPPORTED_VERSIONS


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("deve ser zero ou mais")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gera um arquivo XmlParaESUS sintético (dados fictícios).")
    parser.add_argument("--units", type=_count, required=True, help="número de unidades de saúde (mínimo 1)")
    parser.add_argument("--professionals", type=_count, required=True, help="número de profissionais")
    parser.add_argument("--teams", type=_count, help="número de equipes (padrão: 3 por unidade)")
    parser.add_argument("--lotacoes", type=_count, help="número de lotações (padrão: 1,5 por profissional)")
    parser.add_argument("--ibge", default="4205407", help="código IBGE do município, 7 dígitos (padrão: 4205407)")
    parser.add_argument("--version", default="3.1", choices=SUPPORTED_VERSIONS, help="versão do layout")
    parser.add_argument("--seed", type=int, default=1, help="semente: a mesma semente gera o mesmo arquivo")
    parser.add_argument("--zip", action="store_true", help="gravar o XML dentro de um ZIP, como o CNES entrega")
    parser.add_argument("-o", "--output", type=Path, required=True, help="arquivo ou pasta de destino")
    args = parser.parse_args(argv)
    if args.units < 1:
        parser.error("--units deve ser pelo menos 1")
    if not (args.ibge.isdigit() and len(args.ibge) in (6, 7)):
        parser.error("--ibge deve ter 6 ou 7 dígitos")

    started = time.perf_counter()
    path = write_cnes_file(
        args.output,
        units=args.units,
        professionals=args.professionals,
        teams=args.teams,
        lotacoes=args.lotacoes,
        ibge=args.ibge,
        version=args.version,
        seed=args.seed,
        zip=args.zip,
    )
    elapsed = time.perf_counter() - started
    size_mb = path.stat().st_size / 1024**2
    print(f"{path} ({size_mb:.1f} MB) gravado em {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
