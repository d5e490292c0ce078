"""CNES import (manual 3.3). Start at :mod:`~pec_tui.domain.cnes.importer`, the public API.

Reading the file: ``archive`` (the ``.zip``/``.xml``), ``parser`` (the XML), ``reader`` (both in a
child process). Applying it: ``run`` (one import, in order), ``units``, ``professionals``,
``lotacoes`` (the rules of each kind of record), ``large_load`` (the per-row checks a large
import switches off). Telling: ``report`` (the report and the history), ``errors``.
"""
