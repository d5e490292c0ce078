"""Open the CNES export (``XmlParaESUS31_<IBGE>.zip`` or the bare ``.xml``) as a byte stream.

The ZIP is checked before anything is decompressed (exactly one XML, safe entry names,
plausible sizes) and again while it is read: the decompressed stream stops with
:class:`CnesFileError` as soon as it passes the size the ZIP declared (itself under the
cap), because declared sizes can lie.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from pec_tui.core.errors import os_reason
from pec_tui.domain.cnes.errors import CnesFileError

MAX_UNCOMPRESSED = 2 * 1024**3
"""Largest XML accepted inside a ZIP (2 GiB); a large capital's export is a few hundred MB."""

MAX_RATIO = 200
"""Largest compression ratio accepted for entries above :data:`RATIO_MIN_SIZE`."""

RATIO_MIN_SIZE = 1024**2
"""Entries up to this size (1 MiB) are not checked for their compression ratio."""

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# XmlParaESUS31_420540.zip; the PEC manual also shows the older XMLPARAESUS_420540.ZIP.
_CNES_NAME = re.compile(r"xmlparaesus(?:\d{2})?_(\d{6})\.(?:xml|zip)", re.IGNORECASE | re.ASCII)
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class CnesSource:
    """An opened CNES export.

    Unpacks as ``stream, xml_name = source``. ``display_name`` is what messages should call
    the file, ``size`` the expected XML size in bytes (for progress; ``stream.tell()`` gives
    the bytes read so far) and ``warnings`` holds remarks that do not stop the import.
    """

    stream: BinaryIO
    xml_name: str
    display_name: str
    size: int
    warnings: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[Any]:
        yield self.stream
        yield self.xml_name


def ibge6_from_filename(name: str | Path) -> str | None:
    """The 6-digit IBGE code in ``XmlParaESUS31_420540.zip`` (any case), or None."""
    match = _CNES_NAME.fullmatch(Path(name).name)
    return match.group(1) if match else None


def filename_warning(name: str | Path) -> str | None:
    """A Portuguese remark when the name is not the CNES one; None when it is.

    Both ``XmlParaESUS31_420540.zip`` and the older ``XMLPARAESUS_420540.ZIP`` (the form the
    PEC manual shows) pass. Users rename files, so this is never a refusal.
    """
    base = Path(name).name
    if _CNES_NAME.fullmatch(base):
        return None
    return (
        f"O nome {base} não segue o padrão do CNES (XmlParaESUS31_<IBGE>.zip); "
        "confira se é o arquivo do município certo."
    )


@contextmanager
def open_cnes_source(
    path: str | Path,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: float = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> Iterator[CnesSource]:
    """Open a ``.xml`` or a ``.zip`` holding exactly one ``.xml``; yield a :class:`CnesSource`.

    Raises :class:`CnesFileError` (before yielding, or from the stream's ``read``) when the
    file is missing, empty, not a usable ZIP, holds zero or several XML files, has unsafe
    entry names, or decompresses past its declared size or the caps given here.
    """
    path = Path(path)
    name = path.name
    warning = filename_warning(path)
    warnings = (warning,) if warning else ()
    head = _read_head(path)
    if head.startswith(_ZIP_MAGICS):
        with _open_zip(path, name, warnings, max_uncompressed, max_ratio, ratio_min_size) as source:
            yield source
        return
    if path.suffix.lower() == ".zip":
        raise CnesFileError(
            f"O arquivo {name} está corrompido ou não é um ZIP válido; baixe-o novamente do CNES.",
            file_name=name,
        )
    with path.open("rb") as stream:
        yield CnesSource(stream, name, name, path.stat().st_size, warnings)


def _read_head(path: Path) -> bytes:
    """The first bytes of the file, turning OS errors into messages."""
    name = path.name
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except FileNotFoundError:
        raise CnesFileError(f"O arquivo {name} não foi encontrado.", file_name=name) from None
    except IsADirectoryError:
        raise CnesFileError(f"{name} é uma pasta; escolha o arquivo XML ou ZIP do CNES.", file_name=name) from None
    except PermissionError:
        raise CnesFileError(f"Sem permissão para ler o arquivo {name}.", file_name=name) from None
    except OSError as exc:
        raise CnesFileError(f"Não foi possível ler o arquivo {name}: {os_reason(exc)}.", file_name=name) from None
    if not head:
        raise CnesFileError(f"O arquivo {name} está vazio.", file_name=name)
    return head


@contextmanager
def _open_zip(
    path: Path,
    name: str,
    warnings: tuple[str, ...],
    max_uncompressed: int,
    max_ratio: float,
    ratio_min_size: int,
) -> Iterator[CnesSource]:
    """Check the ZIP's directory, then yield its one XML behind a size guard."""
    corrupt = f"O arquivo {name} está corrompido ou não é um ZIP válido; baixe-o novamente do CNES."
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise CnesFileError(corrupt, file_name=name) from None
    with archive:
        entry = _single_xml_entry(archive, name)
        _check_sizes(entry, name, max_uncompressed, max_ratio, ratio_min_size)
        if entry.flag_bits & 0x1:
            raise CnesFileError(
                f"O arquivo {name} está protegido por senha; envie o ZIP original do CNES.", file_name=name
            )
        xml_name = PurePosixPath(entry.filename).name
        # Let zipfile inflate past the declared size (it would cut there silently); the guard
        # stops one byte past it instead, with a message.
        unbounded = copy.copy(entry)
        unbounded.file_size = max_uncompressed + 1
        try:
            inner = archive.open(unbounded)
        except NotImplementedError:
            raise CnesFileError(
                f"O arquivo {name} usa um método de compressão que não é suportado; "
                "compacte o XML novamente em ZIP comum.",
                file_name=name,
            ) from None
        except (zipfile.BadZipFile, EOFError, ValueError, OSError):
            raise CnesFileError(corrupt, file_name=name) from None
        display = f"{xml_name}, dentro de {name}"
        guard = _GuardedStream(inner, entry.file_size, name, xml_name)
        with inner:
            yield CnesSource(guard, xml_name, display, entry.file_size, warnings)


def _single_xml_entry(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    """The one ``.xml`` entry; refuses unsafe names anywhere in the archive."""
    xml_entries: list[zipfile.ZipInfo] = []
    for info in archive.infolist():
        if not _is_safe_entry_name(info.filename):
            raise CnesFileError(
                f"O arquivo {name} contém um caminho inseguro ({_printable(info.filename)}) e foi recusado; "
                "envie o ZIP original do CNES.",
                file_name=name,
            )
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        if info.filename.lower().endswith(".xml"):
            xml_entries.append(info)
    if not xml_entries:
        raise CnesFileError(
            f"O arquivo {name} não contém nenhum arquivo XML; envie o ZIP baixado do CNES.", file_name=name
        )
    if len(xml_entries) > 1:
        raise CnesFileError(
            f"O arquivo {name} contém {len(xml_entries)} arquivos XML; envie um ZIP com apenas um.",
            file_name=name,
        )
    return xml_entries[0]


def _is_safe_entry_name(entry_name: str) -> bool:
    """False for absolute paths, ``..`` parts, backslashes, drive letters and NUL bytes."""
    if not entry_name or "\\" in entry_name or "\x00" in entry_name:
        return False
    if entry_name.startswith("/") or _DRIVE.match(entry_name):
        return False
    return ".." not in PurePosixPath(entry_name).parts


def _check_sizes(
    entry: zipfile.ZipInfo, name: str, max_uncompressed: int, max_ratio: float, ratio_min_size: int
) -> None:
    """Refuse what the ZIP's own directory admits is too big or too compressed."""
    if entry.file_size > max_uncompressed:
        raise CnesFileError(
            f"O arquivo {name} declara um XML de {_human_size(entry.file_size)} descompactado, "
            f"acima do limite de {_human_size(max_uncompressed)}; o arquivo foi recusado.",
            file_name=name,
        )
    if entry.file_size > ratio_min_size:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > max_ratio:
            raise CnesFileError(
                f"O arquivo {name} tem uma taxa de compressão suspeita ({ratio:.0f}:1) "
                "e foi recusado; envie o ZIP original do CNES.",
                file_name=name,
            )


class _GuardedStream(io.RawIOBase):
    """Read-only view of a ZIP entry that refuses to yield more than the size it declared.

    The declared size was already checked against the cap, so stopping there also enforces
    the cap, whatever the compressed data really inflates to.
    """

    def __init__(self, inner: BinaryIO, declared: int, zip_name: str, xml_name: str) -> None:
        super().__init__()
        self._inner = inner
        self._declared = declared
        self._zip_name = zip_name
        self._xml_name = xml_name
        self._count = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._count

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if not len(buffer):
            return 0
        # One byte more than what is left, to notice data beyond the declared end.
        want = min(len(buffer), self._declared + 1 - self._count)
        try:
            data = self._inner.read(want)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise self._error(
                f"O arquivo {self._zip_name} está corrompido (falha ao descompactar {self._xml_name}); "
                "baixe-o novamente do CNES."
            ) from None
        self._count += len(data)
        if self._count > self._declared:
            raise self._error(
                f"O conteúdo de {self._xml_name} é maior do que o tamanho declarado em {self._zip_name}; "
                "o ZIP está corrompido ou foi adulterado e foi recusado."
            )
        if not data and self._count < self._declared:
            raise self._error(
                f"O conteúdo de {self._xml_name} é menor do que o tamanho declarado em {self._zip_name}; "
                "baixe o arquivo novamente do CNES."
            )
        buffer[: len(data)] = data
        return len(data)

    def _error(self, message: str) -> CnesFileError:
        return CnesFileError(message, file_name=self._zip_name)


def _printable(text: str) -> str:
    """The text with control characters shown as ``?``, safe to put on a terminal."""
    return "".join(char if char.isprintable() else "?" for char in text)


def _human_size(size: int) -> str:
    """``2 GB``, ``1,5 MB``: binary units, Brazilian decimal comma."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.0f}" if unit == "bytes" or value == int(value) else f"{value:.1f}".replace(".", ",")
    return f"{text} {unit}"


def precheck(path: str | Path) -> None:
    """The quick look before asking to import: the file exists, is a ``.xml`` or a ``.zip`` with
    one XML, and starts like an XML. Raises :class:`CnesFileError` with the sentence the import
    itself would give, so a ``.txt`` is refused before the confirmation (reads a few KB)."""
    with open_cnes_source(path) as source:
        head = source.stream.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        name = Path(path).name
        raise CnesFileError(f"O arquivo {name} está vazio ou não é um XML.", file_name=name)
