"""Placement with the real model on a hand-written set whose answer is clear, and the stance rules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from radar.embedding import make_embedder
from radar.settings import BrandProfile
from radar.store.records import Vector
from radar.values.placement import (
    ALIGNED,
    CONTRA_MARGIN,
    CONTRADICTS,
    RED_LINE,
    Placement,
    ProfileSpace,
    TopicInput,
    build_space,
    decide_stance,
    place_topics,
    polar_angle,
    robust_floor,
)

ECOLOGY = BrandProfile.model_validate(
    {
        "name": "eco",
        "values": [
            {
                "name": "Ecology",
                "description": "Caring for the planet: products that last and can be repaired, less waste "
                "and less carbon, buying less but better.",
                "examples": ["repair café", "second-hand and refurbished goods", "zero waste living"],
                "opposites": [
                    "fast fashion haul",
                    "cheap clothes bought every week and thrown away",
                    "disposable single-use products",
                ],
                "weight": 3,
            },
            {
                "name": "Wellbeing at work",
                "description": "Fair working conditions, time for life outside work, respect for staff.",
                "examples": ["four-day week", "flexible hours", "fair pay"],
                "weight": 1,
            },
        ],
        "red_lines": [
            {
                "name": "Greenwashing",
                "description": "Environmental claims that are vague, misleading or contradicted by what the "
                "brand does.",
                "examples": ["fake eco collection", "misleading green claims"],
            }
        ],
    }
)

TOPICS: dict[str, list[str]] = {
    "haul": [
        "My huge fast fashion haul: 30 new tops for under 100 euros",
        "Try-on haul from the cheapest online fashion store",
        "Everything I bought this month in one giant clothing haul",
        "Unboxing my biggest clothing haul yet, so many cheap dresses",
        "Why I buy new outfits every weekend",
    ],
    "repair": [
        "The neighbourhood repair café fixed my toaster for free",
        "Right to repair: volunteers teach people to mend phones",
        "Learning to sew patches on old jeans instead of throwing them out",
        "Repair cafés are popping up in every town",
        "Fixing a broken lamp at the community workshop",
    ],
    "fourday": [
        "Company trials a four-day week with no pay cut",
        "Staff report less burnout after moving to four days",
        "Unions push for a shorter working week",
        "The 32-hour week pilot ends with happier employees",
        "Flexible hours become the norm at the startup",
    ],
    "greenwash": [
        "Fashion brand accused of greenwashing over its 'eco' line",
        "Regulator fines retailer for misleading green claims",
        "The 'carbon neutral' label turns out to be meaningless",
        "Investigation: the sustainable collection is mostly polyester",
        "Activists expose fake eco packaging claims",
    ],
    # Unrelated to every value and red line: these must score (close to) zero.
    "football": [
        "The striker scored a hat-trick in the derby",
        "Transfer rumours: the club is chasing a new goalkeeper",
        "Champions League draw: tough group for the holders",
        "Fans celebrate the late equaliser",
        "The manager was sacked after five defeats",
    ],
    "jazz": [
        "The jazz quartet played a sold-out show on Friday",
        "A tribute concert to Coltrane at the festival",
        "The saxophonist releases a new live album",
        "Jazz clubs reopen downtown",
        "The big band rehearses for the winter gala",
    ],
    "marathon": [
        "Training plan for your first marathon",
        "She ran the city marathon in under three hours",
        "Running shoes reviewed after 500 km",
        "How to avoid injuries when running long distance",
        "The marathon route passes the old harbour",
    ],
    "cuisine": [
        "Recette de gratin dauphinois pour le dimanche",
        "Cinq idées de soupes pour l'hiver",
        "Le pot-au-feu de ma grand-mère",
        "Tarte aux pommes facile et rapide",
        "Comment réussir une blanquette de veau",
    ],
}
UNRELATED = ("football", "jazz", "marathon", "cuisine")


class CountingEmbedder:
    def __init__(self) -> None:
        self.inner = make_embedder("all-MiniLM-L6-v2")
        self.name = self.inner.name
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vector:
        self.calls += 1
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="module")
def space(embedder: CountingEmbedder) -> ProfileSpace:
    before = embedder.calls
    built = build_space(ECOLOGY, embedder.embed)
    assert embedder.calls == before + 1  # anchors and references in one call, once per run
    return built


@pytest.fixture(scope="module")
def placed(space: ProfileSpace, embedder: CountingEmbedder) -> dict[str, tuple[TopicInput, Placement]]:
    inputs = [
        TopicInput(
            id=name,
            label=name,
            state="emerging",
            momentum=0.8,
            size=len(texts),
            keywords=("repair", "haul", "week", "claims"),
            lang="fr" if name == "cuisine" else "en",
            member_ids=tuple(f"{name}-{i}" for i in range(len(texts))),
            member_titles=tuple(texts),
            vectors=embedder.embed(texts),
        )
        for name, texts in TOPICS.items()
    ]
    calls = embedder.calls
    placements = place_topics(space, inputs)
    assert embedder.calls == calls  # placing embeds nothing: vectors come from the store
    return {topic.id: (topic, placement) for topic, placement in zip(inputs, placements, strict=True)}


def test_fast_fashion_haul_is_a_risk_for_ecology(placed: dict[str, tuple[TopicInput, Placement]]) -> None:
    _, haul = placed["haul"]
    assert haul.stance == "risk" and haul.sector == "Ecology" and haul.against
    assert haul.contradiction["Ecology"] >= haul.alignment["Ecology"] + CONTRA_MARGIN


def test_repair_culture_is_an_opportunity_for_ecology(
    placed: dict[str, tuple[TopicInput, Placement]],
) -> None:
    _, repair = placed["repair"]
    assert repair.stance == "opportunity" and repair.sector == "Ecology"
    assert repair.alignment["Ecology"] >= 2 * ALIGNED
    evidence = repair.evidence["Ecology"]
    assert len(evidence["items"]) == 3 and all(
        item["title"] in TOPICS["repair"] for item in evidence["items"]
    )
    assert evidence["items"][0]["similarity"] >= evidence["items"][-1]["similarity"]
    assert "repair" in evidence["terms"] and "haul" not in evidence["terms"]


def test_the_other_values_and_the_red_line(placed: dict[str, tuple[TopicInput, Placement]]) -> None:
    _, work = placed["fourday"]
    assert work.stance == "opportunity" and work.sector == "Wellbeing at work"
    _, scandal = placed["greenwash"]
    assert scandal.stance == "risk" and scandal.alignment["Greenwashing"] >= RED_LINE


def test_unrelated_topics_score_near_zero(placed: dict[str, tuple[TopicInput, Placement]]) -> None:
    for name in UNRELATED:
        _, placement = placed[name]
        scores = [*placement.alignment.values(), *placement.contradiction.values()]
        assert max(scores) <= 0.05, (name, scores)
        assert placement.stance == "neutral" and placement.sector is None
        assert placement.evidence == {} or max(scores) > 0


def test_floors_sit_between_unrelated_and_related_similarity(space: ProfileSpace) -> None:
    # French text is closer to anything than English text is, to an English-trained model: its own floor.
    assert set(space.topic_floor) == {"*", "en", "fr"}
    assert all(0.0 < floor < 0.5 for floor in space.topic_floor["en"])


def test_robust_floor_ignores_one_reference_that_touches_a_value() -> None:
    raw = np.array([[0.10], [0.12], [0.11], [0.09], [0.10], [0.95]])
    assert robust_floor(raw)[0] == pytest.approx(0.105 + 2 * 1.4826 * 0.01, abs=1e-6)
    assert raw.mean() + 2 * raw.std() > 0.5  # what a mean and standard deviation would have made of it


def _decide(
    values: dict[str, float],
    lines: dict[str, float] | None = None,
    contra: dict[str, float] | None = None,
    state: str = "emerging",
    momentum: float = 0.5,
    weight: float = 1.0,
) -> tuple[str | None, str]:
    decision = decide_stance(
        values, lines or {}, contra or {}, dict.fromkeys(values, weight), state, momentum
    )
    return decision.sector, decision.stance


def test_stance_rules() -> None:
    assert _decide({"A": 0.3}) == ("A", "opportunity")
    assert _decide({"A": 0.3}, state="fading", momentum=1.0) == ("A", "neutral")  # fading is not rising
    assert _decide({"A": 0.3}, state="spike", momentum=2.0) == ("A", "neutral")  # nor a burst
    assert _decide({"A": 0.3}, state="noise", momentum=0.3) == ("A", "opportunity")  # momentum is enough
    assert _decide({"A": 0.3}, state="noise", momentum=0.1) == ("A", "neutral")
    assert _decide({"A": ALIGNED - 0.01}) == (None, "neutral")
    assert _decide({"A": 0.3}, lines={"L": RED_LINE}, state="fading") == ("A", "risk")  # whatever the state
    assert _decide({"A": 0.1}, contra={"A": CONTRADICTS}) == ("A", "risk")
    assert _decide({"A": 0.3}, contra={"A": 0.35}) == ("A", "opportunity")  # not clearly against it
    assert _decide({"A": 0.1}, contra={"A": 0.5}, weight=0) == (None, "neutral")  # a value not claimed


def test_polar_angle_stays_in_its_sector_and_is_stable() -> None:
    angles = [polar_angle(f"t{i}", 2, 4) for i in range(50)]
    assert all(180 < angle < 270 for angle in angles)
    assert polar_angle("t7", 2, 4) == polar_angle("t7", 2, 4)
    assert len(set(angles)) > 40
