"""Near-duplicate fingerprints (collectors.neardup): stability, the short-text rule, the index."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.neardup import (
    THRESHOLD,
    NearIndex,
    distance,
    fingerprint,
    normalise,
    to_signed,
    to_unsigned,
)

STORY = (
    "City councils across the region voted this week to extend the night bus network to the outer "
    "suburbs, after a year-long trial showed ridership far above forecasts and fewer late-night car "
    "journeys. Operators will hire forty drivers and the first new routes open in March, the transport "
    "authority said on Tuesday, adding that fares stay unchanged until the end of next year."
)
T0 = datetime(2026, 3, 1, tzinfo=UTC)

words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)
long_texts = st.lists(words, min_size=60, max_size=120).map(" ".join)
# SimHash counts each distinct shingle once: "0 0 0 ... 0" is one shingle however long, and one edit
# changes half of it. A long text, for the edit property, is one of many distinct words.
plain_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
distinct_texts = st.lists(plain_words, min_size=400, max_size=450, unique=True).map(" ".join)


def fp(title: str, text: str = "") -> int:
    value = fingerprint(title, text)
    assert value is not None
    return value


def test_case_punctuation_and_spacing_do_not_count() -> None:
    noisy = STORY.upper().replace(" ", "  \n ").replace(",", " ;")
    assert fp("Night buses", STORY) == fp("NIGHT   buses!", noisy)


def test_a_syndicated_copy_is_near_and_another_story_is_not() -> None:
    copy = fp("Night buses - Reuters", STORY)
    assert distance(fp("Night buses", STORY), copy) <= THRESHOLD
    other = STORY.replace("night bus network", "bicycle lanes").replace("ridership", "cycling")
    unrelated = fp("Tram works", "The museum reopens its modern art wing after two years of repairs " * 3)
    assert distance(fp("Night buses", STORY), unrelated) > THRESHOLD
    assert fp("Night buses", STORY) != fp("Night buses", other)


def test_short_texts_match_only_when_identical() -> None:
    title = "Night bus network extended to outer suburbs"
    assert fp(title) == fp(title.upper() + "!")
    # One changed word in a title: a plain hash, so nowhere near (a SimHash would say little here).
    assert distance(fp(title), fp(title.replace("outer", "inner"))) > THRESHOLD
    assert fingerprint("Video", "") is None
    assert fingerprint("Weekly update", "") is None


def test_fingerprints_are_stable_across_processes() -> None:
    # Python's hash() is salted per process; a stored fingerprint must not be.
    code = f"from collectors.neardup import fingerprint; print(fingerprint('Night buses', {STORY!r}))"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert runs == {f"{fp('Night buses', STORY)}\n"}


def test_signed_round_trip() -> None:
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        signed = to_signed(value)
        assert -(1 << 63) <= signed < (1 << 63)
        assert to_unsigned(signed) == value
        assert distance(signed, value) == 0


@given(long_texts, long_texts)
def test_distance_is_symmetric(a: str, b: str) -> None:
    assert distance(fp(a), fp(b)) == distance(fp(b), fp(a))


@given(long_texts)
def test_same_normalised_content_is_at_distance_zero(text: str) -> None:
    reflowed = " ,\n".join(text.split()) + " ?!"
    assert normalise(text, "") == normalise(reflowed, "")
    assert distance(fp(text), fp(reflowed)) == 0


# With 400 distinct words one edit changes 4 of ~400 shingles: each bit flips with probability ~3%,
# so more than THRESHOLD bits happens about once in 2,000 texts. A fixed seed keeps the run stable.
@settings(derandomize=True, max_examples=60, deadline=None)
@given(distinct_texts, st.integers(min_value=0), plain_words)
def test_one_word_edit_of_a_long_text_is_near(text: str, where: int, replacement: str) -> None:
    parts = text.split()
    parts[where % len(parts)] = replacement + "9"  # never a word already there (they have no digit)
    assert distance(fp(text), fp(" ".join(parts))) <= THRESHOLD


def test_index_finds_the_nearest_original_within_the_window() -> None:
    index = NearIndex()
    story, other = fp("Night buses", STORY), fp("Museum", "The museum reopens its modern art wing " * 4)
    index.add(other, T0, "museum")
    index.add(story, T0, "buses")
    assert index.find(fp("Night buses - BBC", STORY), T0 + timedelta(days=6)) == "buses"
    assert index.find(story, T0 + timedelta(days=8)) is None  # outside the window
    assert index.find(story, T0 - timedelta(days=8)) is None
    assert index.find(fp("Tram", "Trams run late on Sundays from next month onwards " * 3), T0) is None


def test_index_out_of_order_searches_everything() -> None:
    index = NearIndex()
    story = fp("Night buses", STORY)
    index.add(story ^ 0b1, T0 + timedelta(days=3), "later")
    index.add(story ^ 0b111, T0, "earlier-but-added-second")
    index.add(story, T0 + timedelta(days=1), "exact")
    assert index.find(story, T0) == "exact"  # the nearest wins
    assert index.find(story ^ 0b111, T0 - timedelta(days=6)) == "earlier-but-added-second"
    assert len(index) == 3


def test_index_tie_goes_to_the_first_added() -> None:
    index = NearIndex()
    story = fp("Night buses", STORY)
    for key in ("first", "second"):
        index.add(story, T0, key)
    assert index.find(story, T0) == "first"


def test_extend_is_add_many() -> None:
    story = fp("Night buses", STORY)
    rows = [(story ^ (1 << n), T0 + timedelta(hours=n), f"k{n}") for n in range(40)]
    one_by_one, at_once = NearIndex(), NearIndex()
    for row in rows:
        one_by_one.add(*row)
    at_once.extend(rows[:10])
    at_once.extend(rows[10:])
    at_once.add(story, T0 + timedelta(days=30), "late")
    one_by_one.add(story, T0 + timedelta(days=30), "late")
    for probe in (T0, T0 + timedelta(days=5), T0 + timedelta(days=29)):
        assert at_once.find(story, probe) == one_by_one.find(story, probe)
    assert at_once.find(story, T0 + timedelta(days=29)) == "late"
    at_once.extend([(story, T0, "back in time")])  # out of order: every entry is searched from now on
    assert at_once.find(story, T0) == "back in time"  # the exact one, though added last
    assert at_once.find(story ^ 1, T0) == "k0"


def test_backtest_corpus_maps_a_near_copy_to_its_original(tmp_path: Path) -> None:
    from radar.backtest.corpus import load_corpus

    lines = [
        {"id": "a", "published_at": "2026-03-01T09:00:00Z", "title": "Night buses", "text": STORY},
        {"id": "b", "published_at": "2026-03-02T09:00:00Z", "title": "Night buses - Wire", "text": STORY},
        {"id": "c", "published_at": "2026-03-20T09:00:00Z", "title": "Night buses - Wire", "text": STORY},
        {"id": "d", "published_at": "2026-03-02T10:00:00Z", "title": "Museum", "text": "Reopens. " * 30},
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    corpus = load_corpus(path)
    # "c" is the same text three weeks on: outside the window, analysed again, as in live collection.
    assert corpus.duplicate_of == {"b": "a"}
    assert [r.id for r in corpus.records] == ["a", "d", "c"]
    assert corpus.duplicates_by_content == 1
