"""The alert rules, pure: transitions, stance, themes, triage, cooldown, quiet hours, digest, sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from radar.alerts.config import AlertsConfig
from radar.alerts.rules import (
    RunInputs,
    SourceSignal,
    TopicNow,
    evaluate_digest,
    evaluate_run,
    evaluate_sources,
    quiet_until,
    top_movers,
)
from radar.triage import Triage

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _config(**extra: Any) -> AlertsConfig:
    raw: dict[str, Any] = {
        "rule": [
            {"name": "rising", "on": "state", "min_items": 3},
            {"name": "themes", "on": "theme"},
            {"name": "opps", "on": "opportunity", "min_momentum": 0.2},
            {"name": "risks", "on": "risk", "min_score": 0.15, "min_momentum": 0.0},
            {"name": "ops", "on": "source", "max_errors": 3, "silent_factor": 4, "min_silence": "1d"},
        ],
        **extra,
    }
    return AlertsConfig.model_validate(raw)


def _topic(id: str, state: str, previous: str | None, *, size: int = 10, kind: str = "cluster") -> TopicNow:
    return TopicNow(id, f"Topic {id}", kind, state, previous, 0.5, size, {"rule": "r", "measures": {}})


def _inputs(*topics: TopicNow, **extra: Any) -> RunInputs:
    return RunInputs(run_id=7, topics=topics, **extra)


def test_transitions_to_rising_states_alert_with_a_transition_key() -> None:
    intents = evaluate_run(
        _config(),
        _inputs(
            _topic("a", "emerging", "weak"),
            _topic("b", "weak", None),
            _topic("c", "spike", "noise"),
            _topic("d", "emerging", "emerging"),  # no change
            _topic("e", "fading", "mainstream"),  # not a state the rule names
            _topic("f", "emerging", "weak", size=2),  # below min_items
        ),
        NOW,
    )
    assert [i.dedupe_key for i in intents] == ["a:weak->emerging:7", "b:new->weak:7", "c:noise->spike:7"]
    assert intents[0].facts["from"] == "weak" and intents[0].facts["to"] == "emerging"


def test_same_run_evaluated_twice_gives_the_same_keys() -> None:
    inputs = _inputs(_topic("a", "emerging", "weak"))
    assert [i.dedupe_key for i in evaluate_run(_config(), inputs, NOW)] == [
        i.dedupe_key for i in evaluate_run(_config(), inputs, NOW + timedelta(hours=1))
    ]


def test_watch_theme_rule_filters_by_theme_name() -> None:
    config = AlertsConfig.model_validate(
        {"rule": [{"name": "t", "on": "theme", "themes": ["Right to repair"]}]}
    )
    inputs = _inputs(
        _topic("w-right-to-repair", "weak", "noise", kind="theme"),
        _topic("w-other", "weak", "noise", kind="theme"),
        _topic("a", "weak", "noise"),  # a cluster: not this rule's
        theme_names={"w-right-to-repair": "Right to repair", "w-other": "Other"},
    )
    intents = evaluate_run(config, inputs, NOW)
    assert [(i.topic_id, i.kind, i.facts["label"]) for i in intents] == [
        ("w-right-to-repair", "theme", "Right to repair")
    ]


def test_dismissed_topic_is_muted_until_its_state_changes() -> None:
    dismissed = Triage("a", "dismissed", None, "emerging", NOW - timedelta(days=1))
    still = _inputs(_topic("a", "emerging", "weak"), triage={"a": dismissed})
    assert evaluate_run(_config(), still, NOW) == []
    moved = _inputs(_topic("a", "mainstream", "emerging"), triage={"a": dismissed})
    assert [i.dedupe_key for i in evaluate_run(_config(), moved, NOW)] == ["a:emerging->mainstream:7"]
    watched = Triage("a", "watched", None, None, NOW)
    assert evaluate_run(_config(), _inputs(_topic("a", "emerging", "weak"), triage={"a": watched}), NOW)


def test_cooldown_per_topic() -> None:
    inputs = _inputs(
        _topic("a", "emerging", "weak"),
        _topic("b", "emerging", "weak"),
        last_alerted={"a": NOW - timedelta(hours=11), "b": NOW - timedelta(hours=13)},
    )
    assert [i.topic_id for i in evaluate_run(_config(cooldown="12h"), inputs, NOW)] == ["b"]


def _views(snapshot_topics: list[dict[str, Any]], deltas: dict[str, Any]) -> dict[str, Any]:
    snapshot = {"topics": snapshot_topics, "red_lines": ["Greenwashing"]}
    base = {"new_topics": [], "placement_changes": [], "movers": []}
    return {"brand": (snapshot, {**base, **deltas})}


def _row(id: str, stance: str, momentum: float, because: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": id,
        "label": f"Topic {id}",
        "state": "weak",
        "sector": "Ecology",
        "stance": stance,
        "reason": "why",
        "momentum": momentum,
        "size": 8,
        "because": because,
        "evidence": {},
    }


def test_new_opportunity_for_a_value_alerts_once_per_entry() -> None:
    views = _views(
        [_row("o1", "opportunity", 0.5), _row("o2", "opportunity", 0.5), _row("o3", "opportunity", 0.1)],
        {
            "new_topics": [{"id": "o1", "stance": "opportunity"}, {"id": "o3", "stance": "opportunity"}],
            # o2 was already an opportunity at the previous run: no placement change, no alert.
        },
    )
    intents = evaluate_run(_config(), _inputs(views=views), NOW)
    assert [(i.topic_id, i.kind) for i in intents] == [("o1", "opportunity")]  # o3 below min_momentum
    assert intents[0].dedupe_key == "o1:opportunity:brand:Ecology:7"
    assert intents[0].facts["placement"][0]["stance"] == "opportunity"


def test_risk_rising_near_a_red_line() -> None:
    near = {"name": "Greenwashing", "score": 0.4}
    views = _views(
        [
            _row("r1", "risk", 0.3, near),  # became a risk at this run
            _row("r2", "risk", 0.2, near),  # momentum crossed 0 at this run
            _row("r3", "risk", 0.2, near),  # a risk already, and already rising: nothing new
            _row("r4", "risk", 0.3, {"name": "Ecology (opposite)", "score": 0.4}),  # not a red line
            _row("r5", "risk", 0.3, {"name": "Greenwashing", "score": 0.1}),  # too far from it
        ],
        {
            "placement_changes": [
                {"id": "r1", "stance_from": "neutral", "stance_to": "risk"},
                {"id": "r4", "stance_from": "neutral", "stance_to": "risk"},
                {"id": "r5", "stance_from": "neutral", "stance_to": "risk"},
            ],
            "movers": [
                {"id": "r2", "momentum_from": -0.3, "momentum_to": 0.2, "change": 0.5},
                {"id": "r3", "momentum_from": 0.1, "momentum_to": 0.2, "change": 0.1},
            ],
        },
    )
    intents = evaluate_run(_config(), _inputs(views=views), NOW)
    assert [i.topic_id for i in intents] == ["r1", "r2"]
    assert intents[0].facts["red_line"] == "Greenwashing"


def test_one_alert_per_topic_per_run_even_when_two_rules_match() -> None:
    views = _views([_row("a", "opportunity", 0.5)], {"new_topics": [{"id": "a", "stance": "opportunity"}]})
    intents = evaluate_run(_config(), _inputs(_topic("a", "emerging", "weak"), views=views), NOW)
    assert [i.rule for i in intents] == ["rising"]


def test_quiet_hours_defer_and_never_drop() -> None:
    config = _config(timezone="Europe/Paris", quiet_hours={"start": "22:00", "end": "07:00"})
    late = datetime(2025, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    intents = evaluate_run(config, _inputs(_topic("a", "emerging", "weak")), late)
    assert len(intents) == 1
    assert intents[0].not_before == datetime(2025, 3, 11, 6, 0, tzinfo=UTC)  # 07:00 Paris
    early = datetime(2025, 3, 11, 5, 0, tzinfo=UTC)  # 06:00 Paris: same night, same end
    assert quiet_until(config, early) == datetime(2025, 3, 11, 6, 0, tzinfo=UTC)
    assert quiet_until(config, datetime(2025, 3, 11, 12, 0, tzinfo=UTC)) is None
    day = _config(quiet_hours={"start": "12:00", "end": "14:00"})
    assert quiet_until(day, NOW) == NOW + timedelta(hours=2)
    assert evaluate_run(day, _inputs(_topic("a", "emerging", "weak")), NOW)[0].not_before == NOW + timedelta(
        hours=2
    )


def test_digest_once_its_local_time_has_come() -> None:
    config = _config(timezone="Europe/Paris", digest_at="08:30", digest_size=2)
    movers = top_movers(
        {
            "one": {
                "movers": [{"id": "x", "label": "X", "change": 0.2, "momentum_from": 0, "momentum_to": 0.2}]
            },
            "two": {
                "movers": [
                    {"id": "x", "label": "X", "change": -0.9, "momentum_from": 1, "momentum_to": 0.1},
                    {"id": "y", "label": "Y", "change": 0.5, "momentum_from": 0, "momentum_to": 0.5},
                    {"id": "z", "label": "Z", "change": 0.3, "momentum_from": 0, "momentum_to": 0.3},
                ]
            },
        }
    )
    before = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    assert evaluate_digest(config, movers, before) is None
    after = datetime(2025, 3, 10, 7, 45, tzinfo=UTC)  # 08:45 in Paris
    digest = evaluate_digest(config, movers, after)
    assert digest is not None and digest.dedupe_key == "digest:2025-03-10"
    assert [m["id"] for m in digest.facts["movers"]] == ["x", "y"]  # largest moves first, each topic once
    later = evaluate_digest(config, movers, after + timedelta(hours=10))
    assert later is not None and later.dedupe_key == digest.dedupe_key  # one a day
    assert evaluate_digest(_config(digest_at=None), movers, after) is None


def test_source_failing_and_silent() -> None:
    ok = SourceSignal("ok", 0, None, NOW, NOW - timedelta(hours=2), usual_items_per_day=10)
    failing = SourceSignal("bad", 3, "HTTP 500", NOW - timedelta(days=1), NOW - timedelta(days=1), 10)
    silent = SourceSignal("quiet", 0, None, NOW, NOW - timedelta(days=3), usual_items_per_day=2)
    slow = SourceSignal(
        "slow", 0, None, NOW, NOW - timedelta(days=3), usual_items_per_day=0.5
    )  # usual gap 2d
    intents = evaluate_sources(_config(), [ok, failing, silent, slow], NOW)
    keys = [i.dedupe_key for i in intents]
    assert keys == [
        f"source:bad:failing-since:{(NOW - timedelta(days=1)).isoformat()}",
        f"source:quiet:silent-since:{(NOW - timedelta(days=3)).isoformat()}",
    ]
    # The same streak a few runs later: the same key, so one alert per streak.
    worse = SourceSignal("bad", 9, "HTTP 500", NOW - timedelta(days=1), NOW - timedelta(days=1), 10)
    assert evaluate_sources(_config(), [worse], NOW)[0].dedupe_key == keys[0]


def test_disabled_alerts_raise_nothing() -> None:
    config = _config(enabled=False)
    assert evaluate_run(config, _inputs(_topic("a", "emerging", "weak")), NOW) == []
    assert evaluate_sources(config, [SourceSignal("bad", 9, "x", None, None, 0)], NOW) == []
