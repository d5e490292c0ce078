"""The demo installation: an embedded SQLite file of a fictitious municipal network.

It lives beside the domain modules (not in ``storage``) because it is built with them.

Built once by ``pec-tui demo`` through the same domain functions an administrator uses, so
every rule and audit event holds in the demo too. The municipality's units, teams,
professionals and lotações come from importing a generated CNES export (fictitious, layout-valid),
exactly as an administrator imports the real one. Later modules add their own demo data here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pec_tui.core import clock

# The accounts and the login screen's banner live in a light module of their own (the console
# reads the banner before its first frame); re-exported here.
from pec_tui.demo.accounts import (  # noqa: F401
    ACCOUNTS,
    BLOCKED_USER,
    DEMO_PASSWORD,
    FIRST_ACCESS_USER,
    INSTALLATION_ADMIN,
    MUNICIPAL_ADMIN,
    DemoAccount,
    credentials_banner,
)
from pec_tui.domain import installation, settings
from pec_tui.domain.passwords import hash_password
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url, transaction
from pec_tui.storage.models import Professional, User

DEMO_MUNICIPALITY_IBGE = "4204202"  # Chapecó/SC — the data itself is fictitious
DEMO_INSTALLATION_NAME = "PEC Demonstração — Secretaria Municipal de Saúde"
DEMO_PEC_VERSION = "5.3.28"  # fictitious installation; any released 5.x would do

# The demo network, imported from a generated CNES export (pec_tui.demo.cnes_export).
DEMO_CNES_UNITS = 12
DEMO_CNES_PROFESSIONALS = 400
DEMO_CNES_SEED = 4204


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            candidate.unlink()


def create(path: Path) -> None:
    """Write the demo database to ``path`` (a temporary file renamed at the end)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    remove(temporary)
    opened = open_database(DatabaseTarget(sqlite_url(temporary), "demo"), must_exist=False)
    try:
        populate()
        opened.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        opened.db.execute_sql("PRAGMA journal_mode=DELETE")
    finally:
        opened.close()
    os.replace(temporary, path)
    remove(temporary)


def populate() -> None:
    """Fill the open (empty) database with the demo installation."""
    installation.init_installation(
        municipio=DEMO_MUNICIPALITY_IBGE,
        admin_cpf=INSTALLATION_ADMIN.cpf,
        admin_name=INSTALLATION_ADMIN.name,
        admin_password=INSTALLATION_ADMIN.password,
        installation_name=DEMO_INSTALLATION_NAME,
        training=True,
    )
    with transaction():
        settings.put(settings.DEMO, text="true")
        settings.put(settings.INSTALLATION_LINK, text="http://pec.demo.saude.local:8080")
        # A real PEC base carries the version of the application that created it (the doctor checks it).
        settings.put(settings.DATABASE_VERSION, text=DEMO_PEC_VERSION)
    municipality = installation.find_municipality(DEMO_MUNICIPALITY_IBGE)
    admin = _user_with_professional(MUNICIPAL_ADMIN, password=MUNICIPAL_ADMIN.password)
    installation.add_municipal_admin(municipality.id, admin.id, by_user_id=None)
    blocked = _user_with_professional(BLOCKED_USER, password="Senha2024", cns="700000000000005")
    with transaction():
        User.update(blocked=True, failed_attempts=5).where(User.id == blocked.user_id).execute()
    _user_with_professional(FIRST_ACCESS_USER, password=None)
    import_demo_network(installation_admin_user_id=_user_id(INSTALLATION_ADMIN))


def import_demo_network(*, installation_admin_user_id: int | None) -> None:
    """Write the demo municipality's CNES export and import it, as the installation administrator."""
    from pec_tui.demo.cnes_export import write_cnes_file
    from pec_tui.domain.cnes.importer import import_cnes

    municipality = installation.find_municipality(DEMO_MUNICIPALITY_IBGE)
    with tempfile.TemporaryDirectory(prefix="pec-tui-demo-") as folder:
        path = write_cnes_file(
            Path(folder),
            units=DEMO_CNES_UNITS,
            professionals=DEMO_CNES_PROFESSIONALS,
            ibge=DEMO_MUNICIPALITY_IBGE,
            seed=DEMO_CNES_SEED,
            zip=True,
        )
        import_cnes(path, localidade_id=municipality.id, user_id=installation_admin_user_id)


def _user_id(account: DemoAccount) -> int | None:
    user = User.get_or_none(User.login == account.cpf)
    return user.id if user else None


def _user_with_professional(account: DemoAccount, *, password: str | None, cns: str | None = None) -> Professional:
    with transaction():
        now = clock.now()
        user = User.create(
            login=account.cpf,
            password_hash=hash_password(password) if password else None,
            password_changed_at=now.date() if password else None,
            must_change_password=password is None,
            change_password=password is None,
        )
        return Professional.create(cpf=account.cpf, name=account.name, user=user.id, cns=cns)
