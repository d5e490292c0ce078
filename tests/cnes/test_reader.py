"""The child process that reads a CNES file for the importer: its messages, errors and end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pec_tui.core.checks import is_valid_cns, is_valid_cpf
from pec_tui.demo.cnes_export import build_small_cnes, sample_professional, sample_unit, write_cnes_file
from pec_tui.domain.cnes import reader
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.parser import CnesUnit

NAME = "XmlParaESUS31_420540.xml"


def test_batches_in_document_order_with_checks_and_counts(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=3, professionals=25, seed=4)
    messages = list(reader.read_messages(path, 10))

    kinds = [message[0] for message in messages]
    assert kinds == ["header", "units", "professionals", "professionals", "professionals", "end"]
    header, display_name, size, warnings = messages[0][1]
    assert display_name == path.name and size == path.stat().st_size and warnings == ()
    assert all(isinstance(unit, CnesUnit) for unit in messages[1][1]) and len(messages[1][1]) == 3
    rows = [row for message in messages if message[0] == "professionals" for row in message[1]]
    assert [len(message[1]) for message in messages[2:5]] == [10, 10, 5]
    for row in rows:
        assert row[13] == is_valid_cpf(row[2]) and row[14] == is_valid_cns(row[0])
        assert all(len(item) == 6 for item in row[10])
    records = [message[2] for message in messages]
    assert records == sorted(records) and records[-1] == 28
    assert messages[-1][3] == size


def test_a_child_reads_the_same_messages(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=2, professionals=30, seed=5)
    expected = list(reader.read_messages(path, 7))
    with reader.ChildReader(path, 7) as child:
        header = child.header()
        rest = list(child)
    assert (header[1], header[2]) == expected[0][1][1:3]
    assert [(kind, len(payload or ()), records) for kind, payload, records, _read in rest] == [
        (kind, len(payload or ()), records) for kind, payload, records, _read in expected[1:]
    ]
    assert [row[2] for message in rest if message[0] == "professionals" for row in message[1]] == [
        row[2] for message in expected if message[0] == "professionals" for row in message[1]
    ]


def test_a_refused_file_gives_the_same_sentence_through_the_child(tmp_path: Path) -> None:
    data = build_small_cnes([sample_unit()], [sample_professional(index) for index in range(40)])
    path = tmp_path / NAME
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CnesFileError) as direct:
        for message in reader.read_messages(path, 5):
            if message[0] == "error":
                raise CnesFileError(message[1][0], file_name=message[1][1], line=message[1][2])
    with pytest.raises(CnesFileError) as through_child, reader.ChildReader(path, 5) as child:
        child.header()
        list(child)
    assert through_child.value.message == direct.value.message
    assert through_child.value.line == direct.value.line and through_child.value.line
    assert "truncado ou malformado" in through_child.value.message


def test_a_missing_file_is_refused_before_the_header(tmp_path: Path) -> None:
    with pytest.raises(CnesFileError) as caught, reader.ChildReader(tmp_path / NAME, 5) as child:
        child.header()
    assert caught.value.message == f"O arquivo {NAME} não foi encontrado."


def test_a_child_that_dies_is_reported_in_portuguese(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=2, professionals=5_000, seed=6)
    with pytest.raises(CnesFileError) as caught, reader.ChildReader(path, 10) as child:
        child.header()
        child._process.kill()
        list(child)
    assert caught.value.message.startswith(f"A leitura do arquivo {path.name} foi interrompida (")
    assert caught.value.message.endswith("; nada foi alterado.")


def test_closing_early_stops_the_child(tmp_path: Path) -> None:
    path = write_cnes_file(tmp_path, units=2, professionals=5_000, seed=7)
    child = reader.ChildReader(path, 10)
    child.header()
    child.close()
    assert child._process.poll() is not None
    assert not child._pump.is_alive()
