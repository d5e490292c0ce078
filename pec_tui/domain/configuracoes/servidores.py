"""Servidores (manual 3.1.3): the installation's name and link, and the SMTP server.

* ``NOMEINSTALACAO`` and ``LINKINSTALACAO``: the link is the address (or IP) of the PEC server
  reachable from the internet. Without a port the system uses the default port 80, and the link
  is stored with it (``http://pec.municipio.gov.br:80``), so what is used is what is shown.
  Anything that is not an http(s) address with a host is refused with a message.
* SMTP, for "Esqueci minha senha": host, port, login (an e-mail address), "Usar como e-mail
  remetente" or another sender address, password. "Habilitar" saves only after a real
  connection and login to the server succeeded; "Desabilitar" turns it off and keeps the rest.
  The password is encrypted at rest (:mod:`pec_tui.domain.secret_store`); it is never shown again, never
  logged and never in the audit trail. The SMTP server needs the internet connection enabled.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from pec_tui.core.errors import PecError, ValidationError, os_reason
from pec_tui.domain import secret_store, settings
from pec_tui.domain.configuracoes import conexao, record_setting
from pec_tui.domain.installation import require_installation_admin
from pec_tui.storage.database import transaction

DEFAULT_LINK_PORT = 80
DEFAULT_SMTP_PORT = 587
SMTP_TIMEOUT_SECONDS = 15.0
NAME_MAX = 100

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HOST_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


# --------------------------------------------------------------------------------------------
# Servidor da instalação
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallationServer:
    name: str
    link: str


def installation_server() -> InstallationServer:
    return InstallationServer(
        settings.get_text(settings.INSTALLATION_NAME) or "",
        settings.get_text(settings.INSTALLATION_LINK) or "",
    )


def valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if len(host) > 253 or host.replace(".", "").isdigit():  # "300.1.1.1" is no IP and no name
        return False
    return all(_HOST_LABEL_RE.match(label) for label in host.rstrip(".").split("."))


def normalize_link(text: str | None) -> str:
    """The installation link as stored: ``scheme://host:port[/path]``; port 80 when none is given."""
    value = (text or "").strip()
    field = "link"
    if not value:
        raise ValidationError("Informe o link da instalação (o endereço ou IP do servidor PEC).", field)
    if any(char.isspace() for char in value):
        raise ValidationError("O link da instalação não pode ter espaços.", field)
    if "://" not in value:
        value = f"http://{value}"
    parts = urlsplit(value)
    example = "por exemplo, http://pec.municipio.gov.br:8080 ou http://200.10.20.30"
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(f"O link da instalação deve começar com http:// ou https:// ({example}).", field)
    if parts.username or parts.password:
        raise ValidationError("O link da instalação não pode ter usuário nem senha.", field)
    host = parts.hostname or ""
    if not host or not valid_host(host):
        raise ValidationError(f"O endereço do servidor no link não é válido ({example}).", field)
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("A porta do link deve ser um número de 1 a 65535.", field) from None
    if port is None and re.search(r":\]?$|:$", parts.netloc):
        raise ValidationError("A porta do link está vazia; informe-a depois dos dois-pontos ou retire-os.", field)
    if port == 0:
        raise ValidationError("A porta do link deve ser um número de 1 a 65535.", field)
    if parts.query or parts.fragment:
        raise ValidationError("O link da instalação não pode ter ? nem #.", field)
    shown_host = f"[{host}]" if ":" in host else host
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{shown_host}:{port or DEFAULT_LINK_PORT}{path}"


def link_port(link: str) -> int:
    """The port a stored link uses (80 when it has none, as PEC does)."""
    return urlsplit(link).port or DEFAULT_LINK_PORT


def save_installation_server(name: str, link: str, *, by_user_id: int | None) -> InstallationServer:
    clean_name = " ".join((name or "").split())
    if not clean_name:
        raise ValidationError("Informe o nome da instalação.", "nome")
    if len(clean_name) > NAME_MAX:
        raise ValidationError(f"O nome da instalação pode ter até {NAME_MAX} caracteres.", "nome")
    clean_link = normalize_link(link)
    require_installation_admin(by_user_id)
    with transaction():
        before = installation_server()
        if clean_name != before.name:
            settings.put(settings.INSTALLATION_NAME, text=clean_name)
            record_setting(
                by_user_id, settings.INSTALLATION_NAME, f"Nome da instalação: {before.name or '—'} → {clean_name}."
            )
        if clean_link != before.link:
            settings.put(settings.INSTALLATION_LINK, text=clean_link)
            record_setting(
                by_user_id, settings.INSTALLATION_LINK, f"Link da instalação: {before.link or '—'} → {clean_link}."
            )
    return installation_server()


# --------------------------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """What is stored (never the password itself: only whether there is one)."""

    host: str = ""
    port: int = DEFAULT_SMTP_PORT
    login: str = ""
    sender: str = ""  # empty: the login is the sender
    has_password: bool = False
    enabled: bool = False

    @property
    def use_login_as_sender(self) -> bool:
        return not self.sender

    @property
    def sender_address(self) -> str:
        return self.sender or self.login


@dataclass(frozen=True)
class SmtpForm:
    """What the administrator typed (the password goes separately, never kept in a form)."""

    host: str
    port: str | int
    login: str
    use_login_as_sender: bool = True
    sender: str = ""


def smtp_config() -> SmtpConfig:
    return SmtpConfig(
        host=settings.get_text(settings.SMTP_HOST) or "",
        port=settings.get_int(settings.SMTP_PORT, DEFAULT_SMTP_PORT) or DEFAULT_SMTP_PORT,
        login=settings.get_text(settings.SMTP_LOGIN) or "",
        sender=settings.get_text(settings.SMTP_SENDER) or "",
        has_password=bool(settings.get_text(settings.SMTP_PASSWORD_ENCRYPTED)),
        enabled=settings.get_flag(settings.SMTP_ENABLED),
    )


def is_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value or ""))


def check_smtp_form(form: SmtpForm) -> SmtpConfig:
    """The form checked field by field (``ValidationError.field`` names the wrong one)."""
    host = (form.host or "").strip()
    if not host:
        raise ValidationError("Informe o endereço do servidor de e-mail (SMTP).", "smtp_servidor")
    if not valid_host(host):
        raise ValidationError(f"O endereço do servidor SMTP '{host}' não é válido.", "smtp_servidor")
    port_text = str(form.port).strip()
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValidationError("A porta do servidor SMTP deve ser um número de 1 a 65535 (em geral 587).", "smtp_porta")
    login = (form.login or "").strip()
    if not is_email(login):
        raise ValidationError("Informe no login o endereço de e-mail usado para acessar o servidor SMTP.", "smtp_login")
    sender = ""
    if not form.use_login_as_sender:
        sender = (form.sender or "").strip()
        if not is_email(sender):
            raise ValidationError(
                'Informe um e-mail remetente válido, ou marque "Usar como e-mail remetente".', "smtp_remetente"
            )
    return SmtpConfig(host, int(port_text), login, sender)


def smtp_login_test(host: str, port: int, login: str, password: str, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
    """Connect and log in (STARTTLS when offered; implicit TLS on port 465). Raises
    :class:`PecError` with the reason in Portuguese. No database."""
    where = f"{host}:{port}"
    context = ssl.create_default_context()
    client: smtplib.SMTP | None = None
    try:
        if port == 465:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        client.ehlo()
        if port != 465 and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        _login(client, login, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise PecError(
            f"O servidor SMTP {where} recusou o login ou a senha (código {exc.smtp_code}); confira-os."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise PecError(f"O servidor SMTP {where} não oferece autenticação (AUTH) nesta conexão.") from None
    except smtplib.SMTPException as exc:
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            raise PecError(f"O servidor SMTP {where} encerrou a conexão antes do login.") from None
        code = getattr(exc, "smtp_code", None)
        raise PecError(f"O servidor SMTP {where} respondeu com erro{f' {code}' if code else ''}.") from None
    except ssl.SSLCertVerificationError as exc:
        raise PecError(f"O certificado TLS do servidor SMTP {where} não foi aceito: {exc.verify_message}.") from None
    except ssl.SSLError as exc:
        raise PecError(f"Falha na negociação TLS com o servidor SMTP {where}: {exc.reason or exc}.") from None
    except socket.gaierror:
        raise PecError(f"Não foi possível encontrar o servidor SMTP {host} (falha de DNS).") from None
    except ConnectionRefusedError:
        raise PecError(f"Conexão recusada pelo servidor SMTP {where}: nada atende nessa porta.") from None
    except TimeoutError:
        raise PecError(f"O servidor SMTP {where} não respondeu em {timeout:g} s (tempo esgotado).") from None
    except OSError as exc:
        raise PecError(f"Não foi possível conectar ao servidor SMTP {where}: {os_reason(exc)}.") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _login(client: smtplib.SMTP, login: str, password: str) -> None:
    """``SMTP.login``, except that a login or password beyond ASCII goes as UTF-8 in AUTH PLAIN
    (RFC 4616): smtplib encodes them as ASCII and would fail on "Ç"."""
    if (login + password).isascii():
        client.login(login, password)
        return
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    mechanisms = (client.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" not in mechanisms:
        raise PecError(
            "A senha ou o login tem caracteres acentuados e o servidor SMTP não aceita AUTH PLAIN; "
            "use só caracteres sem acento."
        )
    payload = base64.b64encode(f"\0{login}\0{password}".encode()).decode("ascii")
    code, answer = client.docmd("AUTH", f"PLAIN {payload}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def enable_smtp(form: SmtpForm, password: str | None, *, by_user_id: int | None) -> SmtpConfig:
    """ "Habilitar": test the connection and the login, then save (password encrypted) and enable.

    An empty ``password`` uses the one stored, if any. Nothing is saved when the test fails."""
    config = check_smtp_form(form)
    require_installation_admin(by_user_id)
    conexao.require_internet("habilitar o servidor SMTP")
    secret = password or ""
    if not secret:
        token = settings.get_text(settings.SMTP_PASSWORD_ENCRYPTED)
        if not token:
            raise ValidationError("Informe a senha de acesso ao servidor SMTP.", "smtp_senha")
        secret = secret_store.decrypt(token)
    smtp_login_test(config.host, config.port, config.login, secret)  # outside any transaction
    token = secret_store.encrypt(secret) if password else None
    with transaction():
        settings.put(settings.SMTP_HOST, text=config.host)
        settings.put(settings.SMTP_PORT, integer=config.port)
        settings.put(settings.SMTP_LOGIN, text=config.login)
        settings.put(settings.SMTP_SENDER, text=config.sender or None)
        if token is not None:
            settings.put(settings.SMTP_PASSWORD_ENCRYPTED, text=token)
        settings.put_flag(settings.SMTP_ENABLED, True)
        record_setting(
            by_user_id,
            settings.SMTP_ENABLED,
            f"Servidor SMTP habilitado após teste de conexão bem sucedido: {config.host}:{config.port}, "
            f"login {config.login}, remetente {config.sender_address}"
            f"{', senha alterada' if token is not None else ''}.",
        )
    return smtp_config()


def disable_smtp(*, by_user_id: int | None) -> SmtpConfig:
    require_installation_admin(by_user_id)
    with transaction():
        if not settings.get_flag(settings.SMTP_ENABLED):
            raise PecError("O servidor SMTP já está desabilitado.")
        settings.put_flag(settings.SMTP_ENABLED, False)
        record_setting(
            by_user_id, settings.SMTP_ENABLED, 'Servidor SMTP desabilitado: "Esqueci minha senha" indisponível.'
        )
    return smtp_config()
