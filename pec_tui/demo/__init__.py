"""The demo installation: its accounts, the fictitious network and the synthetic CNES export."""
