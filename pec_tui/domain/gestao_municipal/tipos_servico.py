"""Tipos de serviço (manual 3.11.3): the health service types available to the municipality.

The list holds PEC's default types (``st_interno`` = 1: they ship with PEC and are neither edited
nor deleted) and the municipality's own (``co_localidade``). "Adicionar tipo de serviço": the name;
"Editar": a new name; "Excluir": refused while a health unit offers the type
(``rl_unidade_saude_tipo_servico``, 3.4.2), saying how many. A name already used by a default
type or by another of the municipality's types is refused (upper/lower case and accents ignored).

Where PEC keeps them: ``tb_tipo_servico`` (``no_tipo_servico`` up to 50 characters, its
``*_filtro`` twin). Every column is known, so this tab also writes on a PEC installation (where
``compatibilidade`` finds the table as pec-tui writes it); a deletion that PEC's other tables
still reference (an attendance of that type) is refused by the database and said so.

Audit: "Operação no banco de dados" (table 3.9.1), in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, IntegrityError, fn

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.compatibilidade import require_writable
from pec_tui.domain.gestao_municipal import municipal_admin_role, municipality_name
from pec_tui.storage.database import transaction
from pec_tui.storage.models import ServiceType, UnitServiceType
from pec_tui.storage.search import filter_form

COMPONENT = "pec-tui/gestao_municipal/tipos_servico"
NAME_MAX = 50


@dataclass(frozen=True)
class ServiceTypeRow:
    id: int
    name: str
    default: bool  # PEC's: neither edited nor deleted
    units: int  # health units that offer it

    @property
    def kind(self) -> str:
        return "Padrão do PEC" if self.default else "Do município"


def _is_default(row: ServiceType) -> bool:
    return bool(row.internal)


def list_types(localidade_id: int) -> list[ServiceTypeRow]:
    """PEC's default types and the municipality's, by name, with how many units offer each."""
    units = fn.COUNT(UnitServiceType.unit)
    query = (
        ServiceType.select(ServiceType, units.alias("units"))
        .join(UnitServiceType, JOIN.LEFT_OUTER, on=(UnitServiceType.service_type == ServiceType.id))
        .where((ServiceType.internal == True) | (ServiceType.localidade == localidade_id))
        .group_by(ServiceType)
        .order_by(ServiceType.name_filter, ServiceType.id)
    )
    return [ServiceTypeRow(row.id, row.name, _is_default(row), row.units) for row in query]


def _get(type_id: int, localidade_id: int) -> ServiceTypeRow:
    found = next((row for row in list_types(localidade_id) if row.id == type_id), None)
    if found is None:
        raise PecError("Este tipo de serviço não existe mais; a lista foi atualizada.")
    return found


def _check_name(localidade_id: int, name: str, type_id: int | None = None) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("Informe o nome do tipo de serviço.", "nome")
    if len(clean) > NAME_MAX:
        raise ValidationError(f"O nome do tipo de serviço pode ter até {NAME_MAX} caracteres.", "nome")
    folded = filter_form(clean)
    for row in list_types(localidade_id):
        if row.id != type_id and filter_form(row.name) == folded:
            whose = "padrão do PEC" if row.default else "do município"
            raise ValidationError(f"Já existe o tipo de serviço {row.name} ({whose}).", "nome")
    return clean


def _refuse_default(row: ServiceTypeRow, action: str) -> None:
    if row.default:
        raise PecError(f"{row.name} é um tipo de serviço padrão do PEC: não pode ser {action}.")


def _record(by_user_id: int | None, type_id: int, details: str) -> None:
    audit.record(
        EventType.DATABASE_OPERATION,
        component=COMPONENT,
        user_id=by_user_id,
        record_type=RecordType.CONFIGURATION,
        record_id=f"tipo de serviço {type_id}",
        details=details,
    )


def add(localidade_id: int, name: str, *, by_user_id: int | None) -> ServiceTypeRow:
    """ "Adicionar": a service type of the municipality."""
    require_writable("gestao_municipal")
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "os tipos de serviço")
        clean = _check_name(localidade_id, name)
        row = ServiceType.create(name=clean, name_filter=filter_form(clean), internal=False, localidade=localidade_id)
        _record(by_user_id, row.id, f"Criação de tipo de serviço de {municipality_name(localidade_id)}: {clean}")
    return _get(row.id, localidade_id)


def rename(type_id: int, localidade_id: int, name: str, *, by_user_id: int | None) -> ServiceTypeRow:
    """ "Editar": a new name for one of the municipality's types."""
    require_writable("gestao_municipal")
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "os tipos de serviço")
        before = _get(type_id, localidade_id)
        _refuse_default(before, "editado")
        clean = _check_name(localidade_id, name, type_id)
        if clean != before.name:
            ServiceType.update(name=clean, name_filter=filter_form(clean)).where(ServiceType.id == type_id).execute()
            _record(by_user_id, type_id, f"Alteração de tipo de serviço: {before.name} → {clean}")
    return _get(type_id, localidade_id)


def delete(type_id: int, localidade_id: int, *, by_user_id: int | None) -> ServiceTypeRow:
    """ "Excluir": one of the municipality's types that no unit offers."""
    require_writable("gestao_municipal")
    try:
        with transaction():
            municipal_admin_role(localidade_id, by_user_id, "os tipos de serviço")
            before = _get(type_id, localidade_id)
            _refuse_default(before, "excluído")
            if before.units:
                units = "1 unidade de saúde" if before.units == 1 else f"{before.units} unidades de saúde"
                raise PecError(f"{before.name} é oferecido por {units}: não pode ser excluído.")
            ServiceType.delete().where(ServiceType.id == type_id).execute()
            _record(by_user_id, type_id, f"Exclusão de tipo de serviço: {before.name}")
    except IntegrityError:
        raise PecError(
            "Este tipo de serviço já foi usado em registros do PEC (atendimentos): não pode ser excluído."
        ) from None
    return before
