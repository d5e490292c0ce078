"""Configurações avançadas (manual 3.1.5): the number of simultaneous requests the system
processes, and the address the internet connection test asks (Conexão).

Changing the number of requests can harm the system's performance: the manual asks to talk to the
e-SUS APS support first, and the tab says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core.errors import ValidationError
from pec_tui.domain import settings
from pec_tui.domain.configuracoes import conexao, record_setting
from pec_tui.domain.installation import require_installation_admin
from pec_tui.storage.database import transaction

SIMULTANEOUS_REQUESTS_LABEL = "Número de requisições simultâneas processadas"
SIMULTANEOUS_REQUESTS_WARNING = (
    "A alteração do número de requisições pode prejudicar o desempenho do sistema, entre em contato "
    "com o suporte do e-SUS APS para mais informações acessando o Portal de Suporte por meio do link: "
    "http://esusaps.bridge.ufsc.br"
)


@dataclass(frozen=True)
class AdvancedSettings:
    simultaneous_requests: int
    probe_url: str


def advanced() -> AdvancedSettings:
    return AdvancedSettings(settings.simultaneous_requests(), settings.internet_probe_url())


def parse_simultaneous_requests(text: str | int) -> int:
    value = str(text).strip()
    low, high = 1, settings.MAX_SIMULTANEOUS_REQUESTS
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(
            f"{SIMULTANEOUS_REQUESTS_LABEL}: informe um número inteiro de {low} a {high}.", "requisicoes"
        )
    return int(value)


def save_advanced(simultaneous_requests: str | int, probe_url: str, *, by_user_id: int | None) -> AdvancedSettings:
    requests = parse_simultaneous_requests(simultaneous_requests)
    url = conexao.check_probe_url(probe_url)
    require_installation_admin(by_user_id)
    with transaction():
        before = advanced()
        if requests != before.simultaneous_requests:
            settings.put(settings.SIMULTANEOUS_REQUESTS, integer=requests)
            record_setting(
                by_user_id,
                settings.SIMULTANEOUS_REQUESTS,
                f"{SIMULTANEOUS_REQUESTS_LABEL}: {before.simultaneous_requests} → {requests}.",
            )
        if url != before.probe_url:
            settings.put(settings.INTERNET_PROBE_URL, text=url)
            record_setting(
                by_user_id, settings.INTERNET_PROBE_URL, f"Endereço do teste de conexão: {before.probe_url} → {url}."
            )
    return advanced()
