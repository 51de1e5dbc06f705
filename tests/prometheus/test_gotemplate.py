"""Go template text is checked the way Prometheus 2.42 parses alert annotations and labels."""

import pytest

from stackgen.prometheus.gotemplate import check_template


@pytest.mark.parametrize(
    "text",
    [
        "plain text, no action",
        "{{ $labels.job }} is down",
        "{{ $value | humanizePercentage }} of {{ $labels.instance }}",
        '{{ "{{" }} a literal brace, as the error message suggests',
        "{{ `}}` }} a raw string holding the closing delimiter",
        '{{- if eq $labels.severity "critical" -}}page{{- else -}}ticket{{- end -}}',
        "{{ with $labels.x }}{{ . }}{{ end }}",
        "{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}",
        "{{/* a comment */}}",
        '{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}',
        "}} outside an action is text",
    ],
)
def test_text_prometheus_accepts_passes(text):
    assert check_template(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ $labels.job", "never closed"),
        ('{{ "}}', "string in a .* action that is never closed"),
        ("{{ $labels.job | nosuch }}", "uses `nosuch`, which is not a function"),
        ("{{ toDuration 5 }}", "uses `toDuration`"),  # newer than 2.42
        ("{{ if $labels.x }}open", "without its `{{ end }}`"),
        ("{{ end }}", "closes nothing"),
    ],
)
def test_text_prometheus_refuses_is_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        check_template(text)
