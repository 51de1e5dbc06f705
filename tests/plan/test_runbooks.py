"""Runbook skeletons: one per alert name that links to a generated runbook, none for the rest."""

import textwrap

from stackgen.plan.alerts import service_alerts
from stackgen.plan.runbooks import runbook_artifacts
from tests.helpers import MINIMAL, stack_from

HTTP_ALERTS = [
    "HighAPILatency",
    "HighHTTPErrorRate",
    "HighRequestRate",
    "InstanceDown",
    "ServiceDown",
]

SECOND_SERVICE = """\
  - name: db
    team: data
    kind: database
    targets: {static: ["db:9187"]}
"""


def with_service(extra: str) -> str:
    """MINIMAL with `extra` service keys (YAML at service level) on its `api` service."""
    extra = textwrap.dedent(extra).rstrip("\n") + "\n"
    return MINIMAL.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n" + textwrap.indent(extra, "    ")
    )


def with_db(text: str) -> str:
    return text.replace("channels:\n", SECOND_SERVICE + "channels:\n")


def runbooks(tmp_path, text: str) -> dict:
    """The runbook artifacts of the spec, by alert name."""
    return {a.context["name"]: a for a in runbook_artifacts(stack_from(tmp_path, text))}


def test_every_alert_without_a_runbook_url_gets_a_skeleton_sorted_by_name(tmp_path):
    artifacts = runbook_artifacts(stack_from(tmp_path, MINIMAL))
    assert [a.path for a in artifacts] == [f"runbooks/{name}.md" for name in HTTP_ALERTS]
    assert {a.template for a in artifacts} == {"runbook.md.j2"}


def test_slo_and_custom_alerts_get_skeletons_too(tmp_path):
    text = with_service(
        """\
        slos: [{name: avail, objective: 99.9, sli: {type: uptime}}]
        custom_alerts: [{name: QueueBacklog, expr: q > 1, summary: s, description: d}]
        """
    )
    assert {"AvailabilityViolation", "QueueBacklog"} <= set(runbooks(tmp_path, text))


def test_a_disabled_alert_gets_no_skeleton(tmp_path):
    text = with_service("alerts: {HighRequestRate: {enabled: false}}")
    assert "HighRequestRate" not in runbooks(tmp_path, text)


def test_a_service_runbook_url_means_no_skeleton_for_its_alerts(tmp_path):
    text = with_service("runbook_url: https://wiki.example.com/api")
    assert runbooks(tmp_path, text) == {}


def test_an_alert_runbook_url_means_no_skeleton_for_that_alert_only(tmp_path):
    text = with_service("alerts: {HighAPILatency: {runbook_url: 'https://wiki.example.com/lat'}}")
    assert sorted(runbooks(tmp_path, text)) == [n for n in HTTP_ALERTS if n != "HighAPILatency"]


def test_slo_and_custom_runbook_urls_mean_no_skeleton_for_them(tmp_path):
    text = with_service(
        """\
        slos:
          - {name: avail, objective: 99.9, sli: {type: uptime}, runbook_url: 'https://w.example.com/s'}
        custom_alerts:
          - {name: Backlog, expr: q > 1, summary: s, description: d, runbook_url: 'https://w.example.com/b'}
        """
    )
    assert sorted(runbooks(tmp_path, text)) == HTTP_ALERTS


def test_one_skeleton_covers_every_service_with_that_alert(tmp_path):
    service_down = runbooks(tmp_path, with_db(MINIMAL))["ServiceDown"]
    assert [row["service"] for row in service_down.context["rows"]] == ["api", "db"]


def test_a_skeleton_lists_only_the_services_that_link_to_it(tmp_path):
    text = with_db(with_service("runbook_url: https://wiki.example.com/api"))
    service_down = runbooks(tmp_path, text)["ServiceDown"]
    assert [row["service"] for row in service_down.context["rows"]] == ["db"]


def test_skeletons_are_written_even_when_published_under_runbooks_url(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  runbooks_url: https://git.example.com/runbooks\n"
    )
    stack = stack_from(tmp_path, text)
    skeleton = {a.context["name"]: a for a in runbook_artifacts(stack)}["ServiceDown"]
    assert skeleton.path == "runbooks/ServiceDown.md"
    (alert,) = [a for a in service_alerts(stack, stack.services[0]) if a.name == "ServiceDown"]
    assert alert.runbook_url == "https://git.example.com/runbooks/ServiceDown.md"


WRITTEN = """\
alerts:
  ServiceDown:
    runbook:
      impact: Every user is cut off.
      diagnosis:
        - {step: Is the unit running?, command: systemctl status api}
        - {step: Since when does the scrape fail?, query: 'up{job="api"}'}
      mitigation: [Restart the unit.]
      escalation: [After 5 minutes the engineering manager.]
"""


def rendered_runbook(tmp_path, text: str, name: str) -> str:
    from stackgen.spec import load_stack
    from tests.helpers import render_files, write

    files = render_files(load_stack(write(tmp_path, "spec.yml", text)))
    return files[f"runbooks/{name}.md"].decode()


def test_a_runbook_written_in_the_spec_replaces_the_skeleton(tmp_path):
    text = rendered_runbook(tmp_path, with_service(WRITTEN), "ServiceDown")
    assert "## Impact\n\nEvery user is cut off.\n" in text
    assert "1. Is the unit running?\n\n   ```sh\n   systemctl status api\n   ```\n" in text
    assert '   ```promql\n   up{job="api"}\n   ```\n' in text
    assert "## Mitigation\n\n- Restart the unit.\n" in text
    assert "- After 5 minutes the engineering manager.\n" in text
    assert "_Add" not in text and "skeleton" not in text


def test_alerts_with_nothing_written_keep_the_skeleton(tmp_path):
    text = rendered_runbook(tmp_path, with_service(WRITTEN), "HighAPILatency")
    assert "_Add the service-specific steps that stop the bleeding._" in text


def test_a_written_runbook_wins_over_the_service_runbook_url(tmp_path):
    spec = with_service(WRITTEN + "runbook_url: https://wiki.example.com/api\n")
    assert sorted(runbooks(tmp_path, spec)) == ["ServiceDown"]
    alert = next(
        a for a in service_alerts(*_stack_and_service(tmp_path, spec)) if a.name == "ServiceDown"
    )
    assert alert.runbook_url.endswith("runbooks/ServiceDown.md")


def _stack_and_service(tmp_path, text: str):
    stack = stack_from(tmp_path, text)
    return stack, stack.services[0]


def test_a_runbook_and_a_runbook_url_on_one_alert_are_refused(tmp_path):
    from stackgen.spec import SpecErrors, load_stack
    from tests.helpers import write

    spec = with_service(
        WRITTEN.replace("    runbook:\n", "    runbook_url: https://x.example/r\n    runbook:\n")
    )
    try:
        load_stack(write(tmp_path, "spec.yml", spec))
    except SpecErrors as caught:
        messages = [str(e) for e in caught.errors]
    else:
        raise AssertionError("accepted")
    assert any("not both" in m and "alerts.ServiceDown" in m for m in messages), messages


def test_an_empty_runbook_is_refused_with_the_way_out(tmp_path):
    from stackgen.spec import SpecErrors, load_stack
    from tests.helpers import write

    spec = with_service("alerts:\n  ServiceDown:\n    runbook: {resolution: [done]}\n")
    try:
        load_stack(write(tmp_path, "spec.yml", spec))
    except SpecErrors as caught:
        messages = [str(e) for e in caught.errors]
    else:
        raise AssertionError("accepted")
    assert any("leave it out for the generated skeleton" in m for m in messages), messages


# --- runbooks written on a spec pack's alerts and on custom alerts --------------------------------

QUEUE_PACK = """\
stack: {name: demo}
packs:
  - name: queue
    metrics: {depth: jobs_queued}
    alerts:
      - name: QueueBacklog
        expr: 'max by (job) (${depth}) > ${threshold}'
        threshold: 100
        summary: The queue is backing up
        description: More than ${threshold} jobs wait.
        runbook:
          impact: Jobs finish late; customers wait for their exports.
          diagnosis:
            - {step: Are the workers up?, query: 'up{job=~"worker.*"}'}
          mitigation: [Scale the workers out.]
    panels:
      - {title: Queued jobs, type: timeseries, alert: QueueBacklog, queries: [{expr: '${depth}', legend: queued}]}
services:
%s
channels: [{name: ops, type: webhook, url: http://hooks.internal/alerts}]
routing: {default_channel: ops}
"""


def queue_service(name: str, extra: str = "") -> str:
    return (
        f"  - {{name: {name}, team: jobs, kind: custom, pack: queue, "
        f"targets: {{static: [{name}:9090]}}{extra}}}"
    )


def test_a_pack_alerts_runbook_is_written_once_for_every_service_of_the_pack(tmp_path):
    spec = QUEUE_PACK % "\n".join([queue_service("export"), queue_service("import")])
    text = rendered_runbook(tmp_path, spec, "QueueBacklog")
    assert "## Impact\n\nJobs finish late; customers wait for their exports.\n" in text
    assert "1. Are the workers up?\n" in text and "- Scale the workers out.\n" in text
    assert "| export |" in text and "| import |" in text
    assert text.count("## Impact") == 1  # one content, not one copy per service
    assert "## For" not in text and "Written for" not in text
    assert "_Add" not in text


def test_a_services_own_runbook_replaces_the_packs_for_that_service(tmp_path):
    own = ", alerts: {QueueBacklog: {runbook: {impact: Only the nightly import is late.}}}"
    spec = QUEUE_PACK % "\n".join([queue_service("export"), queue_service("import", own)])
    text = rendered_runbook(tmp_path, spec, "QueueBacklog")
    assert "## For export\n" in text and "## For import\n" in text
    assert "Only the nightly import is late." in text and "customers wait" in text


def test_a_service_runbook_url_wins_over_the_packs_content(tmp_path):
    linked = ", runbook_url: 'https://wiki.example.com/export'"
    stack = stack_from(tmp_path, QUEUE_PACK % queue_service("export", linked))
    (alert,) = [a for a in service_alerts(stack, stack.services[0]) if a.name == "QueueBacklog"]
    assert alert.runbook_url == "https://wiki.example.com/export" and alert.runbook is None
    assert "QueueBacklog" not in {a.context["name"] for a in runbook_artifacts(stack)}


CUSTOM_WITH_RUNBOOK = """\
custom_alerts:
  - name: CertificateExpiring
    expr: probe_ssl_earliest_cert_expiry{job="api"} - time() < 86400 * 14
    summary: The TLS certificate expires within 14 days
    description: Renew it before browsers refuse the site.
    runbook:
      impact: In 14 days every browser refuses the site.
      mitigation: [Run the renewal job by hand.]
"""


def test_a_custom_alerts_runbook_replaces_its_skeleton(tmp_path):
    text = rendered_runbook(tmp_path, with_service(CUSTOM_WITH_RUNBOOK), "CertificateExpiring")
    assert "## Impact\n\nIn 14 days every browser refuses the site.\n" in text
    assert "- Run the renewal job by hand.\n" in text
    assert "_Add" not in text


def test_a_custom_alert_with_a_runbook_and_a_runbook_url_is_refused(tmp_path):
    from stackgen.spec import SpecErrors, load_stack
    from tests.helpers import write

    spec = with_service(
        CUSTOM_WITH_RUNBOOK.replace(
            "    runbook:\n", "    runbook_url: https://x.example/r\n    runbook:\n"
        )
    )
    try:
        load_stack(write(tmp_path, "spec.yml", spec))
    except SpecErrors as caught:
        messages = [str(e) for e in caught.errors]
    else:
        raise AssertionError("accepted")
    assert any(
        "services[api].custom_alerts[CertificateExpiring]" in m and "not both" in m
        for m in messages
    ), messages
