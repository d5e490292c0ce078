"""Host checks on the file system (thread pool): free disk space for the installation and the
database, and the ``webserver/chaves`` folder holding the municipality's certificate."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from pec_tui.core.formatting import format_bytes
from pec_tui.domain.diagnostico.facts import Facts
from pec_tui.domain.diagnostico.report import (
    ERROR,
    NO_PEC_HOME,
    OK,
    WARNING,
    Check,
    DoctorConfig,
    make_check,
    worst,
)


def _no_pec_home(key: str, config: DoctorConfig) -> Check:
    where = f" ({config.pec_home})" if config.pec_home else ""
    return make_check(
        key,
        WARNING,
        f"{NO_PEC_HOME[0].upper()}{NO_PEC_HOME[1:]}{where}.",
        "Informe a pasta com --pec-home (padrão /opt/e-SUS).",
    )


def check_disk_pec_home(config: DoctorConfig) -> Check:
    if config.pec_home is None or not config.pec_home.is_dir():
        return _no_pec_home("disco_instalacao", config)
    return _disk("disco_instalacao", config.pec_home, config)


def check_disk_database(facts: Facts, config: DoctorConfig) -> Check:
    if facts.db_dir is None:
        return make_check(
            "disco_banco",
            WARNING,
            f"Não verificado: {facts.db_dir_problem or 'pasta do banco desconhecida'}.",
            "Verifique o espaço com 'df -h' na máquina do banco.",
        )
    return _disk("disco_banco", facts.db_dir, config)


def _disk(key: str, path: Path, config: DoctorConfig) -> Check:
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent  # a data directory we may not enter: measure its nearest parent
    usage = shutil.disk_usage(probe)
    fraction = usage.free / usage.total if usage.total else 0.0
    found = f"{format_bytes(usage.free)} livres de {format_bytes(usage.total)} ({fraction * 100:.0f}%) em {path}."
    details = {"pasta": str(path), "livre_bytes": usage.free, "total_bytes": usage.total}
    if usage.free < config.disk_error_free_bytes or fraction < config.disk_error_free_fraction:
        return make_check(
            key,
            ERROR,
            found,
            "Libere espaço já: apague cópias de segurança antigas ou mova-as para outro disco. "
            "Sem espaço, o banco para de gravar.",
            **details,
        )
    if usage.free < config.disk_warning_free_bytes or fraction < config.disk_warning_free_fraction:
        return make_check(
            key,
            WARNING,
            found,
            "Planeje liberar espaço (cópias de segurança antigas, logs) antes que acabe.",
            **details,
        )
    return make_check(key, OK, found, **details)


def check_chaves(config: DoctorConfig) -> Check:
    if config.pec_home is None or not config.pec_home.is_dir():
        return _no_pec_home("pasta_chaves", config)
    folder = config.pec_home / "webserver" / "chaves"
    if not folder.is_dir():
        return make_check(
            "pasta_chaves",
            WARNING,
            f"A pasta {folder} não existe.",
            f"Crie-a (mkdir {folder}; chmod 700 {folder}) e coloque nela o certificado A1 do município (.pfx ou .p12).",
            pasta=str(folder),
        )
    problems: list[tuple[str, str]] = []  # (status, sentence)
    commands: list[str] = []
    advice: list[str] = []
    mode = folder.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH):
        # Writable by anyone: a certificate can be swapped. Readable: its names can be listed
        # (the files' own permissions decide who reads them).
        what = _world_access(mode)
        problems.append(
            (ERROR if mode & stat.S_IWOTH else WARNING, f"a pasta pode ser {what} por qualquer usuário da máquina")
        )
        commands.append(f"chmod 700 {folder}")
    certificates, cer_files, exposed = [], [], []
    for entry in sorted(folder.iterdir()):
        suffix = entry.suffix.lower()
        if suffix in (".pfx", ".p12"):
            certificates.append(entry.name)
            if entry.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH):
                exposed.append(entry.name)
        elif suffix == ".cer":
            cer_files.append(entry.name)
    if exposed:
        problems.append((ERROR, f"{', '.join(exposed)} pode ser lido por qualquer usuário"))
        commands.append(f"chmod 600 {' '.join(str(folder / name) for name in exposed)}")
    if cer_files:
        problems.append((WARNING, f"{', '.join(cer_files)}: arquivo .cer não é aceito pelo PEC"))
        advice.append("Troque o .cer pelo certificado A1 com a chave privada (.pfx ou .p12).")
    if not certificates:
        problems.append((WARNING, "nenhum certificado .pfx ou .p12"))
        advice.append("Coloque na pasta o certificado A1 do município (.pfx ou .p12).")
    listed = f"Certificados: {', '.join(certificates)}." if certificates else "Nenhum certificado .pfx/.p12."
    details = {
        "pasta": str(folder),
        "permissoes": oct(stat.S_IMODE(mode)),
        "certificados": certificates,
        "arquivos_cer": cer_files,
    }
    if not problems:
        return make_check("pasta_chaves", OK, f"{folder} com permissões restritas. {listed}", **details)
    status = worst(s for s, _ in problems)
    sentence = "; ".join(text for _, text in problems)
    found = f"{folder}: {sentence}." + ("" if not certificates else f" {listed}")
    action = " ".join(([f"Rode: {'; '.join(commands)}."] if commands else []) + advice)
    return make_check("pasta_chaves", status, found, action, **details)


def _world_access(mode: int) -> str:
    words = []
    if mode & stat.S_IROTH:
        words.append("lida")
    if mode & stat.S_IWOTH:
        words.append("alterada")
    if mode & stat.S_IXOTH and not words:
        words.append("aberta")
    return " e ".join(words)
