"""Snapshot and deltas through the store (SQLite and PostgreSQL), the cache (Redis and embedded), the
Radar facade and the CLI. Placement uses the hash embedder here; its semantics are tested with the real
model in test_values_placement.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from radar.cache import Cache, EmbeddedCache, RedisCache
from radar.core import DELTAS_KEY, EVIDENCE_BUCKETS, EVIDENCE_KEY, SNAPSHOT_KEY, Radar
from radar.domain import Item
from radar.errors import ConfigError
from radar.settings import BrandProfile, RadarConfig, Settings, SourceConfig
from radar.store import AnalysisResult, SqlStore, TopicRecord, open_store
from radar.values.snapshot import VERSION, alignment_of
from tests.conftest import run_cli, utc
from tests.fakes import HashEmbedder

T0 = utc(2026, 11, 1, 9)
PROFILE = BrandProfile.model_validate(
    {
        "name": "shop",
        "values": [
            {
                "name": "Repair",
                "description": "repair mend fix broken things",
                "examples": ["repair cafe"],
                "weight": 2,
            },
            {"name": "Local", "description": "local farmers market produce", "weight": 1},
        ],
        "red_lines": [{"name": "Scandal", "description": "scandal fraud lawsuit exposed"}],
    }
)
OTHER = BrandProfile.model_validate(
    {"name": "other", "values": [{"name": "Chess", "description": "chess grandmaster tournament"}]}
)
TEXTS = {
    "t-repair": [
        "repair cafe volunteers fix broken toasters",
        "neighbours mend torn jackets at the repair evening",
        "fix your broken phone screen instead of replacing it",
        "the repair cafe in the library mends lamps",
    ],
    "t-chess": [
        "chess grandmaster wins the tournament opening",
        "endgame study from the rapid chess event",
        "the young grandmaster draws with the favourite",
    ],
    "t-scandal": [
        "fraud scandal exposed at the clothing brand",
        "lawsuit follows the exposed fraud",
        "scandal grows as documents are exposed",
    ],
}
OWN = ["we repair and mend broken chairs in our workshop", "our local farmers market produce stall opens"]


def _config(home: Path, *profiles: BrandProfile) -> RadarConfig:
    sources = (
        SourceConfig(name="news", url="https://news.example/"),
        SourceConfig(name="blog", url="https://blog.example/", owned=True),
    )
    return RadarConfig(settings=Settings(home=home), sources=sources, profiles=profiles or (PROFILE,))


def _seed_items(store: SqlStore) -> None:
    store.sync_sources([("news", "feed", "https://news.example/"), ("blog", "feed", "https://blog.example/")])
    items = [
        Item(
            id=f"{topic}-{n}",
            source="news",
            url=f"https://news.example/{topic}/{n}",
            title=text,
            text="",
            published_at=T0 + timedelta(days=n),
            fetched_at=T0,
        )
        for topic, texts in TEXTS.items()
        for n, text in enumerate(texts)
    ]
    items += [
        Item(
            id=f"own-{n}",
            source="blog",
            url=f"https://blog.example/{n}",
            title=text,
            text="",
            published_at=T0 + timedelta(days=n),
            fetched_at=T0,
        )
        for n, text in enumerate(OWN)
    ]
    store.add_items(items)
    vectors = HashEmbedder().embed([item.title for item in items])
    store.save_embeddings(HashEmbedder.name, [(item.id, vectors[i]) for i, item in enumerate(items)])


def _run(store: SqlStore, day: int, topics: dict[str, tuple[str, float]]) -> int:
    """A finished run holding ``topics`` (id -> (state, growth)) and all their items."""
    run_id = store.start_run(as_of=T0 + timedelta(days=day), window_days=30, model=HashEmbedder.name)
    records = [
        TopicRecord(
            id=topic_id,
            label=topic_id,
            keywords=TEXTS[topic_id][0].split()[:3],
            size=len(TEXTS[topic_id]),
            first_seen=date(2026, 11, 1),
            last_seen=date(2026, 11, 4),
            growth=growth,
            centroid=np.zeros(HashEmbedder().dim, dtype=np.float32),
            state=state,
            evidence={"measures": {"growth": growth}},
        )
        for topic_id, (state, growth) in topics.items()
    ]
    assignments: list[tuple[str, str, float | None]] = [
        (f"{t}-{n}", t, None) for t in topics for n in range(len(TEXTS[t]))
    ]
    store.finish_run(
        run_id, AnalysisResult(topics=records, assignments=assignments, n_items=len(assignments))
    )
    return run_id


def test_value_views_round_trip(store: SqlStore) -> None:
    _seed_items(store)
    run1 = _run(store, 5, {"t-repair": ("weak", 2.0)})
    run2 = _run(store, 12, {"t-repair": ("emerging", 3.0)})
    assert store.value_snapshot("shop") is None and store.value_deltas("shop") is None
    store.save_value_views(run1, "shop", {"run_id": run1, "x": [1.5]}, {"d": 1}, None)
    store.save_value_views(run2, "shop", {"run_id": run2, "x": [2]}, {"d": 2}, run1)
    store.save_value_views(run2, "shop", {"run_id": run2, "x": [3]}, {"d": 3}, run1)  # replaces
    store.save_value_views(run2, "other", {"run_id": run2, "other": True}, {}, None)
    assert store.value_snapshot("shop") == {"run_id": run2, "x": [3]}
    assert store.value_snapshot("shop", run1) == {"run_id": run1, "x": [1.5]}
    assert store.value_snapshot("shop", before=run2) == {"run_id": run1, "x": [1.5]}
    assert store.value_snapshot("shop", before=run1) is None
    assert store.value_deltas("shop") == {"d": 3} and store.value_deltas("shop", run1) == {"d": 1}
    members = store.run_members(run2, HashEmbedder.name)
    assert [(m.topic_id, m.item_id) for m in members] == [("t-repair", f"t-repair-{n}") for n in range(4)]
    assert members[0].vector.shape == (HashEmbedder().dim,) and members[0].source == "news"
    own = store.source_items(HashEmbedder.name, ["blog"], T0, T0 + timedelta(days=30))
    assert [row.title for row in own] == OWN
    assert store.source_items(HashEmbedder.name, [], T0, T0 + timedelta(days=30)) == []


@pytest.fixture(params=["embedded", "redis"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cache]:
    made: Cache
    if request.param == "embedded":
        made = EmbeddedCache(tmp_path / "cache.sqlite3")
    else:
        made = RedisCache(request.getfixturevalue("redis_url"), prefix=f"vigie-test-{uuid.uuid4().hex[:8]}:")
    yield made
    made.close()


def _flush(cache: Cache) -> None:
    """Lose everything this radar cached, as a Redis FLUSHDB (limited to this test's keys) would."""
    if isinstance(cache, RedisCache):
        for key in cache._client.scan_iter(match=cache.prefix + "*"):
            cache._client.delete(key)
    else:
        for profile in ("shop", "other"):
            cache.delete(SNAPSHOT_KEY.format(profile=profile))
            cache.delete(DELTAS_KEY.format(profile=profile))
            for bucket in range(EVIDENCE_BUCKETS):
                cache.delete(EVIDENCE_KEY.format(profile=profile, bucket=bucket))


def test_facade_serves_snapshot_and_deltas_from_cache_and_rebuilds_after_a_flush(
    store: SqlStore, cache: Cache, tmp_path: Path
) -> None:
    radar = Radar(_config(tmp_path, PROFILE, OTHER), store, cache, HashEmbedder())
    _seed_items(store)
    assert radar.snapshot()["run_id"] is None  # before any run: empty, not an error
    run1 = _run(store, 5, {"t-repair": ("weak", 2.0), "t-chess": ("noise", 1.0)})
    radar._refresh_values(store.latest_run())  # type: ignore[arg-type]
    run2 = _run(store, 12, {"t-repair": ("emerging", 3.0), "t-scandal": ("spike", 8.0)})
    radar._refresh_values(store.latest_run())  # type: ignore[arg-type]

    assert radar.profiles() == ["shop", "other"]
    snap = radar.snapshot()
    assert snap["profile"] == "shop" and snap["run_id"] == run2 and snap["as_of"].startswith("2026-11-13")
    topics = {t["id"]: t for t in snap["topics"]}
    assert topics["t-repair"]["stance"] == "opportunity" and topics["t-repair"]["sector"] == "Repair"
    assert snap["version"] == VERSION and snap["alignment_keys"] == ["Repair", "Local", "Scandal"]
    assert topics["t-scandal"]["stance"] == "risk" and alignment_of(snap, topics["t-scandal"])["Scandal"] > 0
    assert len(topics["t-repair"]["alignment"]) == 3
    assert all(round(score, 3) == score for topic in topics.values() for score in topic["alignment"])
    assert isinstance(topics["t-repair"]["momentum"], float)
    # The evidence is read apart, one topic at a time, and is not in the snapshot.
    assert not any("evidence" in topic or "contradiction" in topic for topic in topics.values())
    evidence = radar.placement_evidence("shop", "t-repair")
    assert evidence is not None and evidence["evidence"]["Repair"]["items"]
    assert radar.placement_evidence("shop", "t-chess") is None  # gone at run 2
    both = radar.placement_evidences("shop", ["t-repair", "t-scandal", "nope"])
    assert set(both) == {"t-repair", "t-scandal"} and both["t-repair"] == evidence
    gap = {row["value"]: row for row in snap["say_do"]["values"]}
    assert (
        snap["say_do"]["own_items"] == 2
        and gap["Repair"]["own_items"] == 1
        and gap["Local"]["own_items"] == 1
    )
    assert gap["Repair"]["momentum"] == pytest.approx(np.log2(3.0), abs=1e-3)

    deltas = radar.deltas()
    assert deltas["run_id"] == run2 and deltas["previous_run_id"] == run1
    assert [t["id"] for t in deltas["new_topics"]] == ["t-scandal"]
    assert [t["id"] for t in deltas["gone_topics"]] == ["t-chess"]
    assert deltas["state_changes"] == [
        {"id": "t-repair", "label": "t-repair", "from": "weak", "to": "emerging"}
    ]
    assert radar.deltas(since_run=run2)["summary"]["new"] == 0  # against itself: nothing changed
    assert radar.snapshot("other")["profile"] == "other"

    cached = cache.get(SNAPSHOT_KEY.format(profile="shop"))
    assert cached is not None and json.loads(cached) == snap
    assert radar.snapshot_json() == cached  # the bytes as cached, not encoded again
    _flush(cache)
    assert cache.get(SNAPSHOT_KEY.format(profile="shop")) is None
    assert json.loads(radar.snapshot_json()) == snap  # rebuilt from the store on a miss
    _flush(cache)
    assert radar.placement_evidence("shop", "t-repair") == evidence  # the evidence too
    assert cache.get(SNAPSHOT_KEY.format(profile="shop")) is not None  # and the whole view cached again
    _flush(cache)
    assert radar.snapshot() == snap and radar.deltas() == deltas  # rebuilt from the store
    assert cache.get(DELTAS_KEY.format(profile="shop")) is not None  # and cached again

    with pytest.raises(ConfigError, match="known profiles: shop, other"):
        radar.snapshot("nope")
    with pytest.raises(ConfigError):
        radar.deltas("nope")


def test_a_run_without_views_is_placed_on_first_read(store: SqlStore, tmp_path: Path) -> None:
    radar = Radar(_config(tmp_path), store, EmbeddedCache(tmp_path / "c.sqlite3"), HashEmbedder())
    _seed_items(store)
    run = _run(store, 5, {"t-repair": ("weak", 2.0)})  # e.g. a run made before brand values existed
    assert store.value_snapshot("shop") is None
    assert radar.snapshot()["run_id"] == run
    assert store.value_snapshot("shop", run) is not None and radar.deltas()["previous_run_id"] is None
    radar.close()


def test_views_stored_in_an_older_shape_are_placed_again(store: SqlStore, tmp_path: Path) -> None:
    """A version 1 snapshot (evidence inside each topic) left in the store by older code is not served."""
    radar = Radar(_config(tmp_path), store, EmbeddedCache(tmp_path / "c.sqlite3"), HashEmbedder())
    _seed_items(store)
    run = _run(store, 5, {"t-repair": ("weak", 2.0)})
    old = {"version": 1, "profile": "shop", "run_id": run, "topics": [{"id": "t-repair", "evidence": {}}]}
    store.save_value_views(run, "shop", old, {"summary": {}}, None)
    snap = radar.snapshot()
    assert snap["version"] == VERSION and [t["id"] for t in snap["topics"]] == ["t-repair"]
    assert "evidence" not in snap and "evidence" not in snap["topics"][0]
    assert store.value_snapshot("shop", run)["version"] == VERSION  # type: ignore[index]
    radar.close()


def _write_home(home: Path) -> None:
    config = home / "config"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text("[radar]\n", encoding="utf-8")
    (config / "sources.toml").write_text(
        '[[source]]\nname = "news"\nurl = "https://news.example/"\n\n'
        '[[source]]\nname = "blog"\nurl = "https://blog.example/"\nowned = true\n',
        encoding="utf-8",
    )
    (config / "brand.toml").write_text(
        '[[profile]]\nname = "shop"\n\n[[profile.values]]\nname = "Repair"\n'
        'description = "repair mend fix broken things"\nexamples = ["repair cafe"]\nweight = 2\n\n'
        '[[profile.values]]\nname = "Local"\ndescription = "local farmers market produce"\n\n'
        '[[profile.red_lines]]\nname = "Scandal"\ndescription = "scandal fraud lawsuit exposed"\n',
        encoding="utf-8",
    )


def test_cli_snapshot_and_deltas(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _write_home(home)
    from radar.settings import load_config

    config = load_config(home, {})
    store = open_store(config.settings.store_url)
    radar = Radar(config, store, EmbeddedCache(config.settings.cache_path), HashEmbedder())
    _seed_items(store)
    _run(store, 5, {"t-repair": ("weak", 2.0), "t-chess": ("noise", 1.0)})
    radar._refresh_values(store.latest_run())  # type: ignore[arg-type]
    _run(store, 12, {"t-repair": ("emerging", 3.0), "t-scandal": ("spike", 8.0)})
    radar._refresh_values(store.latest_run())  # type: ignore[arg-type]
    radar.close()

    result = run_cli("snapshot", "--json", home=home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["profile"] == "shop" and {t["stance"] for t in payload["topics"]} >= {
        "risk",
        "opportunity",
    }
    table = run_cli("snapshot", "--profile", "shop", home=home, env={"COLUMNS": "160"})
    assert table.returncode == 0 and "Radar of shop" in table.stdout and "Say-do gap" in table.stdout
    assert "t-scandal" in table.stdout and "Scandal" in table.stdout
    deltas = run_cli("deltas", home=home, env={"COLUMNS": "160"})
    assert deltas.returncode == 0 and "new topics (1)" in deltas.stdout and "t-chess" in deltas.stdout
    as_json = json.loads(run_cli("deltas", "--json", home=home).stdout)
    assert as_json["new_topics"][0]["id"] == "t-scandal"
    unknown = run_cli("snapshot", "--profile", "nope", home=home)
    assert unknown.returncode == 2 and "known profiles: shop" in unknown.stderr
