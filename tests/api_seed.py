"""A small, real store for the API tests: two analysis runs, sources of two kinds, languages, lineage,
embeddings and centroids from the HashEmbedder (so that semantic search has meaning to find)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from radar.api.keys import create_key
from radar.bootstrap import make_cache
from radar.core import TOPICS_KEY, Radar
from radar.domain import Item
from radar.settings import load_config
from radar.store import AnalysisResult, TopicRecord, open_store
from tests.conftest import utc
from tests.fakes import HashEmbedder

T0 = utc(2026, 11, 1)

# (topic id, label, keywords, state, source, lang, novelty, growth, item texts)
TOPICS = [
    (
        "t-thrift",
        "Thrift flipping",
        ["thrift", "flip", "resale"],
        "emerging",
        "alpha",
        "en",
        0.8,
        3.0,
        ["thrift store flip haul", "resale thrift flipping tips", "thrift flip jeans"],
    ),
    (
        "t-matcha",
        "Matcha everything",
        ["matcha", "latte"],
        "weak",
        "beta",
        "fr",
        0.4,
        2.0,
        ["matcha latte recipe", "matcha croissant bakery", "iced matcha latte"],
    ),
    (
        "t-vinyl",
        "Vinyl revival",
        ["vinyl", "records"],
        "mainstream",
        "alpha",
        "en",
        None,
        1.0,
        ["vinyl records sales", "vinyl record store day", "records on vinyl again"],
    ),
    (
        "t-fade",
        "Fidget spinners",
        ["fidget", "spinner"],
        "fading",
        "beta",
        "de",
        0.1,
        0.2,
        ["fidget spinner tricks", "fidget spinner ban"],
    ),
]


def seed(radar: Radar) -> dict[str, list[str]]:
    """Two runs; the second is the latest. Returns the item ids of each topic."""
    store = radar.store
    store.sync_sources(
        [("alpha", "feed", "https://a.example/feed"), ("beta", "reddit", "https://b.example/")]
    )
    embedder = HashEmbedder()
    items: list[Item] = []
    members: dict[str, list[str]] = {}
    n = 0
    for topic_id, _label, _kw, _state, source, lang, *_rest, texts in TOPICS:
        for text in texts:
            item_id = f"i{n:03d}"
            items.append(
                Item(
                    id=item_id,
                    source=source,
                    url=f"https://{source}.example/{n}",
                    title=text,
                    text="",
                    published_at=T0 + timedelta(days=n % 6),
                    fetched_at=T0,
                    lang=lang,
                )
            )
            members.setdefault(topic_id, []).append(item_id)
            n += 1
    store.add_items(items)
    vectors = embedder.embed([item.content for item in items])
    store.save_embeddings(embedder.name, [(item.id, vectors[i]) for i, item in enumerate(items)])
    by_id = {item.id: i for i, item in enumerate(items)}
    for run_number in (1, 2):
        run = store.start_run(as_of=T0 + timedelta(days=6 + run_number), window_days=30, model=embedder.name)
        records = []
        for number, (topic_id, label, keywords, state, source, lang, novelty, growth, _t) in enumerate(
            TOPICS
        ):
            ids = members[topic_id]
            centroid = vectors[[by_id[i] for i in ids]].mean(axis=0)
            measures = {"growth": growth} | ({"novelty": novelty} if novelty is not None else {})
            records.append(
                TopicRecord(
                    id=topic_id,
                    label=label,
                    keywords=keywords,
                    size=len(ids),
                    first_seen=date(2026, 11, 1) + timedelta(days=number),
                    last_seen=date(2026, 11, 6),
                    growth=growth,
                    centroid=(centroid / np.linalg.norm(centroid)).astype(np.float32),
                    daily={date(2026, 11, 1) + timedelta(days=d): 1 for d in range(len(ids))},
                    state=state if run_number == 2 else "weak",
                    previous_state=None if run_number == 1 else "weak",
                    score=growth / 10,
                    evidence={
                        "rule": f"{state}: test",
                        "measures": measures,
                        "sources": {source: len(ids)},
                        "langs": {lang: len(ids)},
                    },
                )
            )
        store.finish_run(
            run,
            AnalysisResult(
                topics=records,
                assignments=[
                    (i, topic_id, 0.9 - 0.1 * k)
                    for topic_id, ids in members.items()
                    for k, i in enumerate(ids)
                ],
                n_items=len(items),
                lineage=[("t-fade", "merged_into", "t-thrift")] if run_number == 2 else [],
            ),
        )
    return members


# A brand profile with two values for the radar tests (brand.toml).
BRAND = """
[[profile]]
name = "maison"
description = "A test brand."

[[profile.values]]
name = "Sustainability"
description = "Second-hand, thrift and resale instead of buying new."
examples = ["thrift store flip", "resale"]

[[profile.values]]
name = "Craft"
description = "Records, vinyl and things made to last."
"""


class Keys:
    def __init__(self, radar: Radar) -> None:
        self.read, _ = create_key(radar.store, "read", "reader")
        self.admin, _ = create_key(radar.store, "admin", "boss")

    @staticmethod
    def auth(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


def make_test_radar(home: Path, env: dict[str, str]) -> Radar:
    config = load_config(home, env)
    settings = config.settings
    store = open_store(settings.store_url)
    return Radar(config, store, make_cache(settings), HashEmbedder())


@pytest.fixture(params=["sqlite+embedded", "postgresql+redis"])
def backend_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite+embedded":
        return {"RADAR_API_RATE_LIMIT": "0"}
    return {
        "RADAR_DATABASE_URL": request.getfixturevalue("pg_url"),
        "RADAR_REDIS_URL": request.getfixturevalue("redis_url"),
        "RADAR_API_RATE_LIMIT": "0",
    }


@pytest.fixture
def seeded(home: Path, backend_env: dict[str, str]) -> Iterator[Radar]:
    radar = make_test_radar(home, backend_env)
    radar.cache.delete(TOPICS_KEY)
    seed(radar)
    yield radar
    radar.cache.delete(TOPICS_KEY)
    radar.close()
