"""Which movements deserve an alert: a pure function of the run's topics, the brand views, triage, source
signals, what was alerted recently, and ``now``.

Every intent carries a dedupe key naming the *transition*, not the message: the same topic entering the
same state in the same run always yields the same key, so evaluating a run twice (a retried analysis, two
workers) enqueues nothing new; the outbox's unique key does the rest.

Order of the filters, each one a reason an intent is not produced:

1. the rule's own condition and thresholds;
2. triage: a topic dismissed in the state it still has is muted (:func:`radar.triage.is_muted`);
3. cooldown: a topic alerted less than ``cooldown`` ago is not alerted again (the first intent of a run
   wins, so a topic that becomes emerging *and* an opportunity in one run gets one message);
4. quiet hours do not drop anything: they set ``not_before`` to the end of the quiet window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from radar.alerts.config import (
    AlertsConfig,
    OpportunityRule,
    RiskRule,
    SourceRule,
    StateRule,
    ThemeRule,
)
from radar.triage import Triage, is_muted


@dataclass(frozen=True, slots=True)
class TopicNow:
    """A topic as the latest run left it (``previous_state`` is its state in the run before)."""

    id: str
    label: str
    kind: str
    state: str
    previous_state: str | None
    score: float
    size: int
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceSignal:
    """What the operator rule needs about one enabled source."""

    name: str
    error_streak: int
    last_error: str | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    usual_items_per_day: float


@dataclass(frozen=True, slots=True)
class AlertIntent:
    """An alert to record: ``facts`` are what the message shows (rendered per destination at send time)."""

    dedupe_key: str
    rule: str
    kind: str  # state, theme, opportunity, risk, source, digest
    title: str
    topic_id: str | None
    facts: Mapping[str, Any]
    destinations: tuple[str, ...] = ()
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class RunInputs:
    """Everything a run's evaluation reads. ``views`` maps a profile to its (snapshot, deltas)."""

    run_id: int
    topics: Sequence[TopicNow]
    views: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = field(default_factory=dict)
    triage: Mapping[str, Triage] = field(default_factory=dict)
    last_alerted: Mapping[str, datetime] = field(default_factory=dict)
    theme_names: Mapping[str, str] = field(default_factory=dict)  # theme topic id -> theme name


def evaluate_run(config: AlertsConfig, inputs: RunInputs, now: datetime) -> list[AlertIntent]:
    """Alerts raised by one analysis run, after triage, cooldown and quiet hours."""
    if not config.enabled:
        return []
    topics = {topic.id: topic for topic in inputs.topics}
    raw: list[AlertIntent] = []
    for rule in config.rule:
        if isinstance(rule, StateRule | ThemeRule):
            raw.extend(_state_intents(rule, inputs))
        elif isinstance(rule, OpportunityRule):
            raw.extend(_opportunity_intents(rule, inputs))
        elif isinstance(rule, RiskRule):
            raw.extend(_risk_intents(rule, inputs))
    kept: list[AlertIntent] = []
    alerted_now: set[str] = set()
    cooldown = timedelta(seconds=config.cooldown_s)
    for intent in raw:
        topic_id = intent.topic_id
        assert topic_id is not None
        topic = topics.get(topic_id)
        if topic is not None and is_muted(inputs.triage.get(topic_id), topic.state):
            continue
        last = inputs.last_alerted.get(topic_id)
        if topic_id in alerted_now or (last is not None and now - last < cooldown):
            continue
        alerted_now.add(topic_id)
        kept.append(intent)
    return [defer_for_quiet_hours(config, intent, now) for intent in kept]


def _state_intents(rule: StateRule | ThemeRule, inputs: RunInputs) -> list[AlertIntent]:
    kind = "theme" if isinstance(rule, ThemeRule) else "cluster"
    out = []
    for topic in inputs.topics:
        if topic.kind != kind or topic.state == topic.previous_state or topic.state not in rule.to:
            continue
        if topic.size < rule.min_items:
            continue
        if isinstance(rule, StateRule) and topic.score < rule.min_score:
            continue
        name = inputs.theme_names.get(topic.id, topic.label)
        if isinstance(rule, ThemeRule) and rule.themes and name not in rule.themes:
            continue
        before = topic.previous_state or "new"
        out.append(
            AlertIntent(
                dedupe_key=f"{topic.id}:{before}->{topic.state}:{inputs.run_id}",
                rule=rule.name,
                kind="theme" if kind == "theme" else "state",
                title=f"{name}: {before} → {topic.state}",
                topic_id=topic.id,
                facts={
                    "label": name,
                    "from": topic.previous_state,
                    "to": topic.state,
                    "score": round(topic.score, 3),
                    "items": topic.size,
                    "evidence": dict(topic.evidence),
                    "run_id": inputs.run_id,
                    "placement": _placements(inputs, topic.id),
                },
                destinations=rule.destinations,
            )
        )
    return out


def _placements(inputs: RunInputs, topic_id: str) -> list[dict[str, Any]]:
    """Where the topic sits on each profile's radar: sector and stance with its reason."""
    rows = []
    for profile, (snapshot, _deltas) in inputs.views.items():
        for row in snapshot.get("topics", []):
            if row.get("id") == topic_id:
                rows.append(
                    {
                        "profile": profile,
                        "sector": row.get("sector"),
                        "stance": row.get("stance"),
                        "reason": row.get("reason"),
                        "momentum": row.get("momentum"),
                    }
                )
    return rows


def _stance_entries(deltas: Mapping[str, Any], stance: str) -> set[str]:
    """Topics that took ``stance`` at this run: new to the profile's radar with it, or changed to it."""
    entered = {t["id"] for t in deltas.get("new_topics", []) if t.get("stance") == stance}
    for change in deltas.get("placement_changes", []):
        if change.get("stance_to") == stance and change.get("stance_from") != stance:
            entered.add(change["id"])
    return entered


def _opportunity_intents(rule: OpportunityRule, inputs: RunInputs) -> list[AlertIntent]:
    out = []
    for profile, (snapshot, deltas) in inputs.views.items():
        if rule.profiles and profile not in rule.profiles:
            continue
        entered = _stance_entries(deltas, "opportunity")
        for row in snapshot.get("topics", []):
            if row["id"] not in entered or row.get("stance") != "opportunity":
                continue
            value = row.get("sector")
            if rule.values and value not in rule.values:
                continue
            if float(row.get("momentum", 0.0)) < rule.min_momentum:
                continue
            out.append(
                AlertIntent(
                    dedupe_key=f"{row['id']}:opportunity:{profile}:{value}:{inputs.run_id}",
                    rule=rule.name,
                    kind="opportunity",
                    title=f"{row['label']}: a new opportunity for {value!s} ({profile})",
                    topic_id=row["id"],
                    facts=_view_facts(row, profile, inputs.run_id),
                    destinations=rule.destinations,
                )
            )
    return out


def _risk_intents(rule: RiskRule, inputs: RunInputs) -> list[AlertIntent]:
    out = []
    for profile, (snapshot, deltas) in inputs.views.items():
        if rule.profiles and profile not in rule.profiles:
            continue
        red_lines = set(snapshot.get("red_lines", []))
        entered = _stance_entries(deltas, "risk")
        # Momentum that crossed the rule's floor at this run: the risk is rising now.
        crossed = {
            move["id"]
            for move in deltas.get("movers", [])
            if move["momentum_from"] < rule.min_momentum <= move["momentum_to"]
        }
        for row in snapshot.get("topics", []):
            because = row.get("because") or {}
            line = because.get("name")
            if row.get("stance") != "risk" or line not in red_lines:
                continue
            if float(because.get("score", 0.0)) < rule.min_score:
                continue
            if float(row.get("momentum", 0.0)) < rule.min_momentum:
                continue
            if row["id"] not in entered and row["id"] not in crossed:
                continue
            out.append(
                AlertIntent(
                    dedupe_key=f"{row['id']}:risk:{profile}:{line}:{inputs.run_id}",
                    rule=rule.name,
                    kind="risk",
                    title=f"{row['label']}: a rising risk near the red line {line!r} ({profile})",
                    topic_id=row["id"],
                    facts={**_view_facts(row, profile, inputs.run_id), "red_line": line},
                    destinations=rule.destinations,
                )
            )
    return out


def _view_facts(row: Mapping[str, Any], profile: str, run_id: int) -> dict[str, Any]:
    return {
        "label": row["label"],
        "to": row.get("state"),
        "from": None,
        "profile": profile,
        "sector": row.get("sector"),
        "stance": row.get("stance"),
        "reason": row.get("reason"),
        "momentum": row.get("momentum"),
        "items": row.get("size"),
        "evidence": dict(row.get("evidence") or {}),
        "run_id": run_id,
        "placement": [
            {
                "profile": profile,
                "sector": row.get("sector"),
                "stance": row.get("stance"),
                "reason": row.get("reason"),
                "momentum": row.get("momentum"),
            }
        ],
    }


# -- time-driven: the operator's source alerts and the daily digest ------------------------------------


def evaluate_sources(
    config: AlertsConfig, sources: Sequence[SourceSignal], now: datetime
) -> list[AlertIntent]:
    """Operator alerts: a failing streak (keyed by the last success before it, so one alert per streak)
    and a silence far longer than the source's usual gap between new items (keyed by its last new item)."""
    if not config.enabled:
        return []
    out = []
    for rule in (r for r in config.rule if isinstance(r, SourceRule)):
        for source in sources:
            if source.error_streak >= rule.max_errors:
                since = source.last_success_at.isoformat() if source.last_success_at else "never"
                out.append(
                    AlertIntent(
                        dedupe_key=f"source:{source.name}:failing-since:{since}",
                        rule=rule.name,
                        kind="source",
                        title=f"Source {source.name} failed {source.error_streak} times in a row",
                        topic_id=None,
                        facts={
                            "source": source.name,
                            "error": source.last_error,
                            "errors": source.error_streak,
                        },
                        destinations=rule.destinations,
                    )
                )
                continue  # failing explains the silence: one alert is enough
            silence = _silence(rule, source, now)
            if silence is not None:
                assert source.last_new_item_at is not None
                out.append(
                    AlertIntent(
                        dedupe_key=f"source:{source.name}:silent-since:{source.last_new_item_at.isoformat()}",
                        rule=rule.name,
                        kind="source",
                        title=f"Source {source.name} has brought nothing new for {_days(silence)}",
                        topic_id=None,
                        facts={
                            "source": source.name,
                            "last_new_item_at": source.last_new_item_at.isoformat(),
                            "usual_items_per_day": source.usual_items_per_day,
                        },
                        destinations=rule.destinations,
                    )
                )
    return [defer_for_quiet_hours(config, intent, now) for intent in out]


def _silence(rule: SourceRule, source: SourceSignal, now: datetime) -> timedelta | None:
    """How long the source has been silent, when that is ``silent_factor`` times its usual gap or more."""
    if source.last_new_item_at is None or source.usual_items_per_day <= 0:
        return None  # never brought anything, or no usual rate to compare with
    usual_gap = timedelta(days=1 / source.usual_items_per_day)
    limit = max(usual_gap * rule.silent_factor, timedelta(seconds=rule.min_silence_s))
    silence = now - source.last_new_item_at
    return silence if silence >= limit else None


def _days(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def evaluate_digest(
    config: AlertsConfig, movers: Sequence[Mapping[str, Any]], now: datetime
) -> AlertIntent | None:
    """The daily digest once the configured local time has passed today (key: the local date, so one a
    day whichever worker or restart evaluates it). ``movers`` are the latest deltas' movers, largest first."""
    at = config.digest_time
    if not config.enabled or at is None:
        return None
    local = now.astimezone(ZoneInfo(config.timezone))
    if local.time() < at:
        return None
    top = list(movers)[: config.digest_size]
    intent = AlertIntent(
        dedupe_key=f"digest:{local.date().isoformat()}",
        rule="digest",
        kind="digest",
        title=f"Top movers, {local.date().isoformat()}",
        topic_id=None,
        facts={"date": local.date().isoformat(), "movers": [dict(m) for m in top]},
    )
    return defer_for_quiet_hours(config, intent, now)


def top_movers(deltas: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The movers of every profile's latest deltas, each topic once (its largest move), largest first."""
    best: dict[str, dict[str, Any]] = {}
    for profile, view in deltas.items():
        for move in view.get("movers", []):
            seen = best.get(move["id"])
            if seen is None or abs(move["change"]) > abs(seen["change"]):
                best[move["id"]] = {**move, "profile": profile}
    return sorted(best.values(), key=lambda m: (-abs(m["change"]), m["id"]))


# -- quiet hours ---------------------------------------------------------------------------------------


def quiet_until(config: AlertsConfig, now: datetime) -> datetime | None:
    """The end of the quiet window ``now`` falls in (UTC), or None outside quiet hours."""
    if config.quiet_hours is None:
        return None
    zone = ZoneInfo(config.timezone)
    local = now.astimezone(zone)
    start, end = config.quiet_hours.window
    clock = local.time()
    if start == end:
        return None
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return _local(day, end, zone).astimezone(UTC)


def _local(day: Any, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def defer_for_quiet_hours(config: AlertsConfig, intent: AlertIntent, now: datetime) -> AlertIntent:
    until = quiet_until(config, now)
    return intent if until is None else replace(intent, not_before=until)
