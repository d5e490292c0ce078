"""Gestão municipal (manual 3.11): the municipal administrator's tabs, one file each
(``agenda_padrao``: Configuração da agenda padrão; ``grupos_exames``: Grupos de exames;
``tipos_servico``: Tipos de serviço; ``rnds``: Configuração RNDS).

What they share: who may change a municipality's settings (:func:`municipal_admin_role`) and the
municipality's name for messages and the audit trail (:func:`municipality_name`)."""

from __future__ import annotations

from pec_tui.core.errors import PecError
from pec_tui.storage.models import ActorRole, Localidade, MunicipalAdmin, Professional


def municipality_name(localidade_id: int) -> str:
    row = Localidade.get_or_none(Localidade.id == localidade_id)
    return row.name if row else str(localidade_id)


def municipal_admin_role(localidade_id: int, by_user_id: int | None, what: str) -> int:
    """The ``co_ator_papel`` of the municipality's administrator acting (``tb_adm_municipal``);
    anyone else is refused: "Só o administrador municipal do município pode alterar {what}."."""
    query = (
        MunicipalAdmin.select(MunicipalAdmin.role)
        .join(ActorRole)
        .where((MunicipalAdmin.localidade == localidade_id) & (ActorRole.active == True))
    )
    if by_user_id is not None:
        query = query.join(Professional).where(Professional.user == by_user_id)
    row = query.first()
    if row is None:
        raise PecError(f"Só o administrador municipal do município pode alterar {what}.")
    return row.role_id
