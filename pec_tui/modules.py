"""The one table of modules: the administration modules of chapter 3, who may open them
(section 3, introduction) and the screen that opens each.

A module's ``key`` names its files in every layer: ``domain/<key>.py`` (or the package
``domain/<key>/``) holds its rules, ``screens/<key>.py`` (or ``screens/<key>/``) its screen.
``screen`` is written ``"package.module:ClassName"`` so a screen is imported only when first
opened (start-up stays fast); a module without one opens the "em construção" screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from pec_tui.domain.accounts import LoggedUser

INSTALLATION = "Administração da instalação"
MUNICIPAL = "Administração municipal"
CONSOLE = "Console do servidor"


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    manual_section: str
    summary: str
    installation_admin: bool = False
    municipal_admin: bool = False
    console: bool = False
    #: ``"package.module:ClassName"`` of the module's screen; ``None`` while it is being built.
    screen: str | None = None


MODULES: tuple[Module, ...] = (
    Module("auditoria", "Auditoria", "3.9", "Trilhas de auditoria: quem fez o quê, e quando.", municipal_admin=True),
    Module(
        "cbo",
        "CBO",
        "3.2",
        "Ocupações disponíveis para lotação e duração da consulta.",
        municipal_admin=True,
        screen="pec_tui.screens.cbo:CboScreen",
    ),
    Module(
        "cnes",
        "CNES",
        "3.3",
        "Importação do arquivo XML do SCNES e histórico de importações.",
        installation_admin=True,
        municipal_admin=True,
        screen="pec_tui.screens.cnes:CnesScreen",
    ),
    Module(
        "configuracoes",
        "Configurações da instalação",
        "3.1",
        "Conexão, segurança, servidores, municípios e responsáveis, configurações avançadas.",
        installation_admin=True,
        screen="pec_tui.screens.configuracoes:ConfigurationScreen",
    ),
    Module(
        "gestao_municipal",
        "Gestão municipal",
        "3.11",
        "Agenda padrão, grupos de exame, tipos de serviço e configuração RNDS.",
        municipal_admin=True,
        screen="pec_tui.screens.gestao_municipal:MunicipalManagementScreen",
    ),
    Module(
        "importar_cidadao",
        "Importar cidadão",
        "3.8",
        "Importação de cadastros de cidadãos (arquivo .zip).",
        municipal_admin=True,
    ),
    Module(
        "perfis", "Perfis", "3.6", "Perfis de acesso padrão e personalizados, e seus recursos.", municipal_admin=True
    ),
    Module(
        "profissionais",
        "Profissionais",
        "3.5",
        "Profissionais, usuários, lotações, desbloqueio de senha.",
        installation_admin=True,
        municipal_admin=True,
    ),
    Module("relatorios", "Relatórios", "3.7.6", "Configuração de impressão dos relatórios.", installation_admin=True),
    Module(
        "transmissao",
        "Transmissão de dados",
        "3.7",
        "Configuração de envio, lotes de envio e recebimento de fichas.",
        installation_admin=True,
        municipal_admin=True,
    ),
    Module(
        "unidades_saude",
        "Unidades de saúde",
        "3.4",
        "Unidades importadas do CNES, equipes e profissionais.",
        municipal_admin=True,
        screen="pec_tui.screens.unidades_saude:UnitsScreen",
    ),
    Module(
        "diagnostico",
        "Diagnóstico do servidor",
        "—",
        "Verificações do servidor: banco, versão, disco, pasta chaves, log do PEC.",
        console=True,
        screen="pec_tui.screens.diagnostico:DoctorScreen",
    ),
    Module(
        "log",
        "Log do PEC",
        "—",
        "Acompanha webserver/logs/pec.log como tail -f, com filtro e níveis destacados.",
        console=True,
        screen="pec_tui.screens.log:LogScreen",
    ),
    Module(
        "certificados",
        "Certificados (pasta chaves)",
        "3.12",
        "Certificados A1 (.pfx/.p12) da pasta chaves e sua validade.",
        console=True,
        screen="pec_tui.screens.certificados:CertificatesScreen",
    ),
    Module(
        "tarefas",
        "Tarefas agendadas",
        "3.7.3",
        "Geração de lotes, processamento de fichas, transmissão e cópias de segurança.",
        console=True,
        screen="pec_tui.screens.tarefas:TarefasScreen",
    ),
)

BY_KEY = {module.key: module for module in MODULES}


def screen_factory(key: str) -> Callable[[], Any] | None:
    """The screen class (a no-argument factory) of module ``key``, or ``None`` while it is being built."""
    target = BY_KEY[key].screen
    if target is None:
        return None
    module_name, _, attribute = target.partition(":")
    return getattr(import_module(module_name), attribute)


def sections_for(user: LoggedUser) -> list[tuple[str, list[Module]]]:
    """The modules this user may open, grouped the way the manual groups them."""
    sections: list[tuple[str, list[Module]]] = []
    if user.installation_admin:
        sections.append((INSTALLATION, [m for m in MODULES if m.installation_admin]))
    if user.municipal_admin:
        sections.append((MUNICIPAL, [m for m in MODULES if m.municipal_admin]))
    if user.installation_admin:
        sections.append((CONSOLE, [m for m in MODULES if m.console]))
    return sections


def allowed(user: LoggedUser) -> list[Module]:
    seen: dict[str, Module] = {}
    for _, modules in sections_for(user):
        for module in modules:
            seen.setdefault(module.key, module)
    return list(seen.values())


def may_open(user: LoggedUser, key: str) -> bool:
    return any(module.key == key for module in allowed(user))
