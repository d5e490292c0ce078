"""A remappable keymap: ``keymap.toml`` in the configuration folder maps binding ids to keys.

# ~/.config/pec-tui/keymap.toml
"app.logout" = "ctrl+o"
"screen.help" = "f1,question_mark"
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_CONFIG_DIR = "PEC_TUI_CONFIG_DIR"


def config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("pec-tui", appauthor=False))


def describe_keymap_error(exc: Exception) -> str:
    """Why the keymap file could not be read, in Portuguese."""
    from pec_tui.core.errors import describe_error

    if isinstance(exc, (OSError, UnicodeDecodeError)):
        return describe_error(exc)
    import re

    # tomllib says what it expected in English; the place is what helps: "(at line 2, column 14)".
    place = re.search(r"line (\d+), column (\d+)", str(exc))
    where = f" (linha {place.group(1)}, coluna {place.group(2)})" if place else ""
    return f"não é um TOML válido{where}"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The keymap and, when the file is wrong, a Portuguese sentence saying why (keymap ignored)."""
    path = path or config_dir() / "keymap.toml"
    if not path.exists():
        return {}, None
    import tomllib  # only when there is a file: most consoles have none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, f"O arquivo de teclas {path} foi ignorado: {describe_keymap_error(exc)}."
    keymap = {str(key): value for key, value in data.items() if isinstance(value, str)}
    wrong = sorted(str(key) for key, value in data.items() if not isinstance(value, str))
    problem = f"No arquivo de teclas {path}, ignorei {', '.join(wrong)}: o valor deve ser texto." if wrong else None
    return keymap, problem
