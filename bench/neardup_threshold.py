"""How far apart are fingerprints of the same story, and of different stories? (issue 4, section 3)

Real text: the entries of the real-world feeds in ``shared/data/feeds`` (BBC, Reuters, Reddit, bioRxiv,
Il Messaggero...) and the repository descriptions of the GitHub Trending corpus. For every text long
enough for a SimHash, the script makes the edits a syndicated copy shows (a source suffix on the title,
tracking boilerplate, a truncated summary, one changed word, all of these at once) and measures the
Hamming distance to the original; it also measures every pair of distinct texts (a sample for the big
corpus) and, from the corpus, a repository whose description its owner reworded between two days.

Run: ``python -m bench.neardup_threshold`` (seconds). Prints distance percentiles and, for each threshold,
the share of edited copies caught and of distinct pairs wrongly matched. With a store URL as argument it
measures instead what reading the candidates costs one ``add_items`` call among 100k recent items.
"""

from __future__ import annotations

import csv
import gzip
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from collectors.feed import parse_feed
from collectors.neardup import MIN_SHINGLES, distance, fingerprint, normalise, shingles
from collectors.normalize import collapse_whitespace, html_to_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEMO = Path(__file__).resolve().parents[1] / "radar" / "demo" / "feeds"
SEED = 20261129

Text = tuple[str, str]  # (title, text)

SUFFIXES = (" - Reuters", " | BBC News", " – Le Monde", " (via Hacker News)")
TRACKING = (
    "The post appeared first on Example Daily.",
    "Read more at example.com. Subscribe to our newsletter for more stories like this.",
    "Continue reading...",
)


def feed_texts(folder: Path) -> Iterator[Text]:
    for path in sorted(folder.glob("*")):
        if path.suffix not in {".xml", ".json", ".atom", ".rss"}:
            continue
        try:
            feed = parse_feed(path.read_bytes(), {}, f"https://example.org/{path.name}")
        except Exception:  # deliberately broken fixtures: nothing to measure there
            continue
        for entry in feed.entries:
            title = html_to_text(entry.title) if entry.title_is_html else collapse_whitespace(entry.title)
            text = html_to_text(entry.text) if entry.text_is_html else collapse_whitespace(entry.text)
            yield title, text


def corpus_rows() -> Iterator[tuple[str, str, str]]:
    """(date, owner/repo, description) of the GitHub Trending corpus."""
    path = DATA / "corpus" / "github_trending_2015-2022Q1.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["date"], f"{row['owner']}/{row['repo']}", row["description"] or ""


def long_enough(title: str, text: str) -> bool:
    return len(shingles(normalise(title, text))) >= MIN_SHINGLES


def edits(rng: random.Random) -> dict[str, Callable[[str, str], Text]]:
    def suffix(title: str, text: str) -> Text:
        return title + rng.choice(SUFFIXES), text

    def tracking(title: str, text: str) -> Text:
        return title, f"{text} {rng.choice(TRACKING)}"

    def truncate(title: str, text: str) -> Text:
        words = text.split()
        keep = max(1, int(len(words) * 0.8))
        return title, " ".join(words[:keep]) + " …"

    def one_word(title: str, text: str) -> Text:
        words = (f"{title} {text}").split()
        words[rng.randrange(len(words))] = "changed"
        return " ".join(words), ""

    def syndicated(title: str, text: str) -> Text:
        return tracking(*truncate(*suffix(title, text)))

    return {
        "title suffix": suffix,
        "tracking text": tracking,
        "summary cut to 80%": truncate,
        "one word changed": one_word,
        "suffix + cut + tracking": syndicated,
    }


def fp(title: str, text: str) -> int:
    value = fingerprint(title, text)
    assert value is not None
    return value


def edited_distance(original: Text, copy: Text) -> int | None:
    """None when the edit left too little text to fingerprint (a cut summary of a short entry)."""
    value = fingerprint(*copy)
    return None if value is None else distance(fp(*original), value)


def all_pairs(prints: list[int]) -> list[int]:
    return [distance(a, b) for i, a in enumerate(prints) for b in prints[i + 1 :] if a != b]


def percentiles(values: list[int]) -> str:
    ordered = sorted(values)

    def at(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return f"n={len(ordered)} min={ordered[0]} p5={at(0.05)} p50={at(0.5)} p95={at(0.95)} max={ordered[-1]}"


def main() -> None:
    rng = random.Random(SEED)
    feeds = list(dict.fromkeys(t for t in feed_texts(DATA / "feeds") if long_enough(*t)))
    # The demo feeds: items of one theme share a phrase bank, the hardest distinct pairs we have.
    demo = list(dict.fromkeys(t for t in feed_texts(DEMO) if long_enough(*t)))
    rows = list(corpus_rows())
    latest: dict[str, str] = {}
    reworded: list[tuple[Text, Text]] = []
    for _, repo, description in rows:
        before = latest.get(repo)
        if before is not None and before != description and long_enough(repo, description):
            if long_enough(repo, before):
                reworded.append(((repo, before), (repo, description)))
        latest[repo] = description
    descriptions = [(repo, d) for repo, d in latest.items() if long_enough(repo, d)]
    sample = rng.sample(descriptions, min(3000, len(descriptions)))
    sample += [t for t in descriptions if len(normalise(*t)) >= 20 and t not in sample]
    originals = feeds + demo + sample
    print(
        f"texts: {len(feeds)} real feed entries, {len(demo)} demo entries, "
        f"{len(sample)} corpus descriptions (of {len(descriptions)}), {len(reworded)} rewordings"
    )

    same: dict[str, list[int]] = {}
    for name, edit in edits(rng).items():
        measured = (edited_distance(t, edit(*t)) for t in originals if t[1])
        same[name] = [d for d in measured if d is not None]
    same["owner rewording (corpus)"] = [distance(fp(*a), fp(*b)) for a, b in reworded]

    distinct = {
        "distinct real feed entries (all pairs)": all_pairs([fp(*t) for t in feeds]),
        "distinct demo entries, same themes (all pairs)": all_pairs([fp(*t) for t in demo]),
    }
    corpus_prints = [fp(*t) for t in sample]
    pairs = [(rng.randrange(len(sample)), rng.randrange(len(sample))) for _ in range(300_000)]
    distinct["distinct corpus descriptions (300k pairs)"] = [
        distance(corpus_prints[i], corpus_prints[j]) for i, j in pairs if i != j
    ]

    for label, values in [*same.items(), *distinct.items()]:
        print(f"{label:45s} {percentiles(values)}")
    print("\nthreshold | caught (per edit) | distinct pairs matched")
    for threshold in range(0, 13):
        caught = " ".join(
            f"{sum(v <= threshold for v in values) / len(values):.2f}" for values in same.values()
        )
        wrong = " ".join(
            f"{sum(v <= threshold for v in values) / len(values):.1e}" for values in distinct.values()
        )
        print(f"{threshold:9d} | {caught} | {wrong}")
    print("\nshare caught at thresholds 3/5/7/9, by length of the original (words):")
    for lo, hi in ((9, 20), (20, 40), (40, 80), (80, 100_000)):
        chosen = [t for t in originals if t[1] and lo <= len(normalise(*t)) < hi]
        cells = []
        for name, edit in edits(random.Random(SEED)).items():
            measured = [d for d in (edited_distance(t, edit(*t)) for t in chosen) if d is not None]
            shares = "/".join(
                f"{sum(d <= k for d in measured) / max(1, len(measured)):.2f}" for k in (3, 5, 7, 9)
            )
            cells.append(f"{name}: {shares}")
        print(f"  {lo}-{hi} words (n={len(chosen)}): " + "; ".join(cells))
    sys.stdout.flush()


def store_cost(url: str, recent: int = 100_000) -> None:
    """Seconds of one ``add_items`` call (30 items, 2 of them new) with ``recent`` stored originals
    from the last 14 days: what reading the candidate set costs a live fetch at 50k items a week."""
    import time
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from radar.domain import Item
    from radar.store import open_store
    from radar.store import schema as t

    store = open_store(url)
    store.delete_everything()
    store.sync_sources([("bench", "feed", "https://bench.example/feed")])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    rng = random.Random(SEED)
    rows = [
        {
            "id": f"r{n}",
            "source": "bench",
            "url": f"https://bench.example/{n}",
            "title": f"item {n}",
            "text": "",
            "published_at": now - timedelta(seconds=rng.randrange(14 * 86400)),
            "fetched_at": now,
            "date_from_fetch": False,
            "simhash": rng.randrange(-(1 << 63), 1 << 63),
        }
        for n in range(recent)
    ]
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(t.items), rows[start : start + 5000])

    def batch(tag: str, new: int) -> list[Item]:
        text = " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "omega"]) + str(i) for i in range(40))
        old = [
            Item(f"r{n}", "bench", f"https://bench.example/{n}", "t", "", now, now) for n in range(30 - new)
        ]
        fresh = [
            Item(f"{tag}{n}", "bench", f"https://bench.example/{tag}{n}", f"new {n}", text, now, now)
            for n in range(new)
        ]
        return old + fresh

    for label, new in (("30 items, none new", 0), ("30 items, 2 new", 2)):
        times = []
        for attempt in range(5):
            started = time.perf_counter()
            store.add_items(batch(f"{new}x{attempt}-", new))
            times.append(time.perf_counter() - started)
        print(
            f"{store.backend:10s} {recent} recent originals, {label}: median {sorted(times)[2] * 1000:.0f} ms"
        )
    store.delete_everything()
    store.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:  # a store URL: measure add_items there instead
        store_cost(sys.argv[1])
    else:
        main()
