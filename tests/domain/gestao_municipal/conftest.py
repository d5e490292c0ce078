"""The municipality of the Gestão municipal tests, with its municipal administrator."""

from __future__ import annotations

import pytest

from pec_tui.domain.installation import OWN_DATABASE_KEY
from pec_tui.storage.database import transaction
from pec_tui.storage.models import (
    ActorRole,
    ConsoleSetting,
    InstallationMunicipality,
    MunicipalAdmin,
    Professional,
    SystemConfig,
)
from tests.support.constants import FIXED_NOW


@pytest.fixture
def municipality(installation) -> int:
    """The installation's municipality, with its municipal administrator (Helena's professional)."""
    localidade = InstallationMunicipality.select().first().localidade_id
    professional = Professional.select().first()
    with transaction():
        role = ActorRole.create(kind=ActorRole.MUNICIPAL_ADMIN, professional=professional, active=True)
        MunicipalAdmin.create(role=role, localidade=localidade, added_at=FIXED_NOW)
    return localidade


def as_pec_installation() -> None:
    """Take away pec-tui's own-database mark: the database now reads as a PEC installation's."""
    with transaction():
        for model in (ConsoleSetting, SystemConfig):
            model.delete().where(model.key == OWN_DATABASE_KEY).execute()
