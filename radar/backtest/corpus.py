"""A backtest corpus: the input read once, de-duplicated, in publication order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from radar.items_io import ReadReport, Record, content_key, read_records


@dataclass(slots=True)
class Corpus:
    """Distinct items in publication order, and where every input id went.

    ``duplicate_of`` maps the id of a repeated item (same canonical URL, or near-identical text) to the
    id of the first appearance, which alone is analysed; its topic is given to the duplicates.
    Near-identical means what it means in live collection (:mod:`collectors.neardup`): the same words
    once case and punctuation are ignored, or a SimHash within the threshold of an earlier original
    published at most 7 days before. ``duplicates_by_content`` counts both.
    """

    records: list[Record]
    duplicate_of: dict[str, str] = field(default_factory=dict)
    input_ids: list[str] = field(default_factory=list)
    report: ReadReport = field(default_factory=ReadReport)
    duplicates_by_url: int = 0
    duplicates_by_content: int = 0


def load_corpus(path: Path) -> Corpus:
    from collectors.neardup import NearIndex, fingerprint
    from collectors.normalize import canonical_url

    report = ReadReport()
    records = sorted(read_records(path, report), key=lambda r: (r.published_at, r.line))
    corpus = Corpus(records=[], report=report)
    by_url: dict[str, str] = {}
    by_content: dict[str, str] = {}
    seen_ids: set[str] = set()
    # Records come in publication order, so the index only ever searches the last 7 days.
    near = NearIndex()
    for record in records:
        corpus.input_ids.append(record.id)
        if record.id in seen_ids:
            continue  # the same id twice is one item
        seen_ids.add(record.id)
        url = canonical_url(record.url) if record.url else None
        if url and url in by_url:
            corpus.duplicate_of[record.id] = by_url[url]
            corpus.duplicates_by_url += 1
            continue
        key = content_key(record.title, record.text)
        value = fingerprint(record.title, record.text)
        original = by_content.get(key) if key else None
        if original is None and value is not None:
            original = near.find(value, record.published_at)
        if original is not None:
            corpus.duplicate_of[record.id] = original
            corpus.duplicates_by_content += 1
            continue
        if value is not None:
            near.add(value, record.published_at, record.id)
        if url:
            by_url[url] = record.id
        if key:
            by_content[key] = record.id
        corpus.records.append(record)
    return corpus
