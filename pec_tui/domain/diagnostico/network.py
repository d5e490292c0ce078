"""Network checks (thread pool, short timeouts): the installation link answers, the PEC
application is up. One plain GET each, never following redirects."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from pec_tui.core.errors import os_reason
from pec_tui.domain.diagnostico.facts import Facts
from pec_tui.domain.diagnostico.report import ERROR, OK, WARNING, Check, DoctorConfig, make_check


def check_link(facts: Facts, config: DoctorConfig) -> Check:
    if facts.link_error is not None:
        return make_check("link_instalacao", WARNING, f"Não verificado: {facts.link_error}.")
    if facts.link is None:
        return make_check(
            "link_instalacao",
            WARNING,
            "LINKINSTALACAO não está definido.",
            "Informe o link em Configurações da instalação › Servidores (o endereço pelo qual os "
            "usuários abrem o PEC).",
        )
    probe = http_get(facts.link, config.http_timeout)
    if probe.error is not None:
        return make_check(
            "link_instalacao",
            WARNING,
            f"LINKINSTALACAO = {facts.link} não respondeu: {probe.error}.",
            "Se o banco foi restaurado de outra instalação, o link ainda aponta para ela: corrija-o em "
            "Configurações da instalação › Servidores.",
            link=facts.link,
            erro=probe.error,
        )
    if probe.status is not None and probe.status >= 400:  # something answers, but not the PEC's page
        return make_check(
            "link_instalacao",
            WARNING,
            f"LINKINSTALACAO = {facts.link} respondeu HTTP {probe.status}: o endereço não abre o PEC.",
            "Confira o link em Configurações da instalação › Servidores (o endereço pelo qual os usuários "
            "abrem o PEC) e se o PEC atende nesse endereço.",
            link=facts.link,
            http=probe.status,
        )
    return make_check(
        "link_instalacao",
        OK,
        f"LINKINSTALACAO = {facts.link} respondeu (HTTP {probe.status}).",
        link=facts.link,
        http=probe.status,
    )


def check_pec_application(config: DoctorConfig) -> Check:
    url = config.pec_url
    probe = http_get(url, config.http_timeout, read_body=True)
    if probe.error is not None:
        return make_check(
            "aplicacao_pec",
            ERROR,
            f"{url} não respondeu: {probe.error}.",
            "Verifique o serviço: systemctl status e-SUS-PEC; veja o fim de webserver/logs/pec.log "
            "(Console do servidor › Log do PEC).",
            url=url,
            erro=probe.error,
        )
    if probe.status != 200:
        return make_check(
            "aplicacao_pec",
            WARNING,
            f"{url} respondeu HTTP {probe.status}.",
            "O PEC pode estar iniciando; espere alguns minutos. Se continuar, veja o log do PEC.",
            url=url,
            http=probe.status,
        )
    version = _version_in_json(probe.body)
    suffix = f"; versão {version}" if version else ""
    return make_check(
        "aplicacao_pec",
        OK,
        f"Respondeu em {probe.seconds * 1000:.0f} ms{suffix}.",
        url=url,
        http=probe.status,
        versao=version,
    )


def _version_in_json(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if "vers" in str(key).lower() and isinstance(value, (str, int, float)):
                    return str(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return None


@dataclass(frozen=True)
class HttpProbe:
    status: int | None
    seconds: float
    error: str | None = None
    body: bytes = b""


def http_get(url: str, timeout: float, *, read_body: bool = False, max_body: int = 65536) -> HttpProbe:
    """One GET without following redirects: any HTTP answer counts as "answering".

    A link without a port means port 80 (443 for https)."""
    begin = time.monotonic()
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return HttpProbe(None, 0.0, f"o endereço '{url}' não é um link http(s) válido")
    try:
        port = parts.port
    except ValueError:
        return HttpProbe(None, 0.0, f"a porta do endereço '{url}' não é um número válido")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port or 443, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port or 80, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    try:
        connection.request("GET", path, headers={"User-Agent": "pec-tui doctor", "Accept": "*/*"})
        response = connection.getresponse()
        body = response.read(max_body) if read_body else b""
        return HttpProbe(response.status, time.monotonic() - begin, None, body)
    except TimeoutError:
        return HttpProbe(None, time.monotonic() - begin, f"não respondeu em {timeout:g} s")
    except ConnectionRefusedError:
        return HttpProbe(None, time.monotonic() - begin, f"conexão recusada na porta {port or _default_port(parts)}")
    except socket.gaierror:
        return HttpProbe(None, time.monotonic() - begin, f"o nome '{parts.hostname}' não foi encontrado (DNS)")
    except ssl.SSLError as exc:
        return HttpProbe(None, time.monotonic() - begin, f"falha no TLS ({exc.reason or exc})")
    except OSError as exc:
        return HttpProbe(None, time.monotonic() - begin, os_reason(exc))
    except http.client.HTTPException as exc:
        return HttpProbe(None, time.monotonic() - begin, f"resposta HTTP inválida ({type(exc).__name__})")
    finally:
        connection.close()


def _default_port(parts) -> int:
    return 443 if parts.scheme == "https" else 80
