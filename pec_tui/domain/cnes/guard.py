"""Bounds on the bytes of a CNES export, checked before lxml sees them.

libxml2's push parser keeps an unfinished token whole in memory, whatever ``huge_tree`` says: a
start tag whose attribute is 1 GiB, a comment, a processing instruction or a CDATA section of
300 MB were all buffered in full before any limit fired (and then refused with an English
"try XML_PARSE_HUGE"). So every chunk goes through :class:`ByteGuard` first, which refuses, in
Portuguese and naming the element and the line:

* a run of more than :data:`MAX_RUN` bytes without a ``<``: a start tag with all its attributes,
  or the text between two tags (a CNES export has a few hundred bytes there);
* a comment, processing instruction or CDATA section longer than :data:`MAX_RUN`, and more than
  :data:`MAX_SECTIONS` of them (a CNES export has only the XML declaration);
* any ``<!DOCTYPE``, internal or external (a CNES export has none; an internal one can declare
  entities, an external one points outside the file);
* a file that declares a one-byte encoding (ISO-8859-1, Windows-1252) whose bytes are UTF-8, or
  that holds C1 control bytes an ISO-8859-1 text never has: the names would be stored as
  "JOSÃ\\x89".

With these, what libxml2 may hold at any time is bounded by :data:`MAX_RUN`; what the tree holds
is bounded by the parser's pruning and its limit on one record
(:data:`pec_tui.domain.cnes.parser.MAX_RECORD`). The scan costs a ``split`` and a regular
expression per chunk, in C.
"""

from __future__ import annotations

import re

from pec_tui.domain.cnes.errors import CnesFileError

MAX_RUN = 64 * 1024
"""Most bytes between two ``<`` (and in one comment, PI or CDATA section); 64 KB."""

MAX_SECTIONS = 100
"""Most comments, processing instructions and CDATA sections in a file (the declaration is one)."""

_HEAD = MAX_RUN
"""Bytes kept from the start of a run, to name the element and attribute of a refusal."""

_OPENERS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_LONGEST_OPENER = 9  # <![CDATA[
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_SINGLE_BYTE = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "windows-1252", "cp1252"}
# In a one-byte encoding, a UTF-8 lead byte followed by a continuation byte (Ã followed by
# ‰, ©, ‡… when read as ISO-8859-1) is the mark of UTF-8 text; C1 controls are never text.
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_C1 = re.compile(rb"[\x80-\x9f]")
# Every byte but 0x80-0xBF: what translate() deletes to tell, at C speed, whether a chunk has
# any byte that can be a UTF-8 continuation or a C1 control (most chunks have none).
_NOT_SUSPECT = bytes(byte for byte in range(256) if not 0x80 <= byte <= 0xBF)
_DOCTYPE_ROOT = re.compile(rb"<!DOCTYPE\s+([A-Za-z_][\w.:-]*)")
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\xfe\xff", b"\x00\x00\x00<")
_TAG_NAME = re.compile(rb"<(/?[A-Za-z_][\w.:-]*)")
_OPEN_ATTRIBUTE = re.compile(rb"([A-Za-z_][\w.:-]*)\s*=\s*([\"'])")


class ByteGuard:
    """Check each chunk of the XML before it is parsed; raise :class:`CnesFileError`."""

    def __init__(self, source_name: str, root_tag: str) -> None:
        self.source_name = source_name
        self.root_tag = root_tag
        self.offset = 0  # bytes checked so far (the parser was given as many)
        self._line = 1  # line of the first byte not yet checked
        self._pending = b""  # the end of the last chunk, held back: it may split a "<!--"
        self._run = 0  # bytes since the last "<"
        self._run_head = b""
        self._run_line = 1
        self._closing: bytes | None = None  # the end of the comment/PI/CDATA being read
        self._section_length = 0
        self._section_line = 0
        self._sections = 0
        self._encoding_checked = False
        self.declared = ""  # the encoding the XML declaration names, when it is a one-byte one
        self._pattern: re.Pattern[bytes] | None = None  # set for a one-byte encoding

    def feed(self, data: bytes) -> bytes:
        """Check ``data`` (empty at the end of the file); return the bytes to give the parser
        now (a few bytes may be held back until the next chunk)."""
        final = not data
        buffer = self._pending + data if self._pending else data
        if not self._encoding_checked and (len(buffer) >= 256 or final):
            self._read_declaration(buffer)
        if self._closing is None and b"<!" not in buffer and b"<?" not in buffer:
            limit = self._hold_back(buffer, 0, final)
            self._runs(buffer, 0, limit)
        else:
            limit = self._scan(buffer, final)
        if self._pattern is not None:
            self._check_encoding(buffer, limit)
        ready = buffer[:limit] if limit < len(buffer) else buffer
        self._pending = buffer[limit:]
        self._line += ready.count(b"\n")
        self.offset += len(ready)
        if final and self._closing is not None:
            self._section_end_missing()
        return ready

    # -- runs between "<" -----------------------------------------------------------------------

    @staticmethod
    def _hold_back(buffer: bytes, start: int, final: bool) -> int:
        """Where to stop checking: before a ``<`` too near the end to know what it opens."""
        if final:
            return len(buffer)
        last = buffer.rfind(b"<", max(start, len(buffer) - _LONGEST_OPENER + 1))
        return last if last >= 0 else len(buffer)

    def _runs(self, buffer: bytes, start: int, end: int) -> None:
        """Account the runs of ``buffer[start:end]``, which holds no comment, PI or CDATA."""
        if start >= end:
            return
        part = buffer[start:end] if (start or end < len(buffer)) else buffer
        pieces = part.split(b"<")
        self._run += len(pieces[0])
        if len(self._run_head) < _HEAD:
            self._run_head += pieces[0][: _HEAD - len(self._run_head)]
        if len(pieces) == 1:
            if self._run > MAX_RUN:
                self._too_long_run(self._run_head, self._run_line)
            return
        if self._run > MAX_RUN:
            self._too_long_run(self._run_head, self._run_line)
        longest = max(map(len, pieces[1:-1]), default=0)
        if longest >= MAX_RUN:
            index = next(i for i, piece in enumerate(pieces) if i and len(piece) >= MAX_RUN)
            at = start + sum(len(piece) + 1 for piece in pieces[:index])
            self._too_long_run(b"<" + pieces[index][:_HEAD], self._line + buffer.count(b"\n", 0, at))
        last = pieces[-1]
        self._run = len(last) + 1
        self._run_head = b"<" + last[:_HEAD]
        self._run_line = self._line + buffer.count(b"\n", 0, end - len(last))
        if self._run > MAX_RUN:  # only with chunks larger than MAX_RUN
            self._too_long_run(self._run_head, self._run_line)

    def _too_long_run(self, head: bytes, line: int) -> None:
        name = _TAG_NAME.match(head)
        element = name.group(1).decode("latin-1") if name else None
        closed = head.find(b">")
        size = f"{MAX_RUN // 1024} KB"
        if element and closed < 0 and not element.startswith("/"):
            attribute = None
            position = 0
            while (found := _OPEN_ATTRIBUTE.search(head, position)) is not None:
                end = head.find(found.group(2), found.end())
                if end < 0:  # the value still open where the run passed the limit
                    if len(head) - found.end() >= MAX_RUN // 2:
                        attribute = found.group(1).decode("latin-1")
                    break
                position = end + 1
            if attribute:
                detail = f"o atributo {attribute} do elemento {element}, na linha {line}, passa de {size}"
            else:
                detail = f"os atributos do elemento {element}, na linha {line}, passam de {size}"
        elif element:
            detail = f"o texto depois de <{element}>, na linha {line}, passa de {size} sem outra marcação"
        else:
            detail = f"o texto da linha {line} passa de {size} sem marcação XML"
        self._refuse(
            f"O arquivo {self.source_name} foi recusado: {detail}, o que nenhuma exportação do CNES tem "
            "(os valores do CNES têm no máximo algumas centenas de caracteres).",
            line,
        )

    # -- comments, processing instructions, CDATA, DOCTYPE -------------------------------------

    def _scan(self, buffer: bytes, final: bool) -> int:
        """The slow path, for a chunk with ``<!``/``<?`` or inside a section; returns where it stopped."""
        position = 0
        while True:
            closing = self._closing
            if closing is not None:
                found = buffer.find(closing, position)
                if found < 0:
                    stop = len(buffer) if final else max(position, len(buffer) - len(closing) + 1)
                    self._section_length += stop - position
                    self._check_section()
                    return stop
                self._section_length += found + len(closing) - position
                self._check_section()
                position = found + len(closing)
                self._closing = None
                self._run = 0
                self._run_head = b""
                self._run_line = self._line + buffer.count(b"\n", 0, position)
                continue
            candidates = [index for index in (buffer.find(b"<!", position), buffer.find(b"<?", position)) if index >= 0]
            limit = self._hold_back(buffer, position, final)
            opener_at = min(candidates) if candidates else -1
            if opener_at < 0 or opener_at >= limit:
                self._runs(buffer, position, limit)
                return limit
            self._runs(buffer, position, opener_at)
            line = self._line + buffer.count(b"\n", 0, opener_at)
            if buffer.startswith(b"<!DOCTYPE", opener_at):
                declared = _DOCTYPE_ROOT.match(buffer, opener_at)
                root = declared.group(1).decode("latin-1") if declared else None
                if root and root != self.root_tag:  # an HTML page, another kind of XML
                    self._refuse(
                        f"O arquivo {self.source_name} não é uma exportação do CNES para o e-SUS "
                        f"(começa com <{root}>, esperado <{self.root_tag}>).",
                        line,
                    )
                self._refuse(
                    f"O arquivo {self.source_name} declara um DOCTYPE na linha {line}, o que uma exportação "
                    "do CNES não tem (um DOCTYPE pode declarar entidades ou apontar para fora do arquivo); "
                    "o arquivo foi recusado.",
                    line,
                )
            for opener, ending in _OPENERS:
                if buffer.startswith(opener, opener_at):
                    self._sections += 1
                    if self._sections > MAX_SECTIONS:
                        self._refuse(
                            f"O arquivo {self.source_name} tem mais de {MAX_SECTIONS} comentários, instruções "
                            f"ou seções CDATA (a última na linha {line}), o que nenhuma exportação do CNES "
                            "tem; o arquivo foi recusado.",
                            line,
                        )
                    self._closing = ending
                    self._section_length = len(opener)
                    self._section_line = line
                    position = opener_at + len(opener)
                    break
            else:
                # "<!" that opens nothing known: the parser refuses it; count it as a run.
                self._runs(buffer, opener_at, opener_at + 2)
                position = opener_at + 2

    def _check_section(self) -> None:
        if self._section_length > MAX_RUN:
            what = {b"-->": "um comentário", b"?>": "uma instrução de processamento", b"]]>": "uma seção CDATA"}
            self._refuse(
                f"O arquivo {self.source_name} foi recusado: {what[self._closing or b'-->']} que começa na "
                f"linha {self._section_line} passa de {MAX_RUN // 1024} KB, o que nenhuma exportação do "
                "CNES tem.",
                self._section_line,
            )

    def _section_end_missing(self) -> None:
        self._refuse(
            f"O arquivo {self.source_name} está truncado: o comentário ou seção que começa na linha "
            f"{self._section_line} não termina.",
            self._section_line,
        )

    # -- encoding -------------------------------------------------------------------------------

    def _read_declaration(self, buffer: bytes) -> None:
        self._encoding_checked = True
        if buffer.startswith(_WIDE_STARTS):
            # Every check here reads bytes as ASCII-compatible; the CNES never writes UTF-16/32.
            self._refuse(
                f"O arquivo {self.source_name} está em UTF-16 ou UTF-32, codificação que uma exportação do CNES "
                "não usa; o arquivo foi recusado.",
                1,
            )
        found = _DECLARATION.match(buffer[:512])
        if found is None:
            return
        declared = found.group(1).decode("ascii").lower()
        if declared in _SINGLE_BYTE:
            self.declared = found.group(1).decode("ascii").upper()
            c1_allowed = declared in ("windows-1252", "cp1252")
            self._pattern = _UTF8_PAIR if c1_allowed else re.compile(_UTF8_PAIR.pattern + rb"|" + _C1.pattern)

    def _check_encoding(self, buffer: bytes, limit: int) -> None:
        assert self._pattern is not None
        if not buffer.translate(None, _NOT_SUSPECT):
            return
        found = self._pattern.search(buffer, 0, limit)
        if found is None:
            return
        at = found.start()
        line = self._line + buffer.count(b"\n", 0, at)
        start = max(buffer.rfind(b'"', 0, at), buffer.rfind(b">", 0, at), at - 40) + 1
        end = min(index for index in (buffer.find(b'"', at), at + 40, len(buffer)) if index >= 0)
        snippet = buffer[start:end]
        if _UTF8_PAIR.match(buffer, at):
            shown = snippet.decode("utf-8", "replace")
            self._refuse(
                f"O arquivo {self.source_name} declara a codificação {self.declared}, mas o texto está em "
                f"UTF-8 (linha {line}: «{_printable(shown)}»); importado assim, os nomes ficariam "
                "trocados. Baixe o arquivo original do CNES ou corrija a declaração para UTF-8.",
                line,
            )
        shown = snippet.decode("cp1252", "replace")
        self._refuse(
            f"O arquivo {self.source_name} declara a codificação {self.declared}, mas tem caracteres de "
            f"controle que esse texto não usa (linha {line}: «{_printable(shown)}»); ele parece estar em "
            "Windows-1252. Baixe o arquivo original do CNES.",
            line,
        )

    def _refuse(self, message: str, line: int) -> None:
        raise CnesFileError(message, file_name=self.source_name, line=line)


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in text)
