"""The labels of the series an expression returns over known input series: what the proofs
expect on an alert."""

import pytest

from stackgen.prometheus.series_labels import Resolver, Unknown

SERIES = [
    {"__name__": "up", "job": "api", "instance": "a:1"},
    {"__name__": "http_requests_total", "job": "api", "instance": "a:1", "status": "500"},
    {"__name__": "http_requests_total", "job": "api", "instance": "a:1", "status": "200"},
]
RECORDS = {"job:errors:ratio": ("sum by (job) (rate(http_requests_total[5m]))", {})}


@pytest.mark.parametrize(
    ("expr", "labels"),
    [
        ('up{job="api"} == 0', {"__name__": "up", "job": "api", "instance": "a:1"}),
        ('max by (job) (up{job="api"}) == 0 or absent(up{job="api"})', {"job": "api"}),
        ('absent(up{job="api"})', {"job": "api"}),
        ('rate(http_requests_total{status="500"}[5m]) > 1', {"job": "api", "instance": "a:1",
                                                              "status": "500"}),
        ('job:errors:ratio{job="api"} > 0.05', {"__name__": "job:errors:ratio", "job": "api"}),
        ("1 - job:errors:ratio", {"job": "api"}),
    ],
)  # fmt: skip
def test_result_labels(expr, labels):
    assert Resolver(SERIES, RECORDS).result(expr) == labels


def test_what_cannot_be_told_is_said():
    with pytest.raises(Unknown, match="label_replace"):
        Resolver(SERIES, {}).result('label_replace(up, "a", "b", "c", "d")')
    with pytest.raises(Unknown, match="no input series"):
        Resolver(SERIES, {}).result("missing_metric > 1")
