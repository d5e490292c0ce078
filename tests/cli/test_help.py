"""argparse speaks Portuguese: every command's ``--help`` and its usage errors, no English left."""

from __future__ import annotations

import argparse
import re

import pytest

from pec_tui.cli import build_parser, main
from pec_tui.cli.portuguese import ERROR_TEMPLATES, translate_error

ENGLISH = re.compile(
    r"\b(usage|positional|optional|options|arguments?|show|help message|exit|error|required|invalid|"
    r"choose|unrecognized|expected|ambiguous|allowed|ignored|version number|program)\b",
    re.IGNORECASE,
)


def every_parser(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_parser(sub, (*path, name))


PARSERS = list(every_parser(build_parser()))


def english_in(text: str) -> list[str]:
    # option names and metavars are not prose: --help, --json, --admin-password-file, ARQUIVO
    prose = re.sub(r"--?[\w-]+", "", text)
    return ENGLISH.findall(prose)


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in PARSERS}
    assert {"", "init", "status", "audit verify", "cnes import", "cnes historico", "users unlock"} <= names


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) or "pec-tui" for p, _ in PARSERS])
def test_help_has_no_english(path, parser, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*path, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: pec-tui")
    assert "mostra esta ajuda e sai" in out
    assert english_in(out) == [], out


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) or "pec-tui" for p, _ in PARSERS])
def test_usage_errors_have_no_english(path, parser, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*path, "--opcao-que-nao-existe"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("uso: pec-tui")
    assert english_in(err) == [], err


@pytest.mark.parametrize(("english", "portuguese"), ERROR_TEMPLATES)
def test_every_argparse_error_template_is_translated(english, portuguese):
    values = {"value": "'x'", "choices": "'a', 'b'", "option": "--j", "matches": "--json, --jota"}
    values |= {"type": "int", "filename": "a.txt", "error": "[Errno 2]"}
    message = (
        english % (("X",) * english.count("%s") + ("'X'",) * english.count("%r"))
        if "%(" not in english
        else english % values
    )
    translated = translate_error(f"argument --x: {message}")
    assert translated.startswith("argumento --x: ")
    assert english_in(translated.removeprefix("argumento --x: ")) == [], translated


def test_version_is_said_in_portuguese(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "mostra a versão do pec-tui e sai" in capsys.readouterr().out
