"""``python -m pec_tui.cli``: the same as the ``pec-tui`` command."""

import sys

from pec_tui.cli import main

sys.exit(main())
