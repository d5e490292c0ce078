"""pec-tui: console de administração do e-SUS APS PEC para o terminal."""

__version__ = "0.1.0"
