"""Gestão municipal (manual 3.11), the municipal administrator's: today the Configuração RNDS tab
(:mod:`.rnds`). The agenda padrão, grupos de exames and tipos de serviço tabs are not built yet
(issue 12), so they are not shown."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from pec_tui.domain import certificados
from pec_tui.screens.base import PecScreen
from pec_tui.screens.gestao_municipal.rnds import RndsTab

HELP_RNDS = (
    "Configuração RNDS (manual, seções 3.11.4 e 3.12). Quando o administrador municipal habilita o acesso, o "
    "profissional de saúde acessa o Conecte SUS Profissional pelo PEC, no atendimento do cidadão.\n\n"
    "Município que NÃO possui certificado digital A1 (3.12.1):\n"
    "1. Acesse a área restrita do e-Gestor AB com o login e a senha do gestor municipal.\n"
    '2. Escolha o sistema "INTEGRAÇÃO PORTAL DE SERVIÇOS DATASUS".\n'
    '3. Preencha o formulário (CPF e nome do responsável, estabelecimento) e clique em "Gerar Token". '
    "O token vale até as 23:59 do dia em que foi gerado; o CPF que gera o token deve ser o mesmo que faz a "
    "solicitação.\n"
    "4. Copie a contra-chave desta aba (botão Copiar, ou copie-a da tela).\n"
    "5. Com o token e a contra-chave, solicite o acesso à RNDS no Portal de Serviços do DATASUS.\n"
    "6. Após a homologação, baixe o arquivo gerado.\n\n"
    "Município que POSSUI certificado digital A1 (3.12.2): não precisa de token nem da contra-chave. "
    'No Portal de Serviços do DATASUS, preencha o formulário e, na aba "Certificado digital", escolha '
    '"Certificado A1 (.pfx)". ATENÇÃO: não carregue o certificado .cer.\n\n'
    "Nos dois casos (3.12.3 e 3.12.4): o administrador da instalação coloca o certificado (.pfx ou .p12) "
    "na pasta chaves (módulo Certificados do console); aqui, escolha o certificado, informe a senha e o "
    'identificador solicitante obtido no Portal de Serviços e clique em "Habilitar". O acesso só é habilitado '
    "se o certificado abrir com a senha, tiver a chave privada e estiver válido; senão, o motivo aparece no "
    'campo. "Desabilitar" (3.12.5) tira o botão de acesso à RNDS do atendimento.\n\n'
    "Tab passa de um campo ao outro; Enter aciona o botão. Na linha de comando: pec-tui rnds status."
)


class MunicipalManagementScreen(PecScreen):
    CSS_PATH = "gestao_municipal.tcss"
    TITLE_TEXT = "Gestão municipal"
    HELP = (
        "Gestão municipal (manual, seção 3.11), do administrador municipal. Neste console: a Configuração "
        "RNDS. As abas Configuração da agenda padrão, Grupos de exames e Tipos de serviço ainda não estão "
        "no console.\n\n" + HELP_RNDS
    )

    def __init__(self) -> None:
        super().__init__(name="gestao_municipal")

    FIELDS = dict(RndsTab.FIELDS)  # the tabs' fields, gathered: a refusal lands on its field

    @property
    def localidade_id(self) -> int | None:
        session = self.session
        return session.municipal_admin_of[0].id if session and session.municipal_admin_of else None

    @property
    def chaves_folder(self) -> Path | None:
        info = self.pec_app.installation
        return certificados.folder_for(self.pec_app.pec_home, demo=bool(info and info.demo))

    def compose_body(self) -> ComposeResult:
        with (
            Vertical(id="gestao", classes="module-body"),
            TabbedContent(id="gestao-tabs"),
            TabPane(RndsTab.TITLE, id="rnds"),
        ):
            yield RndsTab(id="rnds-tab")
