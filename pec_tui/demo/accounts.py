"""The demo installation's accounts, and the banner that shows them on the login screen."""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core.validators import format_cpf

DEMO_PASSWORD = "demo1234"


@dataclass(frozen=True)
class DemoAccount:
    cpf: str
    name: str
    role: str
    password: str = DEMO_PASSWORD


# Valid CPFs (check digits) reserved for the demo.
INSTALLATION_ADMIN = DemoAccount("52998224725", "Helena Martins Duarte", "Administrador da instalação")
MUNICIPAL_ADMIN = DemoAccount("11144477735", "Rafael Souza Lima", "Administrador municipal")
BLOCKED_USER = DemoAccount("39053344705", "Carla Nunes Ferreira", "Usuária bloqueada", password="")
FIRST_ACCESS_USER = DemoAccount("16899535009", "Paulo Henrique Alves", "Primeiro acesso (senha: CPF + esus)")

ACCOUNTS = (INSTALLATION_ADMIN, MUNICIPAL_ADMIN)


def credentials_banner() -> str:
    """What the login screen shows on the demo database."""
    lines = ["Demonstração — dados fictícios. Contas:"]
    lines += [f"  {account.role}: CPF {format_cpf(account.cpf)}, senha {account.password}" for account in ACCOUNTS]
    return "\n".join(lines)
