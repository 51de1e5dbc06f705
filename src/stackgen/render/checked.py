"""`stackgen render` between the spec and OUT: the plain files rendered into a folder (streamed,
see render.stream), the chosen targets built from them, and every check run before OUT is
touched. A check that fails is a stackgen bug (VerifyError), except lint findings on what the
spec's author chose or wrote, which are kept in `design` to be reported."""

from __future__ import annotations

import shutil
import tempfile
from collections import ChainMap
from collections.abc import Sequence
from pathlib import Path

from stackgen.common.values import parse_duration
from stackgen.lint import Finding, lint_staged
from stackgen.lint.dashboards import finish_dashboards
from stackgen.lint.spans import in_alerts, in_groups
from stackgen.lint.summary import lint_settings
from stackgen.plan.grafana import kind_metric_names
from stackgen.plan.imported import imported_group_names
from stackgen.plan.prometheus import custom_alert_names
from stackgen.prometheus.tools import VerifyError, verify_with_tools
from stackgen.render.project import SearchPath
from stackgen.render.stream import Checks, Progress, Written, render_tree
from stackgen.spec.model import Stack
from stackgen.targets import PLAIN, target_files, target_problems
from stackgen.write import FolderFiles, write_files

# Checks of what a spec chose (its routing, where its runbooks are published): its author's
# to fix, not stackgen's.
DESIGN_CHECKS = ("route/", "receiver/", "annotations/runbook-link")


class CheckedRender:
    def __init__(
        self,
        stack: Stack,
        targets: Sequence[str],
        templates: SearchPath = (),
        jobs: int | None = None,
        tools: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self.stack, self.targets, self.templates = stack, targets, templates
        self.jobs, self.tools, self.progress = jobs, tools, progress
        self.digests: dict[str, str] = {}  # of every file written into OUT
        self.missing: list[str] = []  # tools not installed
        self.design: list[Finding] = []  # files relative to OUT
        self._written: dict[str, Written] = {}
        self._plain_root: Path | None = None
        self._elsewhere: str | None = None
        self._target_files: dict[str, bytes] = {}

    def produce(self, staging: Path) -> dict[str, str]:
        """Write the files into `staging` (the plain ones elsewhere when not written); their
        digests. For `writer.write_staged`."""
        if PLAIN in self.targets:
            self._plain_root = staging
        else:  # the plain files are checked even when they are not written
            self._elsewhere = tempfile.mkdtemp(prefix="stackgen-plain-")
            self._plain_root = Path(self._elsewhere)
        checks = Checks(
            lint_settings(self.stack.lint, self._scrape), frozenset(kind_metric_names(self.stack))
        )
        self._written = render_tree(
            self.stack,
            self._plain_root,
            self.templates,
            checks=checks,
            jobs=self.jobs,
            progress=self.progress,
        )
        self._target_files = target_files(self.stack, self._plain, self._other_targets)
        self.digests = write_files(staging, self._target_files)
        if PLAIN in self.targets:
            self.digests |= {path: written.digest for path, written in self._written.items()}
        return self.digests

    def verify(self, staging: Path) -> None:
        """Every check of what `produce` wrote; VerifyError for the first that fails."""
        assert self._plain_root is not None, "produce runs first"
        self._verify_plain(self._plain_root)
        files = ChainMap(self._target_files, self._plain) if PLAIN in self.targets else None
        problems = target_problems(files or self._target_files, self.targets)
        if problems:
            raise VerifyError("the rendered targets break their checks:\n" + "\n".join(problems))

    def cleanup(self) -> None:
        if self._elsewhere is not None:
            shutil.rmtree(self._elsewhere, ignore_errors=True)

    @property
    def _scrape(self) -> float:
        """The interval every Prometheus config of the render has (as the linter reads it)."""
        return parse_duration(self.stack.prometheus.scrape_interval)

    @property
    def _other_targets(self) -> list[str]:
        return [target for target in self.targets if target != PLAIN]

    @property
    def _plain(self) -> FolderFiles:
        assert self._plain_root is not None
        return FolderFiles(self._plain_root, self._written)

    def _verify_plain(self, root: Path) -> None:
        if self.tools:
            self.missing.extend(verify_with_tools(root))
        written = self._written
        records = set().union(*(w.records for w in written.values()))
        dashboards = {path: w.dashboard for path, w in written.items() if w.dashboard is not None}
        problems = finish_dashboards(dashboards, records)
        if problems:
            raise VerifyError("dashboards break their checks:\n" + "\n".join(problems))
        # What stackgen writes is lint-clean. Findings on the routing the spec chose, in the
        # rule groups it keeps as written and in its custom alerts are the spec's to fix
        # (reported, written anyway); any other finding is a stackgen bug. Files OUT keeps
        # that stackgen did not write are linted too (they are in the staging tree).
        summaries = {root / path: w.lint for path, w in written.items() if w.lint is not None}
        findings = lint_staged(
            root,
            summaries,
            config=self.stack.lint,
            scrape=self._scrape,
            alertmanager_version=self.stack.alertmanager.version,
        )
        authored = [
            *in_groups(findings, root, imported_group_names(self.stack)),
            *in_alerts(findings, root, custom_alert_names(self.stack)),
        ]
        bugs = [f for f in findings if not f.check.startswith(DESIGN_CHECKS) and f not in authored]
        if bugs:
            raise VerifyError("`stackgen lint` found:\n" + "\n".join(map(str, bugs)))
        self.design = [
            f._replace(file=Path(f.file).relative_to(root).as_posix())
            for f in findings
            if f not in bugs
        ]
