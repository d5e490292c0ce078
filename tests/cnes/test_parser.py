"""Streaming parser of the CNES export, fed by the synthetic generator and hand-written fixtures."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pec_tui.core.checks import (
    is_cbo_code,
    is_cnes_code,
    is_ine_code,
    is_valid_cnpj,
    is_valid_cns,
    is_valid_cpf,
)
from pec_tui.demo.cnes_export import (
    PRIMARY_CARE_CBOS,
    build_small_cnes,
    sample_professional,
    sample_team,
    sample_unit,
    write_cnes_file,
)
from pec_tui.domain.cnes import parser
from pec_tui.domain.cnes.archive import open_cnes_source
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.parser import CnesHeader, CnesProfessional, CnesUnit, iter_cnes, parse_cnes

NAME = "XmlParaESUS31_420540.xml"
XML_DECLARATION = b"<?xml version='1.0'?>\n"
HEADER = b'<IDENTIFICACAO CO_IBGE_MUN="4205407" VERSAO_XSD="3.1">'


def document(body: bytes) -> bytes:
    """A CNES export with this content under its root."""
    return XML_DECLARATION + b"<ImportarXMLCNES>" + body + b"</ImportarXMLCNES>"


def parse_bytes(data: bytes, name: str = NAME) -> tuple[CnesHeader, list[CnesUnit], list[CnesProfessional]]:
    result = parse_cnes(io.BytesIO(data), source_name=name)
    records = list(result)
    units = [record for record in records if isinstance(record, CnesUnit)]
    professionals = [record for record in records if isinstance(record, CnesProfessional)]
    assert len(units) + len(professionals) == len(records)
    return result.header, units, professionals


def parse_path(path: Path) -> tuple[CnesHeader, list[CnesUnit], list[CnesProfessional]]:
    with open_cnes_source(path) as source:
        return parse_bytes(source.stream.read(), source.display_name)


def refusal(data: bytes, name: str = NAME) -> CnesFileError:
    with pytest.raises(CnesFileError) as caught:
        parse_bytes(data, name)
    assert "Traceback" not in caught.value.message
    return caught.value


# -- generated files ------------------------------------------------------------------------------


def test_generated_3_1_file_reads_back_whole_and_consistent(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=4, professionals=60, teams=10, lotacoes=90, seed=7)
    assert path.name == NAME

    header, units, professionals = parse_path(path)

    assert header == CnesHeader("4205407", date(2024, 6, 3), "PORTAL", "ESUS_AB", "3.1", header.line)
    assert header.ibge6 == "420540"
    assert len(units) == 4
    assert sum(len(unit.teams) for unit in units) == 10
    assert len(professionals) == 60
    assert sum(len(professional.lotacoes) for professional in professionals) == 90

    team_units = {team.ine: unit.cnes for unit in units for team in unit.teams}
    assert all(is_cnes_code(unit.cnes) and is_valid_cnpj(unit.cnpj) and unit.name for unit in units)
    assert all(is_ine_code(ine) for ine in team_units)
    assert {team.team_type for unit in units for team in unit.teams} == {"70", "71", "72"}
    for professional in professionals:
        assert is_valid_cpf(professional.cpf) and is_valid_cns(professional.cns)
        assert professional.name and isinstance(professional.birth_date, date)
        assert professional.sex in {"F", "M"} and professional.problems == []
        for lotacao in professional.lotacoes:
            assert lotacao.cbo in PRIMARY_CARE_CBOS and is_cbo_code(lotacao.cbo)
            assert lotacao.cnes in {unit.cnes for unit in units}
            assert lotacao.ine is None or team_units[lotacao.ine] == lotacao.cnes
    assert len({professional.cpf for professional in professionals}) == 60
    assert len({professional.cns for professional in professionals}) == 60
    lines = [record.line for record in [*units, *professionals]]
    assert lines == sorted(lines) and lines[0] > header.line


def test_records_carry_the_line_of_their_element(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=2, professionals=5, seed=3)
    text = path.read_text(encoding="iso-8859-1").splitlines()
    _, units, professionals = parse_path(path)
    for unit in units:
        assert text[unit.line - 1].startswith("<DADOS_GERAIS_ESTABELECIMENTOS NM_FANTA=")
        assert f'CNES="{unit.cnes}"' in text[unit.line - 1]
        for team in unit.teams:
            assert f'CO_INE="{team.ine}"' in text[team.line - 1]
    for professional in professionals:
        assert f'CPF_PROF="{professional.cpf}"' in text[professional.line - 1]
        for lotacao in professional.lotacoes:
            assert "<DADOS_LOTACOES" in text[lotacao.line - 1]


def test_zip_gives_the_same_records_as_the_xml(tmp_path: Path) -> None:
    xml_path = write_cnes_file(tmp_path, units=3, professionals=40, seed=5)
    zip_path = write_cnes_file(tmp_path, units=3, professionals=40, seed=5, zip=True)
    assert zip_path.name == "XmlParaESUS31_420540.zip"
    assert parse_path(xml_path) == parse_path(zip_path)


def test_default_counts_and_reproducibility(tmp_path: Path) -> None:
    first = write_cnes_file(tmp_path / "a.xml", units=5, professionals=100, seed=11)
    second = write_cnes_file(tmp_path / "b.xml", units=5, professionals=100, seed=11)
    other = write_cnes_file(tmp_path / "c.xml", units=5, professionals=100, seed=12)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    _, units, professionals = parse_path(first)
    assert sum(len(unit.teams) for unit in units) == 15
    assert sum(len(professional.lotacoes) for professional in professionals) == 150


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_supported_layout_versions_are_accepted(tmp_path: Path, version: str) -> None:
    path = write_cnes_file(tmp_path, units=1, professionals=3, version=version)
    assert path.name == f"XmlParaESUS{version.replace('.', '')}_420540.xml"
    header, units, professionals = parse_path(path)
    assert header.layout_version == version
    assert (len(units), len(professionals)) == (1, 3)


# -- refusals -------------------------------------------------------------------------------------


def test_truncated_file_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    data = write_cnes_file(tmp_path, units=3, professionals=50, seed=2).read_bytes()
    half = data[: len(data) // 2]
    error = refusal(half)
    assert error.message.startswith(f"O arquivo {NAME} está truncado ou malformado na linha {error.line}: ")
    assert error.line is not None and error.line > len(half.splitlines()) - 2
    assert error.file_name == NAME


def test_records_before_the_damage_are_still_yielded(tmp_path: Path) -> None:
    data = write_cnes_file(tmp_path, units=3, professionals=50, seed=2).read_bytes()
    seen: list[object] = []
    with pytest.raises(CnesFileError):
        seen.extend(iter_cnes(io.BytesIO(data[: len(data) // 2]), NAME))
    assert isinstance(seen[0], CnesHeader)
    assert any(isinstance(record, CnesProfessional) for record in seen)


def test_malformed_markup_is_refused_with_its_line() -> None:
    data = build_small_cnes([sample_unit()], [sample_professional()]).replace(b"</EQUIPES>", b"</EQUIPE>")
    error = refusal(data)
    assert error.line and f"na linha {error.line}: " in error.message
    assert "o elemento EQUIPES é fechado como EQUIPE" in error.message


@pytest.mark.parametrize("version", ["4.0", "3.2", "1.0"])
def test_unsupported_layout_version_is_refused(version: str) -> None:
    error = refusal(build_small_cnes([], [], version=version))
    assert error.message == f"O arquivo {NAME} usa o layout {version}, que não é aceito (aceitos: 2.1, 3.0 e 3.1)."


def test_missing_layout_version_is_refused() -> None:
    error = refusal(build_small_cnes([], [], version=None))
    assert "não informa a versão do layout (VERSAO_XSD" in error.message


def test_missing_municipality_is_refused() -> None:
    error = refusal(build_small_cnes([sample_unit()], [], ibge=None))
    assert error.message == f"O arquivo {NAME} não informa o município (CO_IBGE_MUN em IDENTIFICACAO, linha 3)."
    assert error.line == 3


def test_invalid_municipality_code_is_refused() -> None:
    assert "CO_IBGE_MUN='SC'" in refusal(build_small_cnes([], [], ibge="SC")).message


def test_missing_identification_is_refused() -> None:
    data = b"<?xml version='1.0'?>\n<ImportarXMLCNES><ESTABELECIMENTOS/></ImportarXMLCNES>"
    assert "não tem o bloco IDENTIFICACAO" in refusal(data).message


def test_another_kind_of_xml_is_refused() -> None:
    error = refusal(b"<?xml version='1.0'?>\n<eSUSAPS versao='1'/>")
    assert error.message == (
        f"O arquivo {NAME} não é uma exportação do CNES para o e-SUS "
        "(começa com <eSUSAPS>, esperado <ImportarXMLCNES>)."
    )


@pytest.mark.parametrize(
    ("data", "root"),
    [
        (XML_DECLARATION + b"<eSUSAPS versao='1'><ficha><item/></ficha></eSUSAPS>", "eSUSAPS"),
        (XML_DECLARATION + b"<eSUSAPS>" + HEADER + b"</IDENTIFICACAO></eSUSAPS>", "eSUSAPS"),
        (XML_DECLARATION + b"<eSUSAPS><ficha></fixa></eSUSAPS>", "eSUSAPS"),
        (b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'></head><body><br></body></html>", "html"),
    ],
    ids=["without-identificacao", "with-identificacao", "malformed-after-its-root", "html-page"],
)
def test_another_kind_of_xml_is_named_whatever_it_holds(data: bytes, root: str) -> None:
    """The parser reports only CNES elements: a foreign root must still be seen and named, even in
    a document that breaks after it (an HTML page is not well-formed XML)."""
    error = refusal(data)
    assert error.message == (
        f"O arquivo {NAME} não é uma exportação do CNES para o e-SUS (começa com <{root}>, esperado <ImportarXMLCNES>)."
    )


def test_file_cut_before_identification_is_truncated_not_empty() -> None:
    error = refusal(XML_DECLARATION + b"<ImportarXMLCNES>\n<IDENTIF")
    assert error.message.startswith(f"O arquivo {NAME} está truncado ou malformado na linha 3: ")
    assert error.line == 3


def test_header_is_checked_at_its_start_before_later_damage() -> None:
    data = XML_DECLARATION + b"<ImportarXMLCNES><IDENTIFICACAO CO_IBGE_MUN='SC' VERSAO_XSD='3.1'><PROFISSIONAIS><DADOS"
    assert "CO_IBGE_MUN='SC'" in refusal(data).message


@pytest.mark.parametrize("data", [b"", b"   \n", b"isto nao e xml"])
def test_empty_or_non_xml_is_refused(data: bytes) -> None:
    assert refusal(data).message == f"O arquivo {NAME} está vazio ou não é um XML."


DOCTYPE_REFUSAL = (
    f"O arquivo {NAME} declara um DOCTYPE na linha 2, o que uma exportação do CNES não tem (um DOCTYPE "
    "pode declarar entidades ou apontar para fora do arquivo); o arquivo foi recusado."
)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE ImportarXMLCNES [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        b"<!DOCTYPE ImportarXMLCNES [<!ENTITY e 'x'>]>",
        b'<!DOCTYPE ImportarXMLCNES SYSTEM "http://127.0.0.1:9/cnes.dtd">',
        b'<!DOCTYPE ImportarXMLCNES PUBLIC "-//CNES//X" "cnes.dtd">',
        b"<!DOCTYPE ImportarXMLCNES>",
    ],
    ids=["external-entity", "internal-entity", "external-dtd", "public-dtd", "bare"],
)
def test_every_doctype_is_refused_internal_or_external(doctype: bytes) -> None:
    data = build_small_cnes([], [sample_professional(NM_PROF="&e;")]).replace(b"&amp;e;", b"&e;")
    data = data.replace(b"?>\n", b"?>\n" + doctype + b"\n", 1)
    error = refusal(data)
    assert (error.message, error.line) == (DOCTYPE_REFUSAL, 2)


def test_entity_declarations_are_refused_even_if_the_file_breaks_before_the_header() -> None:
    data = XML_DECLARATION + b"<!DOCTYPE ImportarXMLCNES [<!ENTITY e 'x'>]>\n<ImportarXMLCNES><IDENTIF"
    assert refusal(data).message == DOCTYPE_REFUSAL


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encodings_are_refused_before_any_byte_check(encoding: str) -> None:
    """The guard reads bytes as ASCII-compatible (a DOCTYPE, a '<'): a UTF-16 file would slip past it."""
    data = build_small_cnes([], []).decode("iso-8859-1").replace("ISO-8859-1", encoding.upper()).encode(encoding)
    assert refusal(data).message == (
        f"O arquivo {NAME} está em UTF-16 ou UTF-32, codificação que uma exportação do CNES não usa; "
        "o arquivo foi recusado."
    )


def test_doctype_split_across_two_chunks_is_still_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    data = XML_DECLARATION + b'<!DOCTYPE ImportarXMLCNES SYSTEM "cnes.dtd">\n' + build_small_cnes([], [])
    split = len(XML_DECLARATION) + 3  # "<!D" | "OCTYPE"
    monkeypatch.setattr(parser, "_CHUNK_SIZE", split)
    assert refusal(data).message == DOCTYPE_REFUSAL


# -- field-level problems and tolerance -----------------------------------------------------------


def test_bad_dates_become_record_problems_and_reading_goes_on() -> None:
    data = build_small_cnes(
        [sample_unit(teams=[sample_team(0, DT_DESATIVACAO="ontem")])],
        [
            sample_professional(0, DT_NASC="31/02/1980"),
            sample_professional(1, DT_NASC="1980/01/01"),
            sample_professional(2, DT_NASC="1985-07-09"),
        ],
    )
    _, [unit], [impossible, garbled, iso] = parse_bytes(data)
    assert unit.teams[0].deactivated_on is None
    expected = (
        "Data de desativação da equipe 0001000001 (DT_DESATIVACAO) não é uma data: 'ontem'; "
        "o formato esperado é dd/mm/aaaa."
    )
    assert unit.all_problems == [expected]
    assert impossible.birth_date is None
    assert impossible.problems == ["Data de nascimento (DT_NASC) não existe no calendário: '31/02/1980'."]
    assert garbled.birth_date is None and "não é uma data: '1980/01/01'" in garbled.problems[0]
    assert iso.birth_date == date(1985, 7, 9) and iso.problems == []


def test_deactivated_team_keeps_its_date() -> None:
    teams = [sample_team(0), sample_team(1, DT_DESATIVACAO="15/03/2023", TP_EQUIPE="71", SG_EQUIPE="ESB")]
    _, [unit], _ = parse_bytes(build_small_cnes([sample_unit(teams=teams)], []))
    active, closed = unit.teams
    assert active.deactivated_on is None and active.problems == []
    assert closed.deactivated_on == date(2023, 3, 15)
    assert (closed.team_type, closed.acronym) == ("71", "ESB")


def test_invalid_documents_and_unknown_codes_pass_through_for_the_importer() -> None:
    lotacoes = [{"CNES": "9999999", "CO_CBO": "999999", "CO_INE": "12345", "MICROAREA": "03"}]
    professional = sample_professional(CPF_PROF="12345678900", CO_CNS="123", lotacoes=lotacoes)
    _, _, [parsed] = parse_bytes(build_small_cnes([sample_unit(CNPJ="11111111111111")], [professional]))
    assert parsed.cpf == "12345678900" and not is_valid_cpf(parsed.cpf)
    assert parsed.cns == "123" and not is_valid_cns(parsed.cns)
    [lotacao] = parsed.lotacoes
    assert (lotacao.cnes, lotacao.cbo, lotacao.ine, lotacao.microarea) == ("9999999", "999999", "12345", "03")
    assert is_cbo_code(lotacao.cbo) and lotacao.cbo not in PRIMARY_CARE_CBOS
    assert not is_ine_code(lotacao.ine)
    assert parsed.problems == []


def test_values_are_stripped_and_blanks_are_none() -> None:
    unit = sample_unit(CNES=" 2000001 ", NM_FANTA="  UBS CENTRO ", E_MAIL="   ", TELEFONE2="")
    lotacoes = [{"CNES": "2000001", "CO_CBO": " 2231f9 ", "CO_INE": "", "MICROAREA": " "}]
    _, [parsed_unit], [professional] = parse_bytes(build_small_cnes([unit], [sample_professional(lotacoes=lotacoes)]))
    assert (parsed_unit.cnes, parsed_unit.name, parsed_unit.email, parsed_unit.phone2) == (
        "2000001",
        "UBS CENTRO",
        None,
        None,
    )
    [lotacao] = professional.lotacoes
    assert (lotacao.cbo, lotacao.ine, lotacao.microarea) == ("2231F9", None, None)


def test_unit_details_are_read() -> None:
    _, [unit], _ = parse_bytes(build_small_cnes([sample_unit(3, CO_SUBTIPO_UNID="1", DS_SUBTIPO_UNID="X")], []))
    assert (unit.unit_type_code, unit.unit_type_desc) == ("02", "CENTRO DE SAUDE/UNIDADE BASICA")
    assert (unit.subtype_code, unit.subtype_desc) == ("1", "X")
    assert unit.address is not None and unit.address.street == "RUA SÃO JOÃO" and unit.address.number == "103"
    assert unit.complexities == ["AB"]


def test_unknown_elements_and_attributes_are_ignored() -> None:
    data = build_small_cnes([sample_unit()], [sample_professional()], header={"NOVO_ATRIBUTO": "x"})
    data = data.replace(b"<ESTABELECIMENTOS>", b"<EXTRA><A><B/></A></EXTRA><ESTABELECIMENTOS><OUTRO/>")
    data = data.replace(b"<LOTACOES>", b"<CONTATOS><DADOS_CONTATO T='1'/></CONTATOS><LOTACOES>")
    data = data.replace(b"</PROFISSIONAIS>", b"<DADOS_PROFISSIONAIS_V4 X='1'/></PROFISSIONAIS><FUTURO/>")
    header, [unit], [professional] = parse_bytes(data)
    assert header.ibge == "4205407" and unit.cnes == "2000001" and len(professional.lotacoes) == 1


def test_records_count_only_as_children_of_their_list() -> None:
    data = document(b"""
      <IDENTIFICACAO CO_IBGE_MUN="4205407" VERSAO_XSD="3.1">
        <PROFISSIONAIS>
          <DADOS_PROFISSIONAIS CO_CNS="1"/>
          <X><DADOS_PROFISSIONAIS CO_CNS="too-deep"/></X>
          <DADOS_PROFISSIONAIS CO_CNS="2"><DADOS_PROFISSIONAIS CO_CNS="inside-a-record"/></DADOS_PROFISSIONAIS>
          <DADOS_GERAIS_ESTABELECIMENTOS CNES="wrong-list"/>
        </PROFISSIONAIS>
        <DADOS_PROFISSIONAIS CO_CNS="in-identificacao"/>
        <DADOS_GERAIS_ESTABELECIMENTOS CNES="in-identificacao"/>
        <ESTABELECIMENTOS>
          <DADOS_GERAIS_ESTABELECIMENTOS CNES="3"/>
          <DADOS_PROFISSIONAIS CO_CNS="wrong-list"/>
          <X><DADOS_GERAIS_ESTABELECIMENTOS CNES="too-deep"/></X>
        </ESTABELECIMENTOS>
        <X><PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="list-too-deep"/></PROFISSIONAIS></X>
        <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="4"/></PROFISSIONAIS>
      </IDENTIFICACAO>
      <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="list-outside-identificacao"/></PROFISSIONAIS>
      <ESTABELECIMENTOS><DADOS_GERAIS_ESTABELECIMENTOS CNES="list-outside-identificacao"/></ESTABELECIMENTOS>
      <DADOS_PROFISSIONAIS CO_CNS="at-the-root"/>
    """)
    _, units, professionals = parse_bytes(data)
    assert [record.cns for record in professionals] == ["1", "2", "4"]
    assert [record.cnes for record in units] == ["3"]


def test_identification_is_the_first_one_directly_under_the_root() -> None:
    nested = document(b"""
      <X>
        <IDENTIFICACAO CO_IBGE_MUN="4205407" VERSAO_XSD="3.1">
          <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="1"/></PROFISSIONAIS>
        </IDENTIFICACAO>
      </X>
    """)
    assert "não tem o bloco IDENTIFICACAO" in refusal(nested).message

    data = document(b"""
      <X>
        <IDENTIFICACAO CO_IBGE_MUN="SC">
          <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="nested"/></PROFISSIONAIS>
        </IDENTIFICACAO>
      </X>
      <IDENTIFICACAO CO_IBGE_MUN="4205407" VERSAO_XSD="3.1">
        <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="1"/></PROFISSIONAIS>
      </IDENTIFICACAO>
      <IDENTIFICACAO CO_IBGE_MUN="SC">
        <PROFISSIONAIS><DADOS_PROFISSIONAIS CO_CNS="second"/></PROFISSIONAIS>
      </IDENTIFICACAO>
    """)
    header, _, professionals = parse_bytes(data)
    assert header.ibge == "4205407"
    assert [record.cns for record in professionals] == ["1"]


def test_lotacoes_come_from_every_lotacoes_group_in_order() -> None:
    data = document(b"""
      <IDENTIFICACAO CO_IBGE_MUN="4205407" VERSAO_XSD="3.1">
        <PROFISSIONAIS>
          <DADOS_PROFISSIONAIS CO_CNS="1">
            <LOTACOES><DADOS_LOTACOES CNES="a"/><OUTRO CNES="x"/><DADOS_LOTACOES CNES="b"/></LOTACOES>
            <ENDERECO><DADOS_LOTACOES CNES="x"/></ENDERECO>
            <LOTACOES><X><DADOS_LOTACOES CNES="x"/></X><DADOS_LOTACOES CNES="c"/></LOTACOES>
          </DADOS_PROFISSIONAIS>
        </PROFISSIONAIS>
      </IDENTIFICACAO>
    """)
    _, _, [parsed] = parse_bytes(data)
    assert [lotacao.cnes for lotacao in parsed.lotacoes] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("value", "expected", "problem"),
    [
        ("29/02/2000", date(2000, 2, 29), None),
        (" 09/07/1985 ", date(1985, 7, 9), None),
        ("01/01/0001", date(1, 1, 1), None),
        ("1985-07-09T10:30:00", date(1985, 7, 9), None),
        ("1985-07-09 10:30", date(1985, 7, 9), None),
        ("29/02/1900", None, "não existe no calendário: '29/02/1900'"),
        ("00/01/2000", None, "não existe no calendário"),
        ("01/13/2000", None, "não existe no calendário"),
        ("01/01/0000", None, "não existe no calendário"),
        ("2000-02-30", None, "não existe no calendário"),
        ("1/1/2000", None, "não é uma data: '1/1/2000'"),
        ("01/01/2000x", None, "não é uma data"),
        ("２９/02/2000", None, "não é uma data"),
        ("20000101", None, "não é uma data"),
    ],
)
def test_birth_dates_follow_the_calendar(value: str, expected: date | None, problem: str | None) -> None:
    _, _, [parsed] = parse_bytes(build_small_cnes([], [sample_professional(DT_NASC=value)]))
    assert parsed.birth_date == expected
    if problem is None:
        assert parsed.problems == []
    else:
        [message] = parsed.problems
        assert message.startswith("Data de nascimento (DT_NASC) ") and problem in message


def test_parse_result_can_be_iterated_once() -> None:
    result = parse_cnes(io.BytesIO(build_small_cnes([], [sample_professional()])), source_name=NAME)
    assert len(list(result)) == 1
    with pytest.raises(RuntimeError):
        list(result)


# -- memory -----------------------------------------------------------------------------------------


def _resident_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4


def _peak_growth_kib(path: Path) -> int:
    """Largest rise of this process's resident memory while the file is parsed."""
    start = peak = _resident_kib()
    with path.open("rb") as stream:
        for index, _record in enumerate(iter_cnes(stream, path.name)):
            if index % 500 == 0:
                peak = max(peak, _resident_kib())
    return max(peak, _resident_kib()) - start


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc to read resident memory")
def test_memory_stays_flat_on_a_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """20k professionals (~8 MB of XML): the tree lives in libxml2, which tracemalloc cannot see,
    so the resident size is what tells a cleared tree (~0 MB growth) from a kept one (~100 MB).
    tracemalloc still guards the Python side (records must not pile up in the parser)."""
    path = write_cnes_file(tmp_path, units=50, professionals=20_000, seed=3)

    tracemalloc.start()
    try:
        growth = _peak_growth_kib(path)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert growth < 20 * 1024, f"resident memory grew {growth} KiB while parsing"
    assert python_peak < 4 * 1024**2, f"Python allocations peaked at {python_peak} bytes"

    # The same measure on a parser that keeps the tree must cross the bound, or it proves nothing.
    monkeypatch.setattr(parser, "_prune", lambda *tree: None)
    assert _peak_growth_kib(path) > 40 * 1024


def test_tree_stays_small_with_large_unknown_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown elements get no event (the tag filter skips them in C): what frees them is the
    pruning between chunks. Count what the tree still holds after each one, on a file whose
    unknown sections (before, inside and after IDENTIFICACAO, beside and inside the lists, with
    text) hold 100,000 elements."""
    filler = b"".join(b'<ITEM N="%d"><SUB/>%s</ITEM>\n' % (index, b"texto " * 20) for index in range(10_000))
    data = build_small_cnes([sample_unit()], [sample_professional(index) for index in range(300)])
    for marker, section in [
        (b"<IDENTIFICACAO", b"<ANTES>%s</ANTES>\n<IDENTIFICACAO"),
        (b"<ESTABELECIMENTOS>", b"<EXTRA>%s</EXTRA>\n<ESTABELECIMENTOS>"),
        (b"<PROFISSIONAIS>", b"<PROFISSIONAIS>\n<DADOS_PROFISSIONAIS_V4>%s</DADOS_PROFISSIONAIS_V4>"),
        (b"</IDENTIFICACAO>", b"<FUTURO>%s</FUTURO>\n</IDENTIFICACAO>"),
        (b"</ImportarXMLCNES>", b"<DEPOIS>%s</DEPOIS>\n</ImportarXMLCNES>"),
    ]:
        assert data.count(marker) == 1
        data = data.replace(marker, section % filler)

    held: list[tuple[int, int]] = []
    prune = parser._prune

    def measured(root: Any, *lists: Any) -> None:
        prune(root, *lists)
        if root is not None:
            elements = list(root.iter())
            held.append((len(elements), sum(len(item.text or "") + len(item.tail or "") for item in elements)))

    monkeypatch.setattr(parser, "_prune", measured)
    header, units, professionals = parse_bytes(data)

    assert header.ibge == "4205407" and len(units) == 1 and len(professionals) == 300
    assert len(held) > 200  # the file spans that many chunks
    most_elements = max(elements for elements, _ in held)
    most_text = max(text for _, text in held)
    assert most_elements < 2_000, f"the tree held {most_elements} elements between two chunks"
    assert most_text < 100_000, f"the tree held {most_text} characters of text between two chunks"
