"""Parsing rendered YAML back: the check that an output is valid, and its documents, kept so
that the checks after the render (lint, the dashboards check) need not parse it again."""

from __future__ import annotations

from stackgen.common.yaml_io import load_yaml

try:
    from yaml._yaml import CParser as _RAW_PARSER
except ImportError:  # PyYAML without libyaml
    _RAW_PARSER = None

# Text with more than the parse to check: anchors, aliases, tags, document markers (a second
# document would make yaml.load fail).
_MORE_THAN_PARSED = ("&", "*", "!", "\n---", "\n...")


def check_yaml(text: str) -> None:
    """YAMLError if `text` is not one well-formed YAML document, without making the document:
    libyaml parses it without a Python object per node or event; text
    with anchors, aliases, tags or document markers is loaded. Unlike `load_yaml`, a plain
    scalar that resolves to a number or date is not converted (a template writes every value
    through a filter that quotes text which would not read back as written)."""
    if (
        _RAW_PARSER is None
        or text.startswith(("---", "..."))
        or any(mark in text for mark in _MORE_THAN_PARSED)
    ):
        load_yaml(text)
        return
    _RAW_PARSER(text).raw_parse()
