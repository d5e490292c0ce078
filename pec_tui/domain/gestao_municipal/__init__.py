"""Gestão municipal (manual 3.11): the municipal administrator's tabs, one file each
(``rnds``: Configuração RNDS)."""
