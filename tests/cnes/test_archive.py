"""Opening the CNES export: plain XML, ZIP with one XML, and the ZIPs that must be refused."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from pec_tui.demo.cnes_export import build_small_cnes, sample_professional, sample_unit
from pec_tui.domain.cnes.archive import filename_warning, ibge6_from_filename, open_cnes_source
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.parser import parse_cnes

XML = build_small_cnes([sample_unit()], [sample_professional()])
ZIP_NAME = "XmlParaESUS31_420540.zip"
XML_NAME = "XmlParaESUS31_420540.xml"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A ZIP holding these entries, deflated, sizes in the headers (no data descriptor)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def patch_single_entry(data: bytes, *, file_size: int | None = None, flag_bits: int | None = None) -> bytes:
    """Rewrite the uncompressed size or flags of the only entry, in both of its headers."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    central = patched.find(b"PK\x01\x02")
    assert local >= 0 and central > local
    if file_size is not None:
        struct.pack_into("<I", patched, local + 22, file_size)
        struct.pack_into("<I", patched, central + 24, file_size)
    if flag_bits is not None:
        struct.pack_into("<H", patched, local + 6, flag_bits)
        struct.pack_into("<H", patched, central + 8, flag_bits)
    return bytes(patched)


def read_all(path: Path, **limits: int) -> bytes:
    with open_cnes_source(path, **limits) as source:
        return source.stream.read()


# -- accepted files ------------------------------------------------------------------------------


def test_plain_xml_is_streamed_with_its_size(tmp_path: Path) -> None:
    path = write(tmp_path, XML_NAME, XML)
    with open_cnes_source(path) as source:
        assert source.xml_name == XML_NAME
        assert source.display_name == XML_NAME
        assert source.size == len(XML)
        assert source.warnings == ()
        assert source.stream.read() == XML


def test_zip_with_one_xml_yields_its_content(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({XML_NAME: XML}))
    with open_cnes_source(path) as source:
        stream, xml_name = source
        assert xml_name == XML_NAME
        assert source.display_name == f"{XML_NAME}, dentro de {ZIP_NAME}"
        assert source.size == len(XML)
        assert stream.read() == XML
        assert stream.tell() == len(XML)


def test_zip_content_is_detected_whatever_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "XmlParaESUS31_420540.xml", zip_bytes({"dados/cnes.XML": XML}))
    with open_cnes_source(path) as source:
        assert source.xml_name == "cnes.XML"
        assert source.stream.read() == XML


def test_other_entries_and_macos_metadata_are_ignored(tmp_path: Path) -> None:
    data = zip_bytes({"LEIAME.txt": b"ok", "__MACOSX/._XmlParaESUS31_420540.xml": b"\x00\x05", XML_NAME: XML})
    path = write(tmp_path, ZIP_NAME, data)
    assert read_all(path) == XML


def test_small_entry_is_not_judged_by_its_ratio(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({XML_NAME: b" " * 500_000}))
    assert len(read_all(path)) == 500_000


# -- refused ZIPs ---------------------------------------------------------------------------------


def test_zip_with_two_xml_files_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({"a.xml": XML, "b.xml": XML}))
    with pytest.raises(CnesFileError) as caught:
        read_all(path)
    assert caught.value.message == (
        "O arquivo XmlParaESUS31_420540.zip contém 2 arquivos XML; envie um ZIP com apenas um."
    )
    assert caught.value.file_name == ZIP_NAME


def test_zip_without_xml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({"LEIAME.txt": b"nada"}))
    with pytest.raises(CnesFileError, match="não contém nenhum arquivo XML"):
        read_all(path)


@pytest.mark.parametrize(
    "entry_name",
    ["../XmlParaESUS31_420540.xml", "a/../../x.xml", "/etc/x.xml", "pasta\\x.xml", "C:/x.xml", "c:x.xml"],
)
def test_unsafe_entry_names_are_refused(tmp_path: Path, entry_name: str) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({entry_name: XML}))
    with pytest.raises(CnesFileError, match="caminho inseguro") as caught:
        read_all(path)
    assert entry_name in caught.value.message


def test_unsafe_name_of_another_entry_also_refuses_the_zip(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({XML_NAME: XML, "../../.bashrc": b"echo"}))
    with pytest.raises(CnesFileError, match="caminho inseguro"):
        read_all(path)


def test_declared_size_above_the_cap_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({XML_NAME: bytes(range(256)) * 8192}))  # 2 MiB
    with pytest.raises(CnesFileError, match="acima do limite de 1 MB"):
        read_all(path, max_uncompressed=1024**2)


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, zip_bytes({XML_NAME: b"\x00" * (8 * 1024**2)}))
    with pytest.raises(CnesFileError, match=r"taxa de compressão suspeita \(\d+:1\)"):
        read_all(path)


def test_lying_declared_size_stops_the_stream(tmp_path: Path) -> None:
    # The directory claims 1,000 bytes (too small for the ratio check); the data inflates to ~4 MB.
    payload = XML + b"<!--" + b"0" * (4 * 1024**2) + b"-->"
    path = write(tmp_path, ZIP_NAME, patch_single_entry(zip_bytes({XML_NAME: payload}), file_size=1000))
    with open_cnes_source(path) as source:
        assert source.size == 1000
        assert source.stream.read(1000) == payload[:1000]
        with pytest.raises(CnesFileError, match="maior do que o tamanho declarado"):
            source.stream.read(4096)


def test_lying_declared_size_stops_the_parser(tmp_path: Path) -> None:
    payload = XML + b"<!--" + b"0" * (4 * 1024**2) + b"-->"
    path = write(tmp_path, ZIP_NAME, patch_single_entry(zip_bytes({XML_NAME: payload}), file_size=len(XML) - 10))
    with open_cnes_source(path) as source, pytest.raises(CnesFileError, match="maior do que o tamanho declarado"):
        for _ in parse_cnes(source.stream, source_name=source.display_name):
            pass


def test_declared_size_larger_than_the_data_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, patch_single_entry(zip_bytes({XML_NAME: XML}), file_size=len(XML) + 50))
    with pytest.raises(CnesFileError, match="menor do que o tamanho declarado"):
        read_all(path)


def test_corrupted_compressed_data_is_reported(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({XML_NAME: XML * 20}))
    start = data.find(XML_NAME.encode()) + len(XML_NAME)  # compressed data follows the local name
    for offset in range(start + 10, start + 40):
        data[offset] ^= 0xFF
    path = write(tmp_path, ZIP_NAME, bytes(data))
    with pytest.raises(CnesFileError, match="está corrompido"):
        read_all(path)


def test_password_protected_zip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ZIP_NAME, patch_single_entry(zip_bytes({XML_NAME: XML}), flag_bits=0x1))
    with pytest.raises(CnesFileError, match="protegido por senha"):
        read_all(path)


@pytest.mark.parametrize("content", [b"isto nao e um zip", b"PK\x03\x04" + b"\x00" * 40])
def test_corrupt_or_fake_zip_is_refused(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, ZIP_NAME, content)
    with pytest.raises(CnesFileError) as caught:
        read_all(path)
    assert caught.value.message == (
        "O arquivo XmlParaESUS31_420540.zip está corrompido ou não é um ZIP válido; baixe-o novamente do CNES."
    )


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    data = zip_bytes({XML_NAME: XML})
    path = write(tmp_path, ZIP_NAME, data[: len(data) // 2])
    with pytest.raises(CnesFileError, match="corrompido"):
        read_all(path)


# -- files that are not there ---------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CnesFileError) as caught:
        read_all(tmp_path / ZIP_NAME)
    assert caught.value.message == "O arquivo XmlParaESUS31_420540.zip não foi encontrado."


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(CnesFileError, match="está vazio"):
        read_all(write(tmp_path, XML_NAME, b""))


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(CnesFileError, match="é uma pasta"):
        read_all(tmp_path)


# -- file names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ibge6"),
    [
        ("XmlParaESUS31_420540.zip", "420540"),
        ("xmlparaesus21_130014.XML", "130014"),
        ("XMLPARAESUS_355030.ZIP", "355030"),
        ("/tmp/downloads/XmlParaESUS30_420540.xml", "420540"),
        ("XmlParaESUS31_420540 (1).zip", None),
        ("cnes.zip", None),
        ("XmlParaESUS31_4205407.zip", None),
    ],
)
def test_ibge6_from_filename(name: str, ibge6: str | None) -> None:
    assert ibge6_from_filename(name) == ibge6
    assert (filename_warning(name) is None) == (ibge6 is not None)


def test_renamed_file_gives_a_warning_not_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "cnes-marco.zip", zip_bytes({XML_NAME: XML}))
    with open_cnes_source(path) as source:
        assert source.stream.read() == XML
    expected = (
        "O nome cnes-marco.zip não segue o padrão do CNES (XmlParaESUS31_<IBGE>.zip); "
        "confira se é o arquivo do município certo."
    )
    assert source.warnings == (expected,)


def test_precheck_refuses_a_text_file_and_accepts_an_xml(tmp_path):
    from pec_tui.domain.cnes.archive import precheck
    from pec_tui.domain.cnes.errors import CnesFileError

    notes = tmp_path / "notas.txt"
    notes.write_text("isto não é XML", encoding="utf-8")
    with pytest.raises(CnesFileError, match="notas.txt está vazio ou não é um XML"):
        precheck(notes)
    xml = tmp_path / "XmlParaESUS31_420420.xml"
    xml.write_bytes(b"\xef\xbb\xbf\n<?xml version='1.0'?><ImportarXMLCNES/>")
    precheck(xml)
