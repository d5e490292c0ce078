"""argparse in Portuguese: help, usage and every error message it writes.

argparse passes its words through ``gettext``, which finds only compiled catalogues in the
system's locale folders (and only when the environment asks for Portuguese: servers often run
with ``LANG=C``). So pec-tui says them itself, by subclassing: the help formatter writes "uso:",
the parser titles its sections and its ``-h``, and :meth:`PortugueseParser.error` translates
argparse's error sentences with the table below (argparse's own templates, so an argument name
or a value inside them is kept). ``tests/cli/test_help.py`` walks every command's ``--help``
and errors looking for English.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

#: argparse's message templates (``%s``, ``%r``, ``%(name)s``) and what pec-tui says instead.
ERROR_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: %s", "faltam os argumentos obrigatórios: %s"),
    ("unrecognized arguments: %s", "argumentos não reconhecidos: %s"),
    ("invalid choice: %(value)r (choose from %(choices)s)", "opção inválida: %(value)s (escolha entre %(choices)s)"),
    ("ambiguous option: %(option)s could match %(matches)s", "opção ambígua: %(option)s pode ser %(matches)s"),
    ("expected one argument", "precisa de um valor"),
    ("expected at most one argument", "aceita no máximo um valor"),
    ("expected at least one argument", "precisa de pelo menos um valor"),
    ("expected %s argument", "precisa de %s valor"),
    ("expected %s arguments", "precisa de %s valores"),
    ("ignored explicit argument %r", "valor não aceito: %s"),
    ("invalid %(type)s value: %(value)r", "valor inválido: %(value)s"),
    ("not allowed with argument %s", "não pode ser usado com o argumento %s"),
    ("one of the arguments %s is required", "informe um dos argumentos %s"),
    ("can't open '%(filename)s': %(error)s", "não foi possível abrir '%(filename)s': %(error)s"),
    ("unexpected option string: %s", "opção inesperada: %s"),
)
ARGUMENT_PREFIX = ("argument %(argument_name)s: %(message)s", "argumento %(argument_name)s: %(message)s")


def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression that matches what ``template % values`` printed, naming each value."""
    parts = re.split(r"(%\(\w+\)[sr]|%[sr])", template)
    regex, index = "", 0
    for part in parts:
        named = re.fullmatch(r"%\((\w+)\)[sr]", part)
        if named:
            regex += f"(?P<{named.group(1)}>.+?)"
        elif part in ("%s", "%r"):
            regex += f"(?P<v{index}>.+?)"
            index += 1
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$", re.DOTALL)


def _portuguese(template: str) -> str:
    """The Portuguese template with positional ``%s`` turned into the names the pattern gave them."""
    index = 0

    def name(match: re.Match[str]) -> str:
        nonlocal index
        index += 1
        return f"%(v{index - 1})s"

    return re.sub(r"%s", name, template)


_TABLE = [(_pattern(english), _portuguese(portuguese)) for english, portuguese in ERROR_TEMPLATES]
_ARGUMENT = (_pattern(ARGUMENT_PREFIX[0]), ARGUMENT_PREFIX[1])


def translate_error(message: str) -> str:
    """argparse's error sentence in Portuguese (unchanged when it is not one of argparse's)."""
    argument = _ARGUMENT[0].match(message)
    if argument:
        values = argument.groupdict()
        values["message"] = translate_error(values["message"])
        return _ARGUMENT[1] % values
    for pattern, portuguese in _TABLE:
        found = pattern.match(message)
        if found:
            return portuguese % found.groupdict()
    return message


class PortugueseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="uso: " if prefix is None else prefix)


class PortugueseParser(argparse.ArgumentParser):
    """An argparse parser that speaks Portuguese; its subcommands' parsers too (``parser_class``)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", PortugueseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opções"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {translate_error(message)}\nUse '{self.prog} --help' para ver as opções.\n")
