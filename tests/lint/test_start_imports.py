"""`stackgen lint` on a rule file starts without the standard library modules it has no use
for: dataclasses (which loads inspect, ast, dis, tokenize...), hashlib (OpenSSL's hashes),
decimal and pkgutil. Its classes are NamedTuples or plain classes, and the others are
imported where they are used."""

import json
import subprocess
import sys

# In a fresh interpreter: lints one file, prints its findings and which of those it loaded.
LINT = """
import json, sys
from pathlib import Path
import stackgen.lint, stackgen.lint.config, stackgen.lint.report
findings = stackgen.lint.lint([Path(sys.argv[1])])
unwanted = ("dataclasses", "inspect", "hashlib", "decimal", "pkgutil")
print(json.dumps({
    "checks": [f.check for f in findings],
    "loaded": [name for name in unwanted if name in sys.modules],
}))
"""

RULES = """groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{job="api"} == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.instance }} is down", description: d}
"""


def test_linting_a_rule_file_loads_no_module_it_does_without(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    result = subprocess.run(
        [sys.executable, "-c", LINT, str(tmp_path / "rules.yml")],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")
    out = json.loads(result.stdout)
    assert out["checks"] == ["annotations/required"]  # runbook_url missing: it did lint
    assert out["loaded"] == []
