"""How every Jinja environment of stackgen reads templates: an undefined variable is an error,
nothing is escaped (values go through the filters instead), and block tags leave no blank lines."""

from __future__ import annotations

from typing import Any

import jinja2

TEMPLATE_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "autoescape": False,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    # templates do not change during a run: no stat of the file for each of 50,000 outputs
    "auto_reload": False,
}
