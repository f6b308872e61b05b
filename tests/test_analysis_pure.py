"""Pure parts of the analysis: identity matching, labels, due sources."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from radar.analysis.labels import readable_label
from radar.analysis.tracking import match_topics
from radar.domain import SourceState
from radar.schedule import due_sources, next_fetch_at
from radar.settings import SourceConfig
from tests.conftest import utc

AS_OF = date(2026, 11, 15)


def _days(counts: dict[int, int]) -> dict[date, int]:
    """{days_before_as_of: items}."""
    return {AS_OF - timedelta(days=ago): n for ago, n in counts.items()}


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_match_keeps_ids_one_to_one() -> None:
    tracked = [("a", _unit(1, 0, 0)), ("b", _unit(0, 1, 0))]
    new = [_unit(0.05, 1, 0), _unit(1, 0.1, 0), _unit(0, 0, 1), _unit(0.9, 0.2, 0)]
    assert match_topics(new, tracked) == ["b", "a", None, None]


def test_match_threshold_and_other_models() -> None:
    tracked = [("a", _unit(1, 0, 0))]
    assert match_topics([_unit(1, 1.2, 0)], tracked) == [None]  # cosine 0.64 < 0.7
    assert match_topics([_unit(1, 0.5, 0)], tracked) == ["a"]  # cosine 0.89
    assert match_topics([_unit(1, 0)], tracked) == [None]  # other dimension: not comparable
    assert match_topics([], tracked) == []


def test_readable_label() -> None:
    assert readable_label(["repair café", "repair", "cafés", "phones", "fix"]) == "Repair café · phones · fix"
    assert readable_label(["semaine", "quatre jours", "jours"]) == "Semaine · quatre jours"
    assert readable_label([]) == "(unlabelled)"


def _source(name: str, interval: str = "1h", enabled: bool = True) -> SourceConfig:
    return SourceConfig(name=name, url=f"https://{name}.example/feed", interval=interval, enabled=enabled)


def test_due_sources() -> None:
    now = utc(2026, 11, 29, 12)
    fresh = SourceState("fresh", "feed", "u", last_fetch_at=now - timedelta(minutes=10))
    stale = SourceState("stale", "feed", "u", last_fetch_at=now - timedelta(hours=2))
    failing = SourceState(
        "failing", "feed", "u", last_fetch_at=now - timedelta(hours=2), consecutive_errors=3
    )
    states = {s.name: s for s in (fresh, stale, failing)}
    sources = [
        _source("new"),
        _source("fresh"),
        _source("stale"),
        _source("failing"),
        _source("off", enabled=False),
    ]
    assert [s.name for s in due_sources(sources, states, now)] == ["new", "stale"]
    # Three failures in a row: wait 4 intervals, not 1.
    assert next_fetch_at(_source("failing"), failing) == now + timedelta(hours=2)


def test_stop_words_match_the_tokeniser() -> None:
    """French elisions are split by the tokeniser; the stop list must hold their parts too, or scikit-learn
    warns on every fit (and "hui" from "aujourd'hui" would become a keyword)."""
    import warnings

    from sklearn.feature_extraction.text import CountVectorizer

    from radar.analysis.stopwords import TOKEN_PATTERN, stop_words

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vectorizer = CountVectorizer(stop_words=stop_words(), token_pattern=TOKEN_PATTERN)
        vectorizer.fit(["aujourd'hui les gens réparent leurs vélos", "l'eau du repair café"])
    assert "hui" not in vectorizer.vocabulary_ and "eau" in vectorizer.vocabulary_
    assert {"réparent", "vélos", "repair", "café"} <= set(vectorizer.vocabulary_)
