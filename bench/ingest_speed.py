"""Feed ingestion (parse, normalise, dedupe, store) against raw ``feedparser.parse`` on the same bytes.

Baseline (same run): ``feedparser.parse`` of every document, the bare parse a feed reader starts from.
Then Vigie's ingest of the same documents, one source each as ``radar collect`` does it: ``parse_feed``
(feedparser plus entry extraction), ``entries_to_items`` (HTML to text, URL
canonicalisation, dates, language, ids, in-feed dedupe) and ``SqlStore.add_items`` into a real SQLite
store (dedupe against what is stored). Both are reported in entries per second; the ratio is ingest over
baseline (target >= 0.7). Ingest includes the same parse, so it can only approach 1.

The corpus is generated (seeded): RSS 2.0 with content:encoded and Atom 1.0 with HTML content (XML only,
since feedparser does not read JSON Feed), in English and French, with tracking parameters, entities and
RFC 822 / RFC 3339 dates, because the shared corpus holds about a hundred entries in all. Every tenth
document repeats entries of the one before it with tracking parameters added to their URLs, as
syndicated feeds do.

Run: .venv/bin/python bench/ingest_speed.py [--entries 50000] [--per-feed 100] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.feed import entries_to_items, parse_feed  # noqa: E402
from radar.settings import SourceConfig  # noqa: E402
from radar.store import open_store  # noqa: E402

_EN = (
    "the climate of cities is changing and people are looking for new ways to live with heat water "
    "and wind while designers build gardens on roofs for bees and birds in the middle of the street"
).split()
_FR = (
    "la ville change avec le climat et les habitants cherchent des jardins sur les toits pour les "
    "abeilles dans une rue plus calme avec des arbres qui sont plus nombreux que les voitures"
).split()
START = datetime(2026, 10, 1, tzinfo=UTC)

Doc = tuple[bytes, dict[str, str], str]  # content, headers, url


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def _entry(rng: random.Random, feed: int, index: int, alias: bool = False) -> dict[str, str]:
    words = _FR if feed % 3 == 0 else _EN
    tracking = "?utm_source=rss&utm_medium=feed&id={0}" if alias else "?id={0}"
    paragraphs = "".join(f"<p>{escape(_sentence(rng, words, rng.randint(12, 30)))}</p>" for _ in range(3))
    return {
        "title": _sentence(rng, words, rng.randint(5, 11)) + " &amp; more",
        "url": f"https://news{feed % 40}.example.org/{feed}/article-{index}" + tracking.format(index),
        "guid": f"urn:vigie:{feed}:{index}",
        "html": paragraphs + '<p>Read <a href="/more">more</a> &mdash; &copy; 2026</p><script>x()</script>',
        "when": (START + timedelta(minutes=97 * index + feed)).isoformat(),
        "author": f"Author {index % 17}",
    }


def _rss(feed: int, entries: list[dict[str, str]]) -> Doc:
    items = "".join(
        f"<item><title>{e['title']}</title><link>{escape(e['url'])}</link>"
        f'<guid isPermaLink="false">{e["guid"]}</guid>'
        f"<pubDate>{datetime.fromisoformat(e['when']).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<dc:creator>{e['author']}</dc:creator><description>{escape(e['html'][:120])}</description>"
        f"<content:encoded><![CDATA[{e['html']}]]></content:encoded></item>"
        for e in entries
    )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Feed {feed}</title><link>https://news{feed % 40}.example.org/</link>"
        f"<description>Generated feed {feed}</description>{items}</channel></rss>"
    )
    return (
        doc.encode(),
        {"content-type": "application/rss+xml; charset=utf-8"},
        f"https://f{feed}.example/rss",
    )


def _atom(feed: int, entries: list[dict[str, str]]) -> Doc:
    items = "".join(
        f'<entry><title type="html">{e["title"]}</title><link href="{escape(e["url"])}"/>'
        f"<id>{e['guid']}</id><updated>{e['when']}</updated><author><name>{e['author']}</name></author>"
        f'<content type="html">{escape(e["html"])}</content></entry>'
        for e in entries
    )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Feed {feed}</title><id>urn:feed:{feed}</id><updated>{START.isoformat()}</updated>"
        f"{items}</feed>"
    )
    return doc.encode(), {"content-type": "application/atom+xml"}, f"https://f{feed}.example/atom"


def make_corpus(total: int, per_feed: int, seed: int = 0) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    for feed in range(max(1, total // per_feed)):
        entries = [_entry(rng, feed, i) for i in range(per_feed)]
        if feed % 10 == 9:
            # Syndication: the previous feed's first entries again, under their tracking-parameter URLs.
            entries[: per_feed // 5] = [_entry(rng, feed - 1, i, alias=True) for i in range(per_feed // 5)]
        writer = _atom if feed % 3 == 2 else _rss
        docs.append(writer(feed, entries))
    return docs


def entry_count(docs: list[Doc]) -> int:
    return sum(c.count(b"<item>") + c.count(b"<entry>") for c, _, _ in docs)


def baseline(docs: list[Doc]) -> float:
    started = time.perf_counter()
    for content, headers, url in docs:
        feedparser.parse(io.BytesIO(content), response_headers={**headers, "content-location": url})
    return time.perf_counter() - started


def ingest(docs: list[Doc], folder: Path, *, with_baseline: bool = True) -> tuple[float, float, float, int]:
    """Seconds of the baseline parse, of parsing and normalising, of storing; items stored.

    Baseline and ingest alternate document by document, so that a machine whose load changes during the
    run (ours is shared) slows both sides alike instead of skewing the ratio.
    """
    store = open_store(f"sqlite:///{folder / 'ingest.sqlite3'}")
    sources = [SourceConfig(name=f"feed-{i}", url=url) for i, (_, _, url) in enumerate(docs)]
    store.sync_sources((s.name, s.kind, s.url) for s in sources)
    fetched_at = datetime.now(UTC)
    added = 0
    base_s = parse_s = store_s = 0.0
    for (content, headers, url), source in zip(docs, sources, strict=True):
        if with_baseline:
            started = time.perf_counter()
            feedparser.parse(io.BytesIO(content), response_headers={**headers, "content-location": url})
            base_s += time.perf_counter() - started
        started = time.perf_counter()
        feed = parse_feed(content, headers, url)
        items = entries_to_items(feed, source=source, base_url=url, fetched_at=fetched_at)
        parsed = time.perf_counter()
        added += store.add_items(items)
        parse_s += parsed - started
        store_s += time.perf_counter() - parsed
    store.close()
    return base_s, parse_s, store_s, added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--per-feed", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="print the ingest's top functions (cProfile)")
    args = parser.parse_args()

    docs = make_corpus(args.entries, args.per_feed)
    entries = entry_count(docs)
    size = sum(len(c) for c, _, _ in docs)
    print(f"corpus: {len(docs)} documents, {entries} entries, {size / 1e6:.1f} MB")  # noqa: T201
    baseline(docs[:5])  # warm imports and caches for both sides
    gc.collect()
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        base_s, parse_s, store_s, added = ingest(docs, Path(tmp), with_baseline=not args.profile)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    ingest_s = parse_s + store_s
    if args.profile:  # the profiler slows the ingest alone: no ratio from such a run
        print(f"ingest under the profiler: {ingest_s:.1f} s, {added} stored")  # noqa: T201
        return
    base_rate, ingest_rate = entries / base_s, entries / ingest_s
    print(f"baseline feedparser.parse: {base_s:.1f} s, {base_rate:,.0f} entries/s")  # noqa: T201
    print(f"vigie ingest (to SQLite):  {ingest_s:.1f} s, {ingest_rate:,.0f} entries/s, {added} stored")  # noqa: T201
    print(f"  of which parse + normalise {parse_s:.1f} s, store (SqlStore.add_items) {store_s:.1f} s")  # noqa: T201
    print(f"ratio ingest/baseline: {ingest_rate / base_rate:.2f} (target >= 0.70)")  # noqa: T201
    print(f"ratio parse+normalise/baseline: {base_s / parse_s:.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
