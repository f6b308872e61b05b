"""Plain records exchanged with the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Window:
    """The items of a look-back window with their stored embeddings, in publication order."""

    ids: list[str]
    published: list[datetime]
    sources: list[str]
    langs: list[str | None]
    contents: list[str]
    vectors: Vector
    # Sources that carried a near-duplicate of item i (by index): the story reached them too, which counts
    # for its topic's spread although the copies are not analysed.
    also_sources: dict[int, frozenset[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """A topic as produced by one analysis run, ready to persist."""

    id: str
    label: str
    keywords: list[str]
    size: int
    first_seen: date
    last_seen: date
    growth: float
    centroid: Vector
    daily: dict[date, int] = field(default_factory=dict)
    kind: str = "cluster"
    state: str = "noise"
    previous_state: str | None = None
    score: float = 0.0
    peak_weekly: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    topics: list[TopicRecord]
    assignments: list[tuple[str, str, float | None]]  # (item_id, topic_id, probability)
    n_items: int
    snapshot: dict[str, Any] = field(default_factory=dict)
    lineage: list[tuple[str, str, str]] = field(default_factory=list)  # (topic_id, relation, other_id)
    theme_members: list[tuple[str, str]] = field(default_factory=list)  # (item_id, theme_id)


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: datetime
    finished_at: datetime | None
    as_of: datetime
    status: str
    window_days: int
    model: str
    n_items: int
    n_topics: int
    error: str | None = None


class MemberRow(NamedTuple):
    """One item as placement sees it: the topic it belongs to (empty for the brand's own items), its title,
    source, language and vector."""

    topic_id: str
    item_id: str
    title: str
    source: str
    lang: str | None
    vector: Vector
