"""What a user can type or paste into a list's filter (issue 11, item 8), on both databases.

The issue's cases: 90+ words ("parser stack overflow", SQLite), 490+ words (``RecursionError``,
PostgreSQL), a 100,000-character term ("LIKE or GLOB pattern too complex"), a NUL (``ValueError``)
and a lone surrogate (``UnicodeEncodeError``). Every list goes through ``search_text``: each
case returns a page, and the cleaned text still finds what it names.
"""

from __future__ import annotations

import pytest

from pec_tui.domain import cbo, unidades_saude
from pec_tui.domain.configuracoes import municipios
from pec_tui.storage.search import MAX_SEARCH_CHARS, MAX_SEARCH_WORDS, search_text
from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401
from tests.support.units_data import build_network

HOSTILE = {
    "95-palavras": " ".join(["ubs"] * 95),
    "500-palavras": " ".join(f"p{index}" for index in range(500)),
    "100k-caracteres": "a" * 100_000,
    "100k-digitos": "1" * 100_000,
    "nul": "ubs\x00efapi",
    "surrogate": "ubs \ud800 efapi",
    "controles": "ubs\x1b\x07 efapi\x85\x7f",
    "curingas": "%_\\%",
}


@pytest.fixture
def net(db, cbo_catalogue):  # noqa: F811
    return build_network()


@pytest.mark.parametrize("query", list(HOSTILE.values()), ids=list(HOSTILE))
def test_every_list_answers_hostile_filter_text_with_a_page(net, query):
    lists = [
        lambda: unidades_saude.list_units(query, 0, 10, [net.chapeco_id]),
        lambda: cbo.list_cbos(query, True, 0, 10),
        lambda: municipios.search_professionals(query, 0, 10),
        lambda: unidades_saude.list_unit_professionals(net.units["UBS Efapi"], True, query, 0, 10),
    ]
    for page in (listing() for listing in lists):
        assert page.total >= 0 and len(page.rows) <= 10


def test_cleaned_text_still_finds_what_it_names(net):
    for query in (HOSTILE["nul"], HOSTILE["surrogate"], HOSTILE["controles"]):
        found = [row.name for row in unidades_saude.list_units(query, 0, 10, [net.chapeco_id]).rows]
        assert found == ["UBS Efapi"], query
    assert unidades_saude.list_units(HOSTILE["curingas"], 0, 10, [net.chapeco_id]).total == 0  # literal, not wildcards


def test_search_text_bounds_and_cleans():
    assert search_text(None) == "" and search_text("   ") == ""
    assert search_text("  são\x00josé\t\n  ") == "são josé"
    assert search_text("a\u200bb") == "ab"  # an invisible format character goes
    assert len(search_text(HOSTILE["500-palavras"]).split()) == MAX_SEARCH_WORDS
    assert len(search_text(HOSTILE["100k-caracteres"])) == MAX_SEARCH_CHARS
    assert search_text("ubs \ud800 efapi").encode("utf-8") == b"ubs efapi"
