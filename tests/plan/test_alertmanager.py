"""alertmanager.yml: the route tree's matchers, and the default and custom inhibition rules."""

from stackgen.common.layout import NOTIFICATION_TEMPLATE
from stackgen.plan.alertmanager import (
    DEFAULT_INHIBITIONS,
    alertmanager_config,
    inhibit_rules,
    root_route,
    route_tree,
)
from tests.helpers import MINIMAL, stack_from

# MINIMAL plus a second channel, so routes have somewhere else to go.
TWO_CHANNELS = MINIMAL.replace(
    "channels:\n",
    "channels:\n  - {name: pager, type: pagerduty, routing_key_file: /etc/am/pd-key}\n",
)


def routing(tmp_path, text: str):
    """The stack of TWO_CHANNELS with `text` appended under `routing:`."""
    return stack_from(tmp_path, TWO_CHANNELS + text).routing


def first_route(tmp_path, route: str) -> dict:
    return route_tree(routing(tmp_path, f"  routes:\n    - {route}\n").routes[0])


# --- routes --------------------------------------------------------------------------------------


def test_several_severities_become_one_regex_matcher(tmp_path):
    route = first_route(tmp_path, "{severity: [critical, warning], channel: pager}")
    assert route["matchers"] == ['severity=~"critical|warning"']


def test_one_severity_becomes_an_equality_matcher(tmp_path):
    route = first_route(tmp_path, "{severity: [critical], channel: pager}")
    assert route["matchers"] == ['severity="critical"']


def test_team_service_and_match_become_equality_matchers_in_that_order(tmp_path):
    route = first_route(
        tmp_path, "{team: web, service: api, match: {env: prod, tier: a}, channel: pager}"
    )
    assert route["matchers"] == ['team="web"', 'service="api"', 'env="prod"', 'tier="a"']


def test_match_values_are_quoted_and_escaped(tmp_path):
    route = first_route(tmp_path, r"""{match: {note: 'say "hi" \ bye'}, channel: pager}""")
    assert route["matchers"] == [r'note="say \"hi\" \\ bye"']


def test_a_route_without_conditions_has_no_matchers(tmp_path):
    assert first_route(tmp_path, "{channel: pager}")["matchers"] == []


def test_the_route_sends_to_its_channel_with_its_grouping_settings(tmp_path):
    route = first_route(
        tmp_path,
        "{channel: pager, group_by: [alertname], group_wait: 10s, repeat_interval: 1h}",
    )
    assert route["receiver"] == "pager"
    assert route["group_by"] == ["alertname"]
    assert (route["group_wait"], route["repeat_interval"]) == ("10s", "1h")
    assert route["group_interval"] is None  # inherited from the parent route


def test_continue_is_false_unless_asked_for(tmp_path):
    assert first_route(tmp_path, "{channel: pager}")["continue"] is False
    assert first_route(tmp_path, "{channel: pager, continue: true}")["continue"] is True


def test_nested_routes_become_nested_route_trees(tmp_path):
    route = first_route(
        tmp_path,
        "{team: web, channel: ops, routes: [{severity: [critical], channel: pager, "
        "routes: [{service: api, channel: ops}]}]}",
    )
    (child,) = route["routes"]
    (grandchild,) = child["routes"]
    assert (child["receiver"], child["matchers"]) == ("pager", ['severity="critical"'])
    assert (grandchild["receiver"], grandchild["matchers"]) == ("ops", ['service="api"'])
    assert grandchild["routes"] == []


# --- inhibitions ---------------------------------------------------------------------------------


def test_default_inhibitions_silence_a_down_services_alerts_and_warnings_under_criticals(tmp_path):
    assert inhibit_rules(routing(tmp_path, ""), []) == [
        {
            "source_matchers": ['alertname="ServiceDown"'],
            "target_matchers": ['alertname!="ServiceDown"'],
            "equal": ["stack", "environment", "service"],
        },
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity="warning"'],
            "equal": ["stack", "environment", "alertname", "service", "slo"],
        },
        {
            "source_matchers": ['slo_tier="page"'],
            "target_matchers": ['slo_tier="ticket"'],
            "equal": ["stack", "environment", "service", "slo"],
        },
    ]


def test_without_slos_no_inhibition_names_the_slo_label(tmp_path):
    """No alert carries `slo` then: naming it in `equal` would change nothing."""
    rules = inhibit_rules(routing(tmp_path, ""))
    assert [rule["equal"] for rule in rules] == [
        ["stack", "environment", "service"],
        ["stack", "environment", "alertname", "service"],
    ]


def test_a_page_tier_silences_the_ticket_tier_of_the_same_slo_and_group(tmp_path):
    rules = inhibit_rules(routing(tmp_path, ""), ["route"])
    assert rules[-1] == {
        "source_matchers": ['slo_tier="page"'],
        "target_matchers": ['slo_tier="ticket"'],
        "equal": ["stack", "environment", "service", "slo", "route"],
    }


def test_default_inhibitions_can_be_turned_off(tmp_path):
    assert inhibit_rules(routing(tmp_path, "  default_inhibitions: false\n")) == []


def test_custom_inhibit_rules_become_quoted_source_and_target_matchers(tmp_path):
    rules = inhibit_rules(
        routing(
            tmp_path,
            "  default_inhibitions: false\n"
            "  inhibit:\n"
            "    - source: {alertname: ServiceDown}\n"
            "      target: {team: data, reason: 'a \"quoted\" one'}\n"
            "      equal: [cluster]\n",
        )
    )
    assert rules == [
        {
            "source_matchers": ['alertname="ServiceDown"'],
            "target_matchers": ['team="data"', r'reason="a \"quoted\" one"'],
            "equal": ["cluster"],
        }
    ]


def test_custom_inhibit_rules_follow_the_default_ones(tmp_path):
    rules = inhibit_rules(routing(tmp_path, "  inhibit: [{source: {a: x}, target: {b: y}}]\n"), [])
    assert rules[:2] == DEFAULT_INHIBITIONS
    assert rules[3] == {"source_matchers": ['a="x"'], "target_matchers": ['b="y"'], "equal": []}


# --- the artifacts -------------------------------------------------------------------------------


def test_alertmanager_config_writes_the_config_and_its_notification_templates(tmp_path):
    stack = stack_from(
        tmp_path, TWO_CHANNELS + "  routes: [{severity: [critical], channel: pager}]\n"
    )
    config, templates = alertmanager_config(stack)
    assert (config.path, templates.path) == ("alertmanager/alertmanager.yml", NOTIFICATION_TEMPLATE)
    assert config.context["routes"] == [route_tree(stack.routing.routes[0])]
    assert config.context["inhibit_rules"] == inhibit_rules(stack.routing)  # no SLO: no SLO rule
    assert config.context["template_glob"] == "templates/*.tmpl"


def test_slo_groups_keep_a_page_for_one_group_from_silencing_another_groups_ticket(tmp_path):
    rules = inhibit_rules(routing(tmp_path, ""), ["route"])
    critical_over_warning = rules[1]
    assert critical_over_warning["equal"] == [
        "stack", "environment", "alertname", "service", "slo", "route",
    ]  # fmt: skip
    assert rules[0]["equal"] == ["stack", "environment", "service"]  # ServiceDown: whole service


# --- matchers take a value or a list; regexes are explicit ----------------------------------


def test_every_matcher_key_takes_a_value_or_a_list(tmp_path):
    one = first_route(tmp_path, "{severity: critical, team: web, service: api, channel: pager}")
    listed = first_route(
        tmp_path, "{severity: [critical], team: [web], service: [api], channel: pager}"
    )
    assert one["matchers"] == listed["matchers"] == [
        'severity="critical"', 'team="web"', 'service="api"',
    ]  # fmt: skip


def test_a_list_of_values_is_one_regex_of_the_values_taken_literally(tmp_path):
    route = first_route(tmp_path, "{match: {tier: [a, b.c, 'x y']}, channel: pager}")
    assert route["matchers"] == ['tier=~"a|b\\\\.c|x y"']


def test_match_re_is_a_regex_as_written(tmp_path):
    route = first_route(tmp_path, "{match_re: {instance: 'db-.*'}, channel: pager}")
    assert route["matchers"] == ['instance=~"db-.*"']


# --- time intervals for every route -----------------------------------------------------------

MUTED = """\
  mute_time_intervals: [night]
  time_intervals:
    - {name: night, time_intervals: [{times: [{start_time: "00:00", end_time: "06:00"}]}]}
    - {name: weekend, time_intervals: [{weekdays: [saturday, sunday]}]}
  routes:
    - {severity: critical, channel: pager, mute_time_intervals: [weekend], routes: [{team: web, channel: ops}]}
"""


def test_routing_wide_intervals_go_on_one_catch_all_route_holding_the_spec_routes(tmp_path):
    (catch_all,) = root_route(routing(tmp_path, MUTED))["routes"]
    assert catch_all["receiver"] == "ops" and catch_all["matchers"] == []
    assert catch_all["mute_time_intervals"] == ["night"]
    (pager,) = catch_all["routes"]
    assert pager["mute_time_intervals"] == ["night", "weekend"]  # its own after every route's
    assert pager["routes"][0]["mute_time_intervals"] == ["night"]


def test_without_routing_wide_intervals_the_tree_is_unchanged(tmp_path):
    text = MUTED.replace("  mute_time_intervals: [night]\n", "")
    (pager,) = root_route(routing(tmp_path, text))["routes"]
    assert pager["receiver"] == "pager" and pager["mute_time_intervals"] == ["weekend"]


def _down_rule(tmp_path, services: str) -> dict:
    text = TWO_CHANNELS.replace("channels:\n", services + "channels:\n", 1)
    (config, _) = alertmanager_config(stack_from(tmp_path, text))
    return config.context["inhibit_rules"][0]


def test_a_renamed_service_down_still_mutes_its_services_other_alerts(tmp_path):
    """`alerts.ServiceDown.name`: the inhibition follows the new name, next to the services
    that keep ServiceDown, and no down alert mutes another."""
    renamed = (
        "  - {name: web, team: web, kind: http, targets: {static: [web:8080]}, "
        "alerts: {ServiceDown: {name: WebDown}}}\n"
    )
    rule = _down_rule(tmp_path, renamed)
    assert rule == {
        "source_matchers": ['alertname=~"ServiceDown|WebDown"'],
        "target_matchers": ['alertname!~"ServiceDown|WebDown"'],
        "equal": ["stack", "environment", "service"],
    }


def test_with_every_service_down_renamed_alike_the_rule_names_it_alone(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n", "    kind: http\n    alerts: {ServiceDown: {name: Down}}\n"
    )
    (config, _) = alertmanager_config(stack_from(tmp_path, text))
    assert config.context["inhibit_rules"][0]["source_matchers"] == ['alertname="Down"']
    assert config.context["inhibit_rules"][0]["target_matchers"] == ['alertname!="Down"']
