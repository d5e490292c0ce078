"""The tests' fixed facts: the clock's instant and the installation the ``installation`` fixture makes."""

from __future__ import annotations

import datetime as dt

#: Where every test's clock (and the demo built for the console tests) stands still.
FIXED_NOW = dt.datetime(2026, 11, 20, 9, 0, 0)

#: ``init_installation`` in the ``installation`` fixture: Chapecó/SC, administrator Helena.
ADMIN_CPF = "52998224725"
ADMIN_NAME = "Helena Martins Duarte"
ADMIN_PASSWORD = "Senha1234"
MUNICIPALITY_IBGE = "4204202"  # Chapecó/SC
