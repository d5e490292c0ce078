"""CNES import: read the XmlParaESUS export (archive, parser, checks, synthetic files)."""
