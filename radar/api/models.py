"""Request and response bodies: they make the OpenAPI schema, and responses are checked against them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

State = Literal["noise", "weak", "emerging", "mainstream", "fading", "spike"]
Stance = Literal["opportunity", "risk", "neutral"]


class TopicSummary(BaseModel):
    id: str
    label: str
    keywords: list[str]
    kind: str = Field(description="cluster, or theme for a watched theme.")
    state: str
    previous_state: str | None
    score: float
    size: int = Field(description="Items in the topic at this run.")
    growth: float
    novelty: float | None = Field(description="Distance from older topics (0..1); null if not measured.")
    first_seen: date
    last_seen: date
    sources: dict[str, int] = Field(description="Items per source in this run's window.")
    langs: dict[str, int] = Field(description="Items per language ('?' when unknown).")
    source_kinds: list[str]
    sector: str | None = Field(description="The brand value the topic is placed in (from the radar).")
    stance: str | None = Field(description="opportunity, risk or neutral (from the radar).")
    momentum: float | None


class TopicPage(BaseModel):
    run_id: int | None = Field(description="The analysis run the page describes (pinned by the cursor).")
    count: int
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last.")
    topics: list[TopicSummary]


class TopicItem(BaseModel):
    id: str
    title: str
    url: str | None
    source: str
    lang: str | None
    published_at: datetime
    probability: float | None


class LineageEvent(BaseModel):
    run_id: int
    topic_id: str
    relation: str = Field(description="How topic_id relates to other_id (merged_into, split_from, ...).")
    other_id: str


class Placement(BaseModel):
    profile: str | None
    sector: str | None
    stance: str | None
    alignment: dict[str, float]
    momentum: float | None
    evidence: dict[str, Any] = Field(
        default_factory=dict,
        description="Per value or red line scored above 0: closest items, matched phrase, shared terms.",
    )
    contradiction: dict[str, float] = Field(
        default_factory=dict, description="Per value with opposites: how close the topic is to them."
    )


class TriageOut(BaseModel):
    topic_id: str
    status: str = Field(description="acknowledged, dismissed, watched or cleared.")
    note: str | None
    dismissed_state: str | None = Field(description="The state the topic was dismissed in.")
    muted: bool = Field(description="True while the topic keeps the state it was dismissed in.")
    updated_at: datetime
    updated_by: str | None


class TopicDetail(BaseModel):
    id: str
    label: str
    keywords: list[str]
    kind: str
    size: int
    first_seen: date
    last_seen: date
    growth: float
    run_id: int | None = Field(description="The run the state and evidence come from.")
    state: str
    previous_state: str | None
    score: float
    evidence: dict[str, Any] = Field(description="The rule and measures that decided the state.")
    items: list[TopicItem] = Field(description="Representative items, most typical first.")
    lineage: list[LineageEvent]
    placement: Placement | None
    triage: TriageOut | None


class DayCount(BaseModel):
    day: date
    items: int
    sources: dict[str, int]


class StateAt(BaseModel):
    run_id: int
    as_of: datetime
    state: str
    previous_state: str | None
    score: float


class Timeline(BaseModel):
    id: str
    run_id: int | None
    daily: list[DayCount]
    states: list[StateAt]


class SearchTopic(BaseModel):
    id: str
    label: str
    keywords: list[str]
    state: str
    size: int
    similarity: float


class SearchItem(BaseModel):
    id: str
    title: str
    url: str | None
    source: str
    published_at: datetime
    topic_id: str
    similarity: float


class SearchResult(BaseModel):
    run_id: int | None
    topics: list[SearchTopic]
    items: list[SearchItem]


class TriageIn(BaseModel):
    action: Literal["acknowledge", "dismiss", "watch", "clear"]
    note: str | None = Field(default=None, max_length=4000)


class TriageEvent(BaseModel):
    id: int
    status: str
    note: str | None
    topic_state: str | None = Field(description="The topic's state when the verdict was given.")
    at: datetime
    by: str | None


class TriageRecord(BaseModel):
    current: TriageOut | None
    history: list[TriageEvent]


class TriageList(BaseModel):
    count: int
    triage: list[TriageOut]


class SourceOut(BaseModel):
    name: str
    kind: str
    url: str
    enabled: bool
    configured: bool = Field(description="False for a source only the store remembers.")
    last_success_at: datetime | None
    last_error: str | None
    error_streak: int
    items_per_day: float
    next_due_at: datetime | None


class SourceList(BaseModel):
    count: int
    sources: list[SourceOut]


class SourceIn(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    url: str = Field(min_length=1, max_length=2000)
    kind: str = Field(default="feed", pattern=r"^[a-z0-9_-]{1,32}$")
    interval: str | None = Field(default=None, max_length=16)
    cron: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = Field(default=None, max_length=20)
    lang: str | None = Field(default=None, max_length=8)
    owned: bool = False


class Alert(BaseModel):
    """One recorded alert for one destination (see docs/ALERTS.md); ``topic_id`` is None for the digest and
    source alerts, ``sent_at`` until it is sent."""

    id: int
    topic_id: str | None
    channel: str = Field(description="The destination's name; empty when none is configured.")
    state: str | None
    previous_state: str | None
    sent_at: datetime | None
    message: str
    rule: str
    kind: str
    status: Literal["stored", "pending", "sending", "sent", "failed"]
    attempts: int
    created_at: datetime
    last_error: str | None


class AlertList(BaseModel):
    count: int
    alerts: list[Alert]
    note: str | None = Field(default=None, description="Why the list is empty, when it is by design.")


class BacktestJobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    params: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] | None = Field(description="The run's summary.json once done.")
    error: str | None
    created_by: str | None
    results: dict[str, str] = Field(description="Links to the result files, once done.")


class BacktestJobList(BaseModel):
    count: int
    jobs: list[BacktestJobOut]


class Me(BaseModel):
    key_id: int
    name: str
    scope: Literal["read", "admin"]
    rate_limit_per_minute: int = Field(description="0 when off.")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    store: Literal["ok", "unavailable"]
    cache: Literal["ok", "unavailable"]
