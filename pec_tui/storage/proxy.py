"""The one database handle every model is bound to.

Kept apart from :mod:`pec_tui.storage.models` so that opening the database (and drawing the
login screen) does not have to define the ~60 models first; the models import it from here.
"""

from __future__ import annotations

from peewee import DatabaseProxy

database_proxy = DatabaseProxy()
