"""Lint finds an error exactly where `promtool check rules` (Prometheus 2.42, the real binary)
refuses a file: on Prometheus's own rule fixtures (model/rulefmt/testdata and promtool's
cmd/promtool/testdata, at v2.42.0 and at main), on probes of each kind of mistake, on the shared
corpus (PrometheusRule objects unwrapped for promtool) and on 300 mutated corpus files. The
verdicts are the oracle: a file promtool accepts gets no error, a file it refuses gets one."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from stackgen.lint import lint
from tests.helpers import SHARED, run_tool
from tests.lint.rule_mutants import corpus_files, mutant

HERE = Path(__file__).parent / "promtool"
FIXTURES = sorted(p for p in (HERE / "prometheus").iterdir() if p.suffix in (".yml", ".yaml"))
PROBES = sorted((HERE / "probes").iterdir())
CORPUS = [
    *sorted(p for p in (SHARED / "corpus" / "rules").rglob("*") if p.suffix in (".yml", ".yaml")),
    *sorted((SHARED / "corpus" / "slo" / "sloth" / "_gen").glob("*.yml")),
]
MUTANTS = 300
SEED = 17


def promtool_accepts(files: list[Path]) -> dict[Path, bool]:
    """promtool's verdict on each file, from one run (without its duplicate-rule lint, which
    only warns)."""
    done = run_tool("promtool", "check", "rules", "--lint=none", *map(str, files))
    verdicts: dict[Path, bool] = {}
    current: Path | None = None
    for line in done.stdout.splitlines():
        if found := re.match(r"Checking (.*)$", line):
            current = Path(found.group(1))
            verdicts[current] = False
        elif current is not None and line.strip().startswith("SUCCESS"):
            verdicts[current] = True
    assert set(verdicts) == set(files), done.stdout[-2000:]
    return verdicts


def as_promtool_reads(path: Path, folder: Path) -> list[Path]:
    """The file, or for PrometheusRule objects each one's `spec` as a plain rule file."""
    text = path.read_text(encoding="utf-8")
    if "kind: PrometheusRule" not in text:
        return [path]
    plain = []
    for index, document in enumerate(yaml.safe_load_all(text)):
        if document:
            target = folder / f"{path.stem}-{index}.yml"
            target.write_text(yaml.safe_dump(document["spec"], sort_keys=False))
            plain.append(target)
    return plain


def disagreements(files: list[Path], folder: Path) -> list[str]:
    """Each file where lint's errors and promtool's verdict disagree, with lint's findings."""
    readings = {path: as_promtool_reads(path, folder) for path in files}
    verdicts = promtool_accepts([p for plain in readings.values() for p in plain])
    found = []
    for path, plain in readings.items():
        accepted = all(verdicts[p] for p in plain)
        errors = [str(f) for f in lint([path]) if f.severity == "error"]
        if accepted == bool(errors):
            found.append(f"{path.name}: promtool {'accepts' if accepted else 'refuses'}; {errors}")
    return found


@pytest.mark.slow
def test_prometheus_fixtures_and_probes_get_promtools_verdict(tmp_path):
    assert len(FIXTURES) > 50 and len(PROBES) > 70
    assert disagreements([*FIXTURES, *PROBES], tmp_path) == []


@pytest.mark.slow
@pytest.mark.corpus
def test_the_corpus_gets_promtools_verdict(tmp_path):
    assert len(CORPUS) > 130
    assert disagreements(CORPUS, tmp_path) == []


@pytest.mark.slow
@pytest.mark.corpus
def test_mutated_corpus_files_get_promtools_verdict(tmp_path):
    rng = random.Random(SEED)
    sources = corpus_files()
    files = []
    for index in range(MUTANTS):
        path = tmp_path / f"mutant-{index:03}.yml"
        path.write_text(mutant(rng.choice(sources), rng), encoding="utf-8")
        files.append(path)
    assert disagreements(files, tmp_path) == []
