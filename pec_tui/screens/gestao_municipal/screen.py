"""Gestão municipal (manual 3.11), the municipal administrator's: its four tabs in the manual's
order, one widget each — Configuração da agenda padrão (:mod:`.agenda_padrao`), Grupos de exames
(:mod:`.grupos_exames`), Tipos de serviço (:mod:`.tipos_servico`) and Configuração RNDS
(:mod:`.rnds`). F1 explains the tab in front, in the manual's words."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from pec_tui.domain import certificados
from pec_tui.domain.gestao_municipal import agenda_padrao, grupos_exames
from pec_tui.screens.base import PecScreen
from pec_tui.screens.gestao_municipal.agenda_padrao import AgendaTab
from pec_tui.screens.gestao_municipal.grupos_exames import ExamGroupsTab
from pec_tui.screens.gestao_municipal.rnds import RndsTab
from pec_tui.screens.gestao_municipal.tipos_servico import ServiceTypesTab

HELP_AGENDA = (
    "Configuração da agenda padrão (manual, seção 3.11.1). Configura um horário padrão de atendimento de todos "
    'os profissionais da unidade de saúde para cada dia da semana, incluindo sábado e domingo (opção "Mostrar '
    'fim de semana"). Informe o início e o fim (HH:MM) de cada período — manhã, tarde e noite — e clique em '
    '"Salvar". Um período precisa de início e fim, o fim depois do início, e os períodos de um dia não podem '
    'se sobrepor: a recusa aparece na linha do dia. Sem "Mostrar fim de semana", sábado e domingo ficam sem '
    "horário.\n\n"
    "Também é possível configurar a duração padrão do agendamento (duração padrão da consulta), em minutos. "
    "As lotações que possuem CBOs com duração do agendamento customizada (módulo CBO) não usam a duração "
    "padrão. A agenda do profissional com uma só lotação parte deste horário-padrão (seção 3.5.5).\n\n"
    + agenda_padrao.NOT_ON_PEC
)
HELP_GRUPOS = (
    "Grupos de exames (manual, seção 3.11.2). Os grupos de exames são apresentados no módulo de solicitação de "
    'exames durante o atendimento no PEC, em "Opções rápidas", filtrados de acordo com a idade e o sexo do '
    "cidadão em atendimento.\n\n"
    'Para criar um grupo, clique em "Adicionar grupo de exames" (tecla a), informe o "Nome do grupo", a '
    'quem ele se aplica (sexo e idades) e selecione os exames (espaço marca); conclua em "Adicionar". A lista '
    "de exames mostra só os que se aplicam ao sexo e às idades do grupo (códigos SIGTAP). Os grupos também podem "
    "ser editados (tecla e) ou excluídos (tecla Delete). Um nome já usado por outro grupo do município é "
    "recusado.\n\n" + grupos_exames.NOT_ON_PEC
)
HELP_TIPOS = (
    'Tipos de serviço (manual, seção 3.11.3). Na aba "Tipos de serviço", é possível adicionar, editar e excluir '
    "os tipos de serviços de saúde disponíveis para o município.\n\n"
    'Para adicionar, clique em "Adicionar tipo de serviço" (tecla a), informe o nome do tipo de serviço e '
    'clique em "Adicionar" para concluir. Para editar, escolha a linha e use "Editar" (tecla e); para '
    'excluir, "Excluir" (tecla Delete), que pede confirmação.\n\n'
    "Os tipos padrão do PEC vêm com o sistema e não podem ser editados nem excluídos. Um tipo oferecido por "
    'unidades de saúde (importado do SCNES, seção 3.4.2) não pode ser excluído: a coluna "Oferecido por" diz '
    "por quantas."
)

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
    TABBED = "#gestao-tabs"
    INTRO = (
        "Gestão municipal (manual, seção 3.11): funcionalidades que somente o administrador municipal acessa — "
        "Configuração da agenda padrão dos profissionais, Grupos de exames, Tipos de serviço e Configuração RNDS. "
        "Na barra de abas, as setas ou as teclas 1 a 4 trocam de aba; Tab passa ao próximo campo, Shift+Tab "
        "volta, Enter aciona o botão em foco. Esc num campo volta à barra de abas; Esc na barra de abas volta ao "
        "início.\n\n"
    )
    TAB_HELP = {"agenda": HELP_AGENDA, "grupos": HELP_GRUPOS, "tipos": HELP_TIPOS, "rnds": HELP_RNDS}

    def __init__(self) -> None:
        super().__init__(name="gestao_municipal")

    FIELDS = {**AgendaTab.FIELDS, **RndsTab.FIELDS}  # the tabs' fields: a refusal lands on its field

    @property
    def HELP(self) -> str:
        """The module's words, then the tab in front's."""
        try:
            active = self.query_one("#gestao-tabs", TabbedContent).active
        except Exception:  # before compose
            active = "agenda"
        return self.INTRO + self.TAB_HELP.get(active, HELP_AGENDA)

    @property
    def localidade_id(self) -> int | None:
        session = self.session
        return session.municipal_admin_of[0].id if session and session.municipal_admin_of else None

    @property
    def chaves_folder(self) -> Path | None:
        info = self.pec_app.installation
        return certificados.folder_for(self.pec_app.pec_home, demo=bool(info and info.demo))

    def compose_body(self) -> ComposeResult:
        with Vertical(id="gestao", classes="module-body"), TabbedContent(id="gestao-tabs"):
            with TabPane(AgendaTab.TITLE, id="agenda"):
                yield AgendaTab(id="agenda-tab")
            with TabPane(ExamGroupsTab.TITLE, id="grupos"):
                yield ExamGroupsTab(id="grupos-tab")
            with TabPane(ServiceTypesTab.TITLE, id="tipos"):
                yield ServiceTypesTab(id="tipos-tab")
            with TabPane(RndsTab.TITLE, id="rnds"):
                yield RndsTab(id="rnds-tab")
