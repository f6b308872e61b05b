"""Placement of topics against a brand profile: calibrated alignment scores, a sector and a stance.

Pure: vectors in, scores out. The only model call is the ``embed`` function handed to
:func:`build_space`, made once per run for the profile's anchors and the neutral references together.

Score of topic ``t`` against anchor ``a`` (a value, a red line, or a value's opposites)::

    raw(t, a)   = 1/2 cos(c_t, p_a) + 1/2 mean_{j in rep(t)} max_{i in a} cos(x_j, e_i)
    score(t, a) = clip((raw(t, a) - floor_a) / (1 - floor_a), 0, 1)
    floor_a     = median_r raw(r, a) + 2 * 1.4826 * MAD_r raw(r, a)      over the neutral references r

``c_t`` is the topic centroid, ``rep(t)`` its representative items (the 5 closest to the centroid), ``e_i``
the anchor's texts (name and description, then each example) and ``p_a`` their normalised mean. The centroid
term says what the topic is about as a whole; the item term lets one precise example ("repair café") match
items that say exactly that. The floor is a robust upper bound of what unrelated text scores (median plus two
robust sigmas, so that one reference that happens to touch a value does not move it), which makes topics no
closer to a value than a weather report score 0. docs/VALUES.md gives the measured figures.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from radar.settings import BrandProfile
from radar.store.records import Vector
from radar.values.reference import REFERENCE_TOPICS

AnchorKind = Literal["value", "red_line", "opposite"]
Stance = Literal["opportunity", "risk", "neutral"]

REPRESENTATIVES = 5  # items closest to the centroid that speak for a topic
FLOOR_SIGMAS = 2.0
# Calibrated score from which a topic belongs to a value's sector (or is close to a red line). Measured on the
# hand-written set of tests/test_values_placement.py and the demo: see docs/VALUES.md.
ALIGNED = 0.12
RED_LINE = 0.15
# Contradiction needs more than closeness: embeddings place subjects, and a topic about packaging is near
# both "less packaging" and "single-use products". It must be close to the opposites and clearly closer to
# them than to the value.
CONTRADICTS = 0.2
CONTRA_MARGIN = 0.1
# log2 of growth: 0.25 is a quarter more share of voice than the baseline.
MOMENTUM_RISING = 0.25
RISING_STATES = frozenset({"weak", "emerging", "mainstream"})
NOT_RISING_STATES = frozenset({"fading", "spike"})
EVIDENCE_ITEMS = 3
POOLED = "*"

_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """One thing topics are compared with. ``target`` is the value an ``opposite`` anchor contradicts."""

    name: str
    kind: AnchorKind
    texts: tuple[str, ...]
    weight: float = 0.0
    target: str | None = None

    @property
    def key(self) -> str:
        return f"{self.target} (opposite)" if self.kind == "opposite" else self.name


@dataclass(frozen=True, slots=True)
class ProfileSpace:
    """A profile's anchors embedded once per run, with each anchor's floor measured on the references."""

    profile: str
    anchors: tuple[Anchor, ...]
    text_vectors: Vector  # (M, d): every anchor's texts, anchor after anchor
    starts: npt.NDArray[np.intp]  # (A,): first row of each anchor in text_vectors
    prototypes: Vector  # (A, d)
    # (A,) floors by reference language, and "*" over every reference (for other languages).
    topic_floor: dict[str, npt.NDArray[np.float64]]
    item_floor: dict[str, npt.NDArray[np.float64]]
    vocab: tuple[frozenset[str], ...] = ()
    texts: tuple[str, ...] = ()  # the rows of text_vectors

    def indices(self, kind: AnchorKind) -> list[int]:
        return [i for i, anchor in enumerate(self.anchors) if anchor.kind == kind]

    def floors(self, langs: Sequence[str | None], *, items: bool = False) -> npt.NDArray[np.float64]:
        """(N, A): the floor row matching each language."""
        table = self.item_floor if items else self.topic_floor
        pooled = table[POOLED]
        return np.stack([table.get(lang or POOLED, pooled) for lang in langs]) if langs else np.zeros((0, 0))


@dataclass(frozen=True, slots=True)
class TopicInput:
    """What placement needs of one topic: its members' vectors and titles, its state and momentum."""

    id: str
    label: str
    state: str
    momentum: float
    size: int
    keywords: tuple[str, ...] = ()
    lang: str | None = None  # the language most of its items are in
    member_ids: tuple[str, ...] = ()
    member_titles: tuple[str, ...] = ()
    vectors: Vector = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


@dataclass(frozen=True, slots=True)
class Placement:
    topic_id: str
    alignment: dict[str, float]  # values and red lines, calibrated
    contradiction: dict[str, float]  # per value that has opposites
    sector: str | None
    stance: Stance
    reason: str
    evidence: dict[str, dict[str, Any]]  # by anchor key, only where the score is above 0
    against: bool = False  # in its sector because it contradicts that value
    because: str | None = None  # the anchor whose score decided the stance
    score: float = 0.0  # that score


class Decision(NamedTuple):
    sector: str | None
    stance: Stance
    reason: str
    against: bool = False
    because: str | None = None
    score: float = 0.0


def momentum_of(growth: float) -> float:
    """log2 of the smoothed growth ratio: 0 is flat, +1 doubles its share of voice, -1 halves it."""
    return math.log2(max(growth, 1e-6))


def profile_anchors(profile: BrandProfile) -> list[Anchor]:
    anchors = [
        Anchor(v.name, "value", (f"{v.name}: {v.description}", *v.examples), v.weight) for v in profile.values
    ]
    anchors += [
        Anchor(r.name, "red_line", (f"{r.name}: {r.description}", *r.examples)) for r in profile.red_lines
    ]
    anchors += [
        Anchor(v.name, "opposite", v.opposites, v.weight, target=v.name)
        for v in profile.values
        if v.opposites
    ]
    return anchors


def stems(text: str) -> frozenset[str]:
    # A five-letter prefix folds "repairable"/"repair" and "packaging"/"package": enough to show
    # which words a topic shares with a value, not a linguistic claim.
    return frozenset(word[:5] for word in _WORD.findall(text.casefold()))


def _normalise(matrix: npt.NDArray[Any]) -> Vector:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Vector = (matrix / norms).astype(np.float32)
    return result


def build_space(profile: BrandProfile, embed: Callable[[Sequence[str]], Vector]) -> ProfileSpace:
    """Embed the profile's anchors and the references in one call, and measure each anchor's floors."""
    anchors = profile_anchors(profile)
    texts = [text for anchor in anchors for text in anchor.texts]
    references = [sentence for _, topic in REFERENCE_TOPICS for sentence in topic]
    vectors = embed([*texts, *references])
    text_vectors = np.ascontiguousarray(vectors[: len(texts)], dtype=np.float32)
    ref_vectors = np.ascontiguousarray(vectors[len(texts) :], dtype=np.float32)
    starts = _starts([len(anchor.texts) for anchor in anchors])
    space = ProfileSpace(
        profile=profile.name,
        anchors=tuple(anchors),
        text_vectors=text_vectors,
        starts=starts,
        prototypes=_normalise(np.add.reduceat(text_vectors, starts, axis=0)),
        topic_floor={},
        item_floor={},
        vocab=tuple(stems(" ".join(anchor.texts)) for anchor in anchors),
        texts=tuple(texts),
    )
    ref_starts = _starts([len(topic) for _, topic in REFERENCE_TOPICS])
    ref_centroids = _normalise(np.add.reduceat(ref_vectors, ref_starts, axis=0))
    topic_raw = raw_scores(space, ref_centroids, ref_vectors, ref_starts)
    item_raw = raw_scores(space, ref_vectors, ref_vectors, _starts([1] * len(ref_vectors)))
    topic_langs = np.array([lang for lang, _ in REFERENCE_TOPICS])
    item_langs = np.array([lang for lang, topic in REFERENCE_TOPICS for _ in topic])
    for lang in (POOLED, *sorted(set(topic_langs))):
        space.topic_floor[lang] = robust_floor(
            topic_raw if lang == POOLED else topic_raw[topic_langs == lang]
        )
        space.item_floor[lang] = robust_floor(item_raw if lang == POOLED else item_raw[item_langs == lang])
    return space


def _starts(sizes: Sequence[int]) -> npt.NDArray[np.intp]:
    """First row of each group of consecutive rows of the given sizes (for ``reduceat``)."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) if sizes else np.zeros(0, np.intp)


def robust_floor(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per column: median plus FLOOR_SIGMAS robust standard deviations (1.4826 MAD)."""
    median = np.median(raw, axis=0)
    mad = np.median(np.abs(raw - median), axis=0)
    floor: npt.NDArray[np.float64] = median + FLOOR_SIGMAS * 1.4826 * mad
    return floor


def raw_scores(
    space: ProfileSpace, centroids: Vector, reps: Vector, rep_starts: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64]:
    """(T, A) raw similarities; topic ``t``'s representatives are ``reps[rep_starts[t]:rep_starts[t+1]]``."""
    centre = centroids @ space.prototypes.T
    per_anchor = best_per_anchor(space, reps)
    sums = np.add.reduceat(per_anchor, rep_starts, axis=0)
    counts = np.diff(np.append(rep_starts, len(reps)))
    raw: npt.NDArray[np.float64] = (0.5 * centre + 0.5 * sums / counts[:, None]).astype(np.float64)
    return raw


def best_per_anchor(space: ProfileSpace, vectors: Vector) -> npt.NDArray[np.float32]:
    """(N, A): each vector's similarity to the closest text of each anchor."""
    # Texts by rows so that the reduction runs along contiguous memory (about 5x faster than along columns).
    per_text = space.text_vectors @ vectors.T
    best: npt.NDArray[np.float32] = np.maximum.reduceat(per_text, space.starts, axis=0).T
    return best


def calibrate(raw: npt.NDArray[np.float64], floor: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    scores: npt.NDArray[np.float64] = np.clip((raw - floor) / (1.0 - floor), 0.0, 1.0)
    return scores


def centroid_and_reps(vectors: Vector) -> tuple[Vector, Vector]:
    """The normalised centroid of one topic's members, and the members closest to it."""
    centroid = _normalise(vectors.mean(axis=0))
    if len(vectors) <= REPRESENTATIVES:
        return centroid, vectors
    closest = np.argpartition(-(vectors @ centroid), REPRESENTATIVES - 1)[:REPRESENTATIVES]
    return centroid, vectors[closest]


@dataclass(frozen=True, slots=True)
class _Members:
    """Every topic's member vectors in one matrix, topic after topic (so that 5,000 topics cost a few
    matrix products rather than 5,000 small ones)."""

    vectors: Vector  # (N, d)
    starts: npt.NDArray[np.intp]  # (T,)
    centroids: Vector  # (T, d), normalised
    reps: npt.NDArray[np.intp]  # rows of the representatives, topic after topic
    rep_starts: npt.NDArray[np.intp]  # (T,)


def _members(topics: Sequence[TopicInput]) -> _Members:
    counts = np.array([len(topic.vectors) for topic in topics], dtype=np.intp)
    starts = _starts(counts.tolist())
    vectors = np.ascontiguousarray(np.concatenate([topic.vectors for topic in topics]), dtype=np.float32)
    # One small mean per topic: np.add.reduceat over 5,000 short row segments is several times slower.
    centroids = _normalise(np.stack([topic.vectors.mean(axis=0) for topic in topics]))
    owner = np.repeat(np.arange(len(topics)), counts)
    central = np.einsum("ij,ij->i", vectors, centroids[owner])
    # By topic, then most central first; the first REPRESENTATIVES of each topic speak for it.
    order = np.lexsort((-central, owner))
    rank = np.arange(len(order)) - starts[owner[order]]
    reps = order[rank < REPRESENTATIVES]
    rep_counts = np.minimum(counts, REPRESENTATIVES)
    return _Members(vectors, starts, centroids, reps, _starts(rep_counts.tolist()))


def score_topics(space: ProfileSpace, topics: Sequence[TopicInput]) -> npt.NDArray[np.float64]:
    """(T, A) calibrated scores of topics that each have at least one member vector."""
    if not topics:
        return np.zeros((0, len(space.anchors)))
    return _score(space, topics, _members(topics))


def _score(space: ProfileSpace, topics: Sequence[TopicInput], members: _Members) -> npt.NDArray[np.float64]:
    raw = raw_scores(space, members.centroids, members.vectors[members.reps], members.rep_starts)
    return calibrate(raw, space.floors([topic.lang for topic in topics]))


def score_items(space: ProfileSpace, vectors: Vector, langs: Sequence[str | None]) -> npt.NDArray[np.float64]:
    """(N, A) calibrated scores of single items (the brand's own posts), against the item floors."""
    if len(vectors) == 0:
        return np.zeros((0, len(space.anchors)))
    raw = raw_scores(space, vectors, vectors, _starts([1] * len(vectors)))
    return calibrate(raw, space.floors(langs, items=True))


def is_rising(state: str, momentum: float) -> bool:
    if state in RISING_STATES:
        return True
    return state not in NOT_RISING_STATES and momentum >= MOMENTUM_RISING


def decide_stance(
    values: Mapping[str, float],
    red_lines: Mapping[str, float],
    contradictions: Mapping[str, float],
    weights: Mapping[str, float],
    state: str,
    momentum: float,
) -> Decision:
    """Sector, stance and the reason in words. The rules, in order:

    1. risk when the closest red line scores at least RED_LINE, whatever the topic's state: being tied to it
       is the exposure, rising or not;
    2. risk when the topic is close to a claimed value's opposites (at least CONTRADICTS) and closer to them
       than to the value itself by at least CONTRA_MARGIN: a brand claiming the value is contradicted by it;
    3. opportunity when the topic's sector is a value it is aligned with (at least ALIGNED) and it is rising
       (weak, emerging or mainstream; or not fading nor a spike, with momentum at least MOMENTUM_RISING);
    4. neutral otherwise.

    The sector is the value the topic is most aligned with when that is at least ALIGNED, except for a
    topic that contradicts a value: it sits in the sector of the value it contradicts.
    """
    best = max(values, key=lambda name: values[name], default=None)
    sector = best if best is not None and values[best] >= ALIGNED else None
    if red_lines:
        line = max(red_lines, key=lambda name: red_lines[name])
        if red_lines[line] >= RED_LINE:
            reason = f"close to the red line {line!r} ({red_lines[line]:.2f})"
            return Decision(sector, "risk", reason, because=line, score=red_lines[line])
    against = [
        name
        for name, score in contradictions.items()
        if weights.get(name, 0.0) > 0
        and score >= CONTRADICTS
        and score >= values.get(name, 0.0) + CONTRA_MARGIN
    ]
    if against:
        name = max(against, key=lambda n: contradictions[n])
        return Decision(
            name,
            "risk",
            f"contradicts {name!r}, a value the brand claims ({contradictions[name]:.2f} against "
            f"{values.get(name, 0.0):.2f} for it)",
            against=True,
            because=f"{name} (opposite)",
            score=contradictions[name],
        )
    if sector is None:
        return Decision(None, "neutral", "close to no value or red line")
    score = values[sector]
    if is_rising(state, momentum):
        reason = f"aligned with {sector!r} ({score:.2f}) and rising ({state}, momentum {momentum:+.2f})"
        return Decision(sector, "opportunity", reason, because=sector, score=score)
    reason = f"aligned with {sector!r} ({score:.2f}) but not rising ({state}, momentum {momentum:+.2f})"
    return Decision(sector, "neutral", reason, because=sector, score=score)


def place_topics(space: ProfileSpace, topics: Sequence[TopicInput]) -> list[Placement]:
    """Score every topic against every anchor, pick its sector and stance, and keep the evidence."""
    if not topics:
        return []
    members = _members(topics)
    scores = _score(space, topics, members)
    # Each member against each anchor (its best text), and each centroid against each text: the evidence.
    per_anchor = np.ascontiguousarray(best_per_anchor(space, members.vectors))
    text_sims = members.centroids @ space.text_vectors.T
    rounded = np.round(scores, 4).tolist()
    value_idx = space.indices("value")
    line_idx = space.indices("red_line")
    opposite_idx = space.indices("opposite")
    names = [anchor.name for anchor in space.anchors]
    weights = {names[i]: space.anchors[i].weight for i in value_idx}
    placements: list[Placement] = []
    for row, topic in enumerate(topics):
        line = rounded[row]
        values = {names[i]: line[i] for i in value_idx}
        lines = {names[i]: line[i] for i in line_idx}
        contra = {names[i]: line[i] for i in opposite_idx}
        decision = decide_stance(values, lines, contra, weights, topic.state, topic.momentum)
        start = int(members.starts[row])
        placements.append(
            Placement(
                topic_id=topic.id,
                alignment={**values, **lines},
                contradiction=contra,
                sector=decision.sector,
                stance=decision.stance,
                reason=decision.reason,
                evidence=_evidence(
                    space, topic, line, per_anchor[start : start + len(topic.vectors)], text_sims[row]
                ),
                against=decision.against,
                because=decision.because,
                score=decision.score,
            )
        )
    return placements


@lru_cache(maxsize=65536)
def _keyword_stems(keyword: str) -> frozenset[str]:
    return stems(keyword)


def _evidence(
    space: ProfileSpace,
    topic: TopicInput,
    scores: list[float],
    per_anchor: npt.NDArray[np.float32],
    text_sims: npt.NDArray[np.float32],
) -> dict[str, dict[str, Any]]:
    """For each anchor the topic scores above 0 on: its closest items, the anchor text that matched best,
    and the topic's keywords that share a word with the anchor."""
    hits = [a for a, score in enumerate(scores) if score > 0]
    if not hits:
        return {}
    keyword_stems = [(keyword, _keyword_stems(keyword)) for keyword in topic.keywords]
    out: dict[str, dict[str, Any]] = {}
    for a in hits:
        anchor = space.anchors[a]
        column = per_anchor[:, a]
        top = np.argsort(-column, kind="stable")[:EVIDENCE_ITEMS].tolist()
        similarity = np.round(column[top], 4).tolist()
        start = int(space.starts[a])
        best_text = start + int(np.argmax(text_sims[start : start + len(anchor.texts)]))
        out[anchor.key] = {
            "score": scores[a],
            "items": [
                {
                    "id": topic.member_ids[j] if j < len(topic.member_ids) else None,
                    "title": topic.member_titles[j] if j < len(topic.member_titles) else "",
                    "similarity": sim,
                }
                for j, sim in zip(top, similarity, strict=True)
            ],
            "matched": space.texts[best_text],
            "terms": [keyword for keyword, words in keyword_stems if words & space.vocab[a]],
        }
    return out


def polar_angle(topic_id: str, sector_index: int, sectors: int) -> float:
    """Degrees: inside the topic's sector, at a spot fixed by its id so that it does not jump between runs."""
    span = 360.0 / max(sectors, 1)
    spot = int(hashlib.sha256(topic_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return round(sector_index * span + span * (0.1 + 0.8 * spot), 2)
