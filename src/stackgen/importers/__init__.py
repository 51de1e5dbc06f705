"""Importers: other tools' SLO specs -> stackgen spec data."""

from stackgen.importers.common import ImportFailed, as_spec_text

__all__ = ["ImportFailed", "as_spec_text"]
