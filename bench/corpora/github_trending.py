"""GitHub Trending daily lists (2015-08 .. 2022-03) as backtest input.

Reads ``shared/data/corpus/github_trending_2015-2022Q1.csv.gz`` beside the repository (never copied into
it) and writes one JSONL line per CSV row: ``id`` = ``date:language:owner/repo``, ``published_at`` = the day
at midnight UTC, ``title`` = ``owner/repo``, ``text`` = the description, ``url`` = the repository's GitHub
address (so a repository listed on many days is one item: its first listing counts), ``source`` =
``github-trending-<language>``, ``lang`` = null.

    python bench/corpora/github_trending.py --out /tmp/gh.jsonl.gz [--start 2019-06-01 --end 2020-06-30]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

try:
    from bench.items import write_jsonl
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.items import write_jsonl

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus"
CSV_NAME = "github_trending_2015-2022Q1.csv.gz"
COLUMNS = ("date", "language", "owner", "repo", "description")


class CorpusMissingError(FileNotFoundError):
    """The shared corpus is not where the benchmark expects it."""


def corpus_path(corpus_dir: Path = CORPUS_DIR) -> Path:
    path = corpus_dir / CSV_NAME
    if not path.is_file():
        raise CorpusMissingError(
            f"GitHub Trending corpus not found at {path}: it lives in shared/data/corpus beside the "
            "repository (see shared/data/corpus/README.md) and is never copied into the project"
        )
    return path


def to_item(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as one backtest input record."""
    day = date.fromisoformat(row["date"])
    name = f"{row['owner']}/{row['repo']}"
    return {
        "id": f"{day.isoformat()}:{row['language']}:{name}",
        "published_at": f"{day.isoformat()}T00:00:00+00:00",
        "title": name,
        "text": row.get("description") or "",
        "url": f"https://github.com/{name}",
        "source": f"github-trending-{row['language']}",
        "lang": None,
    }


def convert(
    rows: Iterable[dict[str, str]], start: date | None = None, end: date | None = None
) -> Iterator[dict[str, Any]]:
    """Records for the rows whose day is within ``[start, end]`` (both optional), in input order."""
    seen: set[str] = set()
    for row in rows:
        day = date.fromisoformat(row["date"])
        if (start and day < start) or (end and day > end):
            continue
        record = to_item(row)
        if record["id"] in seen:  # the archive lists a few repositories twice on one page
            continue
        seen.add(record["id"])
        yield record


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}")
        yield from reader


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, required=True, help="output .jsonl or .jsonl.gz (outside the repo)"
    )
    parser.add_argument("--start", type=date.fromisoformat, default=None, help="first day kept (YYYY-MM-DD)")
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day kept (YYYY-MM-DD)")
    parser.add_argument("--corpus-dir", type=Path, default=CORPUS_DIR, help="folder holding the CSV")
    args = parser.parse_args(argv)
    try:
        source = corpus_path(args.corpus_dir)
    except CorpusMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.resolve().is_relative_to(REPO):
        print(
            f"error: {args.out} is inside the repository; the corpus must not be copied into it",
            file=sys.stderr,
        )
        return 2
    count = write_jsonl(args.out, convert(read_rows(source), args.start, args.end))
    print(f"wrote {count} items to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
