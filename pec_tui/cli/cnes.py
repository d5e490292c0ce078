"""``pec-tui cnes import`` and ``pec-tui cnes historico``: the CNES export (XmlParaESUS) imported
all or nothing, and the imports done so far."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pec_tui.cli import open_from_args
from pec_tui.core.errors import PecError


def cmd_cnes(args: argparse.Namespace) -> int:
    open_from_args(args)
    if args.cnes_command == "import":
        return _cnes_import(args)
    return _cnes_history(args)


def _cnes_municipality(args: argparse.Namespace) -> int | None:
    """The municipality to import for: --municipio, or the installation's only one."""
    from pec_tui.domain.installation import find_municipality, installation_municipalities

    if args.municipio:
        return find_municipality(args.municipio).id
    active = installation_municipalities()
    if len(active) > 1:
        names = ", ".join(f"{m.label} ({m.ibge})" for m in active)
        raise PecError(f"Esta instalação atende {len(active)} municípios ({names}); informe --municipio IBGE.")
    return None


class _ProgressLine:
    """The import's progress on one line of stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.width = 0

    def __call__(self, progress) -> None:
        text = progress.label
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _cnes_import(args: argparse.Namespace) -> int:
    from pec_tui.domain.cnes.importer import import_cnes
    from pec_tui.domain.cnes.report import report_to_csv

    localidade_id = _cnes_municipality(args)
    line = _ProgressLine() if sys.stderr.isatty() else None
    source = Path(args.arquivo).expanduser()
    try:
        report = import_cnes(source, localidade_id=localidade_id, user_id=None, progress=line)
    except PecError as error:
        # The domain names the file by its name; on the command line, say the full path (as typed,
        # made absolute), as the console does.
        if source.name and source.name in error.message:
            raise PecError(error.message.replace(source.name, str(source.absolute()), 1)) from None
        raise
    finally:
        if line is not None:
            line.clear()
    if args.csv:
        csv_path = Path(args.csv).expanduser().absolute()
        report_to_csv(report, csv_path)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(_render_cnes_report(report))
    if args.csv:
        print(f"Relatório gravado em {csv_path}.")
    return 0


def _render_cnes_report(report, limit: int = 20) -> str:
    file_date = ""
    if report.data_arquivo:
        year, month, day = report.data_arquivo.split("-")
        file_date = f", arquivo de {day}/{month}/{year}"
    seconds = f"{report.duracao_segundos:.1f}".replace(".", ",")
    lines = [
        f"Importação do CNES concluída: {report.arquivo} ({report.municipio}, layout {report.versao_layout}"
        f"{file_date}) em {seconds} s.",
        "",
        f"{'':<18} {'novos':>8} {'atualizados':>12} {'sem alteração':>14} {'reativados':>11} {'desativados':>12}",
    ]
    for label, counts in report.counts():
        lines.append(
            f"{label:<18} {counts.novos:>8} {counts.atualizados:>12} {counts.inalterados:>14} "
            f"{counts.reativados:>11} {counts.desativados:>12}"
        )
    for title, items in (("Registros não importados", report.registros_nao_importados), ("Avisos", report.avisos)):
        lines += ["", f"{title}: {len(items)}"]
        for item in items[:limit]:
            where = f"linha {item.linha}, {item.elemento}" if item.linha else item.elemento or "arquivo"
            who = " ".join(part for part in (item.tipo, item.chave, item.nome) if part)
            lines.append(f"  {where}: {who} — {item.motivo}")
        if len(items) > limit:
            lines.append(f"  … e mais {len(items) - limit} (use --json ou --csv para ver todos).")
    lines += [
        "",
        f"Profissionais com mais de uma lotação sem agenda configurada: {len(report.profissionais_sem_agenda)}",
    ]
    return "\n".join(lines)


def _cnes_history(args: argparse.Namespace) -> int:
    from pec_tui.domain.cnes.report import list_imports

    page = list_imports(limit=500)
    if args.json:
        print(json.dumps([row.to_dict() for row in page.rows], ensure_ascii=False, indent=2))
        return 0
    if not page.rows:
        print("Nenhuma importação do CNES registrada.")
        return 0
    for row in page.rows:
        print(
            f"{row.imported_at:%d/%m/%Y %H:%M}  {row.municipality}  {row.file_name}  layout {row.layout_version}  "
            f"por {row.user_label}: {row.units} unidades, {row.teams} equipes, {row.professionals} profissionais, "
            f"{row.lotacoes} lotações, {row.rejected} não importados"
        )
    return 0
