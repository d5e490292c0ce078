"""Issue 11 on the CNES import, on SQLite and PostgreSQL: values longer than their columns
(item 3), files whose encoding lies (item 4), the parser's English texts (item 8) and DOCTYPEs
(item 9). Each import goes through the real reader child and the real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from pec_tui.demo.cnes_export import build_small_cnes, sample_professional, sample_team, sample_unit
from pec_tui.domain.cnes import lengths
from pec_tui.domain.cnes.guard import MAX_RUN
from pec_tui.domain.cnes.importer import CnesImportError
from pec_tui.domain.cnes.parser import UNIT_TAG, iter_cnes
from pec_tui.domain.cnes.reader import prepared
from pec_tui.storage.models import CnesImport, HealthUnit, Professional, Team, User
from tests.cnes.test_importer import CHAPECO, NAME, TEAM0, cnes_file, cpf_of, lot, run, snapshot, units_0_1
from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401
from tests.support.constants import ADMIN_CPF


@pytest.fixture
def network(db, installation, cbo_catalogue):  # noqa: F811
    """An installation of Chapecó/SC with the CBO catalogue (as in test_importer)."""
    return User.get(User.login == ADMIN_CPF).id


def long_text(size: int) -> str:
    return ("UBS CONCEIÇÃO " * (size // 14 + 1))[:size]


def refused(path: Path) -> CnesImportError:
    before = snapshot()
    with pytest.raises(CnesImportError) as caught:
        run(path)
    assert snapshot() == before  # nothing half-written
    assert CnesImport.select().count() == 0
    assert "Traceback" not in caught.value.message
    return caught.value


# --------------------------------------------------------------------------------------------
# Item 3: lengths against the models' fields
# --------------------------------------------------------------------------------------------


def test_unit_name_longer_than_its_column_refuses_the_unit_with_element_and_line(network, tmp_path):
    size = HealthUnit.name.max_length
    units = [sample_unit(0, team_count=2), sample_unit(1, team_count=1, NM_FANTA=long_text(size + 100))]
    path = cnes_file(tmp_path, units, [sample_professional(0, lotacoes=[lot()])])
    lines = path.read_text(encoding="iso-8859-1").splitlines()

    report = run(path)

    [rejected] = [item for item in report.registros_nao_importados if item.tipo == "unidade"]
    assert rejected.motivo == f"NM_FANTA tem {size + 100} caracteres; o banco aceita até {size}."
    assert (rejected.chave, rejected.elemento) == ("2000002", UNIT_TAG)
    assert 'CNES="2000002"' in lines[rejected.linha - 1]
    assert len(rejected.nome) <= 200
    assert not HealthUnit.select().where(HealthUnit.cnes == "2000002").exists()
    assert HealthUnit.select().where(HealthUnit.cnes == "2000001").exists()  # the rest was imported
    assert report.profissionais.novos == 1


def test_a_name_of_exactly_the_column_size_is_stored_whole(network, tmp_path):
    size = HealthUnit.name.max_length
    name = long_text(size)
    run(cnes_file(tmp_path, [sample_unit(0, NM_FANTA=name)], []))
    assert HealthUnit.get(HealthUnit.cnes == "2000001").name == name.strip()


def test_professional_name_longer_than_its_column_refuses_the_professional(network, tmp_path):
    """The microárea is not bounded: PEC's tb_lotacao has no column for it (not stored)."""
    name_size = Professional.name.max_length
    profs = [
        sample_professional(0, lotacoes=[lot()]),
        sample_professional(1, NM_PROF="ANA " + "X" * name_size, lotacoes=[lot()]),
        sample_professional(2, lotacoes=[lot(microarea="9" * 300)]),
    ]
    path = cnes_file(tmp_path, units_0_1(), profs)
    lines = path.read_text(encoding="iso-8859-1").splitlines()

    report = run(path)

    [long_name] = report.registros_nao_importados
    assert long_name.motivo == f"NM_PROF tem {name_size + 4} caracteres; o banco aceita até {name_size}."
    assert (long_name.chave, long_name.elemento) == (cpf_of(1), "DADOS_PROFISSIONAIS")
    assert f'CPF_PROF="{cpf_of(1)}"' in lines[long_name.linha - 1]
    assert Professional.select().where(Professional.cpf.in_([cpf_of(0), cpf_of(2)])).count() == 2
    assert not Professional.select().where(Professional.cpf == cpf_of(1)).exists()


def test_team_name_longer_than_its_column_refuses_the_team(network, tmp_path):
    size = Team.name.max_length
    teams = [sample_team(0), sample_team(1, NM_REFERENCIA="EQUIPE " + "Z" * size)]
    report = run(cnes_file(tmp_path, [sample_unit(0, teams=teams)], []))

    [rejected] = report.registros_nao_importados
    assert (rejected.tipo, rejected.elemento) == ("equipe", "DADOS_EQUIPES")
    assert rejected.motivo.startswith(f"NM_REFERENCIA tem {size + 7} caracteres; o banco aceita até {size}.")
    assert Team.select().where(Team.ine == TEAM0).exists()
    assert Team.select().count() == 1


def test_a_value_past_the_readers_bound_refuses_the_file_naming_element_and_line(network, tmp_path):
    """The issue's 52-million-character NM_FANTA (SQLite stored it, PostgreSQL failed naming nothing):
    anything past MAX_RUN is refused before it is built, in one sentence."""
    unit = sample_unit(1, NM_FANTA="UBS " + "A" * (MAX_RUN * 2))
    path = cnes_file(tmp_path, [sample_unit(0), unit], [])
    error = refused(path)
    line = next(i for i, text in enumerate(path.read_bytes().splitlines(), 1) if b'CNES="2000002"' in text)
    assert error.message == (
        f"O arquivo {NAME} foi recusado: o atributo NM_FANTA do elemento DADOS_GERAIS_ESTABELECIMENTOS, "
        f"na linha {error.line}, passa de 64 KB, o que nenhuma exportação do CNES tem (os valores do CNES "
        "têm no máximo algumas centenas de caracteres)."
    )
    assert abs(error.line - line) <= 1


def test_the_check_follows_the_models_sizes(monkeypatch):
    """No size is written in the check: shrink a model's column and the parser follows."""
    monkeypatch.setattr(HealthUnit.name, "max_length", 10)
    monkeypatch.setattr(Professional.email, "max_length", 5)
    data = build_small_cnes([sample_unit(0, NM_FANTA="UBS CENTRO NORTE")], [sample_professional(0, E_MAIL="a@b.com")])
    header, unit, professional_row = _rows(data)
    assert unit.problems == ["NM_FANTA tem 16 caracteres; o banco aceita até 10."]
    assert prepared(professional_row)[15] == "E_MAIL tem 7 caracteres; o banco aceita até 5."
    assert {attribute for attribute, _field in lengths.UNIT_COLUMNS} >= {"NM_FANTA", "CNPJ", "LOGRADOURO"}


def _rows(data: bytes):
    import io

    from pec_tui.domain.cnes.parser import iter_cnes_rows

    return list(iter_cnes_rows(io.BytesIO(data), NAME))


# --------------------------------------------------------------------------------------------
# Item 4: encodings that lie
# --------------------------------------------------------------------------------------------


def _declared(tmp_path: Path, encoding: str, body_encoding: str, name: str = "UBS JOSÉ CONCEIÇÃO") -> Path:
    """An export declaring ``encoding`` whose unit name is written in ``body_encoding``."""
    data = build_small_cnes([sample_unit(0, NM_FANTA="PLACEHOLDER")], [], ibge=CHAPECO)
    data = data.replace(b"ISO-8859-1", encoding.encode(), 1).replace(b"PLACEHOLDER", name.encode(body_encoding))
    path = tmp_path / NAME
    path.write_bytes(data)
    return path


def test_latin1_declared_file_whose_bytes_are_utf8_is_refused_saying_so(network, tmp_path):
    """The issue stored "UBS JOSÃ\\x89 Ã\\x87Ã\\x83O" with rc 0."""
    error = refused(_declared(tmp_path, "ISO-8859-1", "utf-8"))
    assert error.message.startswith(
        f"O arquivo {NAME} declara a codificação ISO-8859-1, mas o texto está em UTF-8 (linha {error.line}: "
    )
    assert "UBS JOSÉ CONCEIÇÃO" in error.message  # shown as it really reads
    assert "\x89" not in error.message and "JOSÃ" not in error.message


def test_latin1_declared_file_with_windows_1252_quotes_is_refused(network, tmp_path):
    error = refused(_declared(tmp_path, "ISO-8859-1", "cp1252", name="UBS “CENTRO” – NORTE"))
    assert "parece estar em Windows-1252" in error.message
    assert "UBS “CENTRO” – NORTE" in error.message


def test_a_true_latin1_file_with_accents_imports_as_written(network, tmp_path):
    run(_declared(tmp_path, "ISO-8859-1", "iso-8859-1"))
    assert HealthUnit.get(HealthUnit.cnes == "2000001").name == "UBS JOSÉ CONCEIÇÃO"


def test_windows_1252_declared_file_keeps_its_quotes(network, tmp_path):
    run(_declared(tmp_path, "windows-1252", "cp1252", name="UBS “CENTRO” – NORTE"))
    assert HealthUnit.get(HealthUnit.cnes == "2000001").name == "UBS “CENTRO” – NORTE"


def test_utf8_declared_file_whose_bytes_are_latin1_is_refused_in_portuguese(network, tmp_path):
    """libxml2 said "Invalid bytes in character encoding"."""
    error = refused(_declared(tmp_path, "UTF-8", "iso-8859-1"))
    assert error.message == (
        f"O arquivo {NAME} está truncado ou malformado na linha {error.line}: há bytes que não valem na "
        "codificação declarada (UTF-8, quando o arquivo não declara outra); o arquivo provavelmente está em "
        "ISO-8859-1 sem declarar."
    )
    assert "Invalid" not in error.message


# --------------------------------------------------------------------------------------------
# Items 8 and 9: English parser texts, DOCTYPEs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "replacement", "reason", "english"),
    [
        (b'NM_FANTA="UBS', b"NM_FANTA UBS=", "o atributo NM_FANTA não tem valor", "Specification mandates"),
        (b"</EQUIPES>", b"</EQUIPE>", "o elemento EQUIPES é fechado como EQUIPE", "mismatch"),
        (b' CNPJ="', b' CNPJ="1" CNPJ="', "o atributo CNPJ aparece duas vezes", "redefined"),
    ],
    ids=["attribute-without-value", "tag-mismatch", "attribute-twice"],
)
def test_parser_texts_reach_the_user_in_portuguese(network, tmp_path, damage, replacement, reason, english, caplog):
    data = build_small_cnes([sample_unit(0)], [], ibge=CHAPECO)
    assert damage in data
    path = tmp_path / NAME
    path.write_bytes(data.replace(damage, replacement, 1))
    caplog.set_level("INFO")
    error = refused(path)
    assert error.message == f"O arquivo {NAME} está truncado ou malformado na linha {error.line}: {reason}."
    assert english not in error.message and "column" not in error.message
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert english in logged  # the parser's own text is kept in the log


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE ImportarXMLCNES SYSTEM "http://127.0.0.1:9/cnes.dtd">',
        b"<!DOCTYPE ImportarXMLCNES [<!ENTITY a 'b'>]>",
    ],
    ids=["external", "internal"],
)
def test_every_doctype_is_refused_by_the_import(network, tmp_path, doctype):
    data = build_small_cnes([sample_unit(0)], [], ibge=CHAPECO).replace(b"?>\n", b"?>\n" + doctype + b"\n", 1)
    path = tmp_path / NAME
    path.write_bytes(data)
    error = refused(path)
    assert error.message.startswith(f"O arquivo {NAME} declara um DOCTYPE na linha 2,")
    assert error.line == 2


def test_iter_cnes_is_unchanged_for_a_good_file():
    data = build_small_cnes(units_0_1(), [sample_professional(0, lotacoes=[lot()])], ibge=CHAPECO)
    import io

    items = list(iter_cnes(io.BytesIO(data), NAME))
    assert [type(item).__name__ for item in items] == ["CnesHeader", "CnesUnit", "CnesUnit", "CnesProfessional"]
    assert all(not item.problems for item in items)
