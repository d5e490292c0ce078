"""The "Compatibilidade com o PEC" check: per module, whether pec-tui reads and writes, only reads,
or cannot work on this database, and why (:mod:`pec_tui.domain.compatibilidade`).

Runs in the caller's thread (it reads the catalogue through the connection)."""

from __future__ import annotations

from pec_tui.domain.diagnostico.report import ERROR, OK, WARNING, Check, make_check, one_sentence

KEY = "compatibilidade_pec"
#: Reasons shown per module in the finding; ``--json`` carries every one.
SHOWN_REASONS = 1

OWN_DATABASE = "Banco próprio do pec-tui (não é um banco do PEC): todos os módulos com leitura e escrita."


def check_compatibility(opened) -> Check:
    from pec_tui.storage.introspection import read_catalogue

    try:
        catalogue = read_catalogue(opened.db)
    except Exception as exc:  # a catalogue that cannot be read is this check's finding, not a crash
        return make_check(
            KEY,
            ERROR,
            f"Não foi possível ler as tabelas e colunas do banco: {one_sentence(exc)}",
            "Confira se o usuário do banco pode ler information_schema e tb_config_sistema; rode o "
            "diagnóstico de novo.",
        )
    return compatibility_check(catalogue)


def compatibility_check(catalogue) -> Check:
    """The check for a catalogue already read."""
    from pec_tui.domain import compatibilidade as compat

    result = compat.assess(catalogue)
    details = {
        "banco_proprio": result.own_database,
        "versao_pec": result.pec_version,
        "modulos": [
            {
                "chave": module.key,
                "titulo": module.title,
                "situacao": module.label,
                "leitura": list(module.read_gaps),
                "escrita": list(module.write_gaps),
            }
            for module in result.modules
        ],
    }
    if result.own_database:
        return make_check(KEY, OK, OWN_DATABASE, **details)
    where = f"Banco do PEC {result.pec_version}"
    unavailable, read_only = result.count(compat.UNAVAILABLE), result.count(compat.READ_ONLY)
    if not unavailable and not read_only:
        return make_check(KEY, OK, f"{where}: todos os {len(result.modules)} módulos funcionam por inteiro.", **details)
    found = f"{where}: dos {len(result.modules)} módulos, {_counts(result)}. " + " ".join(
        _module_sentence(module) for module in result.modules
    )
    if unavailable:
        return make_check(
            KEY,
            ERROR,
            found,
            "Não use os módulos indisponíveis neste banco: o pec-tui ainda não conhece as tabelas e colunas "
            "que eles usam nesta versão do PEC. Atualize o pec-tui; a lista completa das diferenças sai em "
            "'pec-tui doctor --json'.",
            **details,
        )
    return make_check(
        KEY,
        WARNING,
        found,
        "Nos módulos somente leitura, consulte pelo pec-tui e faça as alterações no próprio PEC: uma gravação "
        "do pec-tui não caberia nas colunas desta versão. A lista completa sai em 'pec-tui doctor --json'.",
        **details,
    )


def _counts(result) -> str:
    from pec_tui.domain import compatibilidade as compat

    parts = []
    for state, one, many in (
        (compat.UNAVAILABLE, "indisponível", "indisponíveis"),
        (compat.READ_ONLY, "somente leitura", "somente leitura"),
        (compat.FULL, "disponível", "disponíveis"),
    ):
        count = result.count(state)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} e {parts[-1]}"


def _module_sentence(module) -> str:
    reasons = module.reasons
    if not reasons:
        return f"{module.title}: {module.label}."
    shown = "; ".join(reasons[:SHOWN_REASONS])
    rest = len(reasons) - SHOWN_REASONS
    more = f"; e mais {rest} {'diferença' if rest == 1 else 'diferenças'}" if rest > 0 else ""
    return f"{module.title}: {module.label} ({shown}{more})."
