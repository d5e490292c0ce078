"""Configurações da instalação (manual 3.1): one file per tab."""
