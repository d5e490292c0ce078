"""Gender and number agree: "1 evento verificado", "Unidades de saúde: 1 nova", "0 novos"."""

from __future__ import annotations

import pytest

from pec_tui.core.formatting import agree, quantity
from pec_tui.domain.cnes.report import ImportReport


@pytest.mark.parametrize(
    ("word", "count", "feminine", "expected"),
    [
        ("novo", 1, False, "novo"),
        ("novo", 0, False, "novos"),
        ("novo", 1, True, "nova"),
        ("novo", 70, True, "novas"),
        ("atualizado", 1, True, "atualizada"),
        ("bloqueado", 1, False, "bloqueado"),
        ("verificado", 2, False, "verificados"),
    ],
)
def test_agree(word, count, feminine, expected):
    assert agree(word, count, feminine=feminine) == expected


def test_quantity():
    assert quantity(1, "evento") == "1 evento"
    assert quantity(0, "evento") == "0 eventos"
    assert quantity(2, "lotação", "lotações") == "2 lotações"


def test_the_import_summary_agrees_with_each_kind():
    report = ImportReport("a.xml", "Chapecó/SC", "4204202", "3.1", None, "2026-11-20T09:00:00", None)
    report.unidades.atualizados = 1
    report.equipes.novos = 0
    report.profissionais.novos = 1
    report.lotacoes.novos = 70
    summary = report.summary()
    assert "Unidades de saúde: 0 novas, 1 atualizada, 0 sem alteração" in summary
    assert "Equipes: 0 novas, 0 atualizadas" in summary
    assert "Profissionais: 1 novo, 0 atualizados" in summary
    assert "Lotações: 70 novas" in summary
