"""``pec-tui jobs install-service``: the systemd unit that runs the scheduler.

The unit repeats the database options of the command that wrote it (``--pec-home`` or
``--database``) — never a password: a ``postgresql://`` URL with one goes to an
``EnvironmentFile`` (``PEC_TUI_DATABASE``) readable by its owner only, beside the unit.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pec_tui.core.errors import PecError

UNIT_NAME = "pec-tui-jobs.service"
ENV_NAME = "pec-tui-jobs.env"
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")


@dataclass(frozen=True)
class Installed:
    unit: Path
    environment: Path | None
    commands: tuple[str, str] = ("systemctl daemon-reload", f"systemctl enable --now {UNIT_NAME}")


def _write(path: Path, text: str, mode: int) -> None:
    """Temp-then-rename, with ``mode`` from the start (a secret is never readable by others)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def unit_text(exec_args: list[str], *, user: str | None, environment: Path | None) -> str:
    lines = [
        "[Unit]",
        "Description=pec-tui: tarefas agendadas do e-SUS APS PEC",
        "After=network-online.target postgresql.service",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={shlex.join(exec_args)}",
        "Restart=on-failure",
        "RestartSec=30",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=300",
    ]
    if user:
        lines.append(f"User={user}")
    if environment is not None:
        lines.append(f"EnvironmentFile={environment}")
    lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


def install(
    unit_dir: Path, *, database: str | None, pec_home: str | None, user: str | None, executable: str | None = None
) -> Installed:
    if not unit_dir.is_dir():
        raise PecError(f"A pasta {unit_dir} não existe; crie-a ou indique outra com --unit-dir.")
    program = executable or shutil.which("pec-tui") or sys.argv[0]
    args = [str(Path(program).resolve())]
    environment: Path | None = None
    if pec_home:
        args += ["--pec-home", str(Path(pec_home).resolve())]
    if database:
        parts = urlsplit(database)
        if parts.password:
            environment = unit_dir / ENV_NAME
        elif parts.scheme.lower() == "sqlite":
            args += ["--database", "sqlite:///" + str(Path(database.split("://", 1)[1].removeprefix("/")).resolve())]
        else:
            args += ["--database", database]
    args += ["jobs", "run"]
    unit = unit_dir / UNIT_NAME
    try:
        if environment is not None:
            assert database is not None
            _write(environment, f"PEC_TUI_DATABASE={database}\n", 0o600)
        _write(unit, unit_text(args, user=user, environment=environment), 0o644)
    except PermissionError:
        raise PecError(f"Sem permissão para escrever em {unit_dir}; rode como root (sudo) ou use --unit-dir.") from None
    except OSError as exc:
        raise PecError(f"Não foi possível escrever o serviço em {unit_dir}: {exc.strerror or exc}.") from None
    return Installed(unit, environment)


def verify_unit(unit: Path) -> str | None:
    """``systemd-analyze verify`` of the unit: None when fine or unavailable, else its complaint."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return None
    result = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    complaints = [
        line for line in (result.stderr + result.stdout).splitlines() if str(unit.name) in line or "pec-tui" in line
    ]
    return "\n".join(complaints) if result.returncode != 0 or complaints else None
