"""What the installation is, read before the console's first frame: its active municipalities,
the header's summary and the login screen's start data.

Kept apart from :mod:`pec_tui.domain.installation` (which creates and changes the installation, with
audit, passwords and migrations behind it) so that the console's start imports only settings
and the models. :mod:`pec_tui.domain.installation` re-exports every name.
"""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.domain import settings
from pec_tui.storage.models import ActorRole, InstallationMunicipality, Localidade, MunicipalAdmin, State


def installation_municipalities() -> list[Localidade]:
    """The municipalities this installation serves: those with an active responsible
    (``tb_adm_municipal``, as PEC knows them) and those pec-tui activated (``init``)."""
    activated = InstallationMunicipality.select(InstallationMunicipality.localidade).where(
        InstallationMunicipality.active == True
    )
    administered = (
        MunicipalAdmin.select(MunicipalAdmin.localidade)
        .join(ActorRole)
        .where(MunicipalAdmin.deactivated_at.is_null() & (ActorRole.active == True))
    )
    return list(
        Localidade.select(Localidade, State)
        .join(State)
        .where(Localidade.id.in_(activated) | Localidade.id.in_(administered))
        .order_by(Localidade.name)
    )


@dataclass(frozen=True)
class InstallationSummary:
    """What the console's header shows about the installation."""

    name: str
    municipalities: tuple[str, ...]
    demo: bool
    training: bool

    @property
    def production(self) -> bool:
        """A real installation: neither the demo nor a training base."""
        return not (self.demo or self.training)

    @property
    def municipalities_label(self) -> str:
        if not self.municipalities:
            return "nenhum município"
        if len(self.municipalities) == 1:
            return self.municipalities[0]
        return f"{self.municipalities[0]} e mais {len(self.municipalities) - 1}"


def summary() -> InstallationSummary:
    return InstallationSummary(
        name=settings.get_text(settings.INSTALLATION_NAME) or "Instalação sem nome",
        municipalities=tuple(m.label for m in installation_municipalities()),
        demo=settings.get_flag(settings.DEMO),
        training=settings.get_flag(settings.TRAINING),
    )


@dataclass(frozen=True)
class ConsoleStart:
    """What the console needs before its first frame: the header's summary (which says whether
    this is the demo, whose accounts the login screen then shows) and the security settings."""

    summary: InstallationSummary
    security: settings.SecuritySettings


def console_start() -> ConsoleStart:
    """Read :class:`ConsoleStart` (three small queries)."""
    return ConsoleStart(summary(), settings.security())
