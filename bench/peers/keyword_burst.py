"""The keyword-burst peer: what a team would build with word counts alone (issue 3, section 7).

Terms are the words and the pairs of adjacent words of each item's title and text, counted once per item
(distinct items, one per URL, as ``radar backtest`` counts them):

- words: lower-cased runs of letters and digits (``[^\\W_]+``), at least 2 characters, not only digits, not
  an English or French stopword; a pair is two kept words that stand next to each other within one phrase
  (no dropped word, punctuation, line break or slash between them: ``owner/repo`` gives two words, no pair).
- At each as_of date A, ``recent`` = items holding the term published in the 28 days ending at A (A-27 .. A)
  and ``baseline`` = those of the 84 days before (A-111 .. A-28).
- The rate ratio is ``(recent / 28) / ((baseline + 1) / 84) = 3 * recent / (baseline + 1)`` (one pseudo-item
  in the baseline, so a brand-new word has a finite ratio). A term is **flagged** when the rate tripled,
  ``ratio >= 3`` (that is ``recent >= baseline + 1``), and ``recent >= 4`` items.
- Warm-up: nothing is flagged before 112 days of history exist (A >= first item's day + 111), since a
  truncated baseline would flag every word of the corpus.

Output: the same files as ``radar backtest`` so that ``bench/score.py`` scores it identically.
``signals.jsonl`` holds, for every term flagged at least once, one line per as_of where it has items in the
recent or baseline window: state ``emerging`` when flagged, ``noise`` otherwise, ``topic_id`` = label = the
term, ``score`` = the ratio. ``assignments.jsonl`` maps each input id to the item's flagged term with the
highest peak ratio (pairs before words on a tie, then alphabetical), or null.

    python bench/peers/keyword_burst.py --items ITEMS.jsonl.gz --out DIR [--start D] [--end D] [--every 7d]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

try:
    from bench.items import Item, ItemSet, read_items, write_jsonl
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.items import Item, ItemSet, read_items, write_jsonl

RECENT_DAYS = 28
BASELINE_DAYS = 84
RATIO = 3.0
MIN_RECENT = 4
RULE = (
    f"ratio = ({RECENT_DAYS}-day count / {RECENT_DAYS}) / ((previous {BASELINE_DAYS}-day count + 1) / "
    f"{BASELINE_DAYS}) >= {RATIO:g} and {RECENT_DAYS}-day count >= {MIN_RECENT}"
)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours via using use used based new get one two make like http https www
    com org io html
    au aux avec ce ces cet cette dans de des du elle elles en est et eux il ils je la le les leur leurs lui ma
    mais me mes moi mon même ne nos notre nous on ont ou où par pas pour qu que qui sa sans se ses si son sont
    sur ta te tes toi ton tu un une vos votre vous y été être avoir fait plus comme aussi tout tous toute
    toutes
    """.split()
)
WORD = re.compile(r"[^\W_]+")
PHRASE_BREAK = re.compile(r"[.!?;:,()\[\]{}\"«»“”|/\n]+")


def terms(text: str) -> set[str]:
    """The distinct words and adjacent-word pairs of one text."""
    found: set[str] = set()
    for phrase in PHRASE_BREAK.split(text.lower()):
        previous: str | None = None
        for token in WORD.findall(phrase):
            if len(token) < 2 or token.isdigit() or token in STOPWORDS:
                previous = None
                continue
            found.add(token)
            if previous is not None:
                found.add(f"{previous} {token}")
            previous = token
    return found


def as_of_dates(start: date, end: date, every: int) -> list[date]:
    out, day = [], start
    while day <= end:
        out.append(day)
        day += timedelta(days=every)
    return out


def parse_every(text: str) -> int:
    match = re.fullmatch(r"(\d+)d", text.strip())
    if not match or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"--every must look like 7d or 1d, not {text!r}")
    return int(match.group(1))


@dataclass(frozen=True, slots=True)
class TermState:
    as_of: date
    term: str
    flagged: bool
    recent: int
    baseline: int
    ratio: float


def evaluate(items: Sequence[Item], as_ofs: Sequence[date]) -> tuple[list[TermState], dict[str, set[str]]]:
    """States of every ever-flagged term at every as_of where it has items, and each item's terms."""
    if not items:
        return [], {}
    item_terms = {item.id: terms(item.content) for item in items}
    days_of: dict[str, list[int]] = defaultdict(list)
    origin = min(item.day for item in items)
    for item in items:  # items are oldest first, so every list is sorted
        for term in item_terms[item.id]:
            days_of[term].append((item.day - origin).days)
    candidates = {t: d for t, d in days_of.items() if len(d) >= MIN_RECENT}
    warm = [(a, (a - origin).days) for a in as_ofs if (a - origin).days >= RECENT_DAYS + BASELINE_DAYS - 1]
    counted: dict[str, list[tuple[date, int, int]]] = defaultdict(list)
    flagged: set[str] = set()
    for term, days in candidates.items():
        for as_of, day in warm:
            recent = _count(days, day - RECENT_DAYS + 1, day)
            baseline = _count(days, day - RECENT_DAYS - BASELINE_DAYS + 1, day - RECENT_DAYS)
            if recent or baseline:
                counted[term].append((as_of, recent, baseline))
                if recent >= MIN_RECENT and _ratio(recent, baseline) >= RATIO:
                    flagged.add(term)
    states = [
        TermState(
            as_of,
            term,
            recent >= MIN_RECENT and _ratio(recent, baseline) >= RATIO,
            recent,
            baseline,
            _ratio(recent, baseline),
        )
        for term in sorted(flagged)
        for as_of, recent, baseline in counted[term]
    ]
    return states, item_terms


def _count(days: Sequence[int], first: int, last: int) -> int:
    return bisect_right(days, last) - bisect_left(days, first)


def _ratio(recent: int, baseline: int) -> float:
    return (recent / RECENT_DAYS) / ((baseline + 1) / BASELINE_DAYS)


def assign(item_terms: Mapping[str, set[str]], states: Sequence[TermState]) -> dict[str, str | None]:
    """Each distinct item's flagged term with the highest peak ratio, or None."""
    peak: dict[str, float] = {}
    for state in states:
        if state.flagged:
            peak[state.term] = max(peak.get(state.term, 0.0), state.ratio)
    out: dict[str, str | None] = {}
    for item_id, found in item_terms.items():
        mine = [t for t in found if t in peak]
        out[item_id] = min(mine, key=lambda t: (-peak[t], -t.count(" "), t)) if mine else None
    return out


def signal_records(states: Sequence[TermState]) -> Iterator[dict[str, Any]]:
    for s in sorted(states, key=lambda s: (s.as_of, s.term)):
        yield {
            "as_of": s.as_of.isoformat(),
            "topic_id": s.term,
            "state": "emerging" if s.flagged else "noise",
            "score": round(s.ratio, 4),
            "items": s.recent,
            "label": s.term,
            "keywords": s.term.split(" "),
            "evidence": {
                "recent": s.recent,
                "baseline": s.baseline,
                "ratio": round(s.ratio, 4),
                "rule": RULE,
            },
        }


def assignment_records(item_set: ItemSet, topic_of: Mapping[str, str | None]) -> Iterator[dict[str, Any]]:
    for input_id, canonical in item_set.canonical.items():
        yield {"item_id": input_id, "topic_id": topic_of.get(canonical)}


def run(items_path: Path, out: Path, start: date | None, end: date | None, every: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    item_set = read_items(items_path)
    for line, reason in item_set.malformed:
        print(f"{items_path}:{line}: skipped malformed line ({reason})", file=sys.stderr)
    t1 = time.perf_counter()
    days = [item.day for item in item_set.items]
    first = start or (min(days) if days else date.today())
    last = end or (max(days) if days else first)
    as_ofs = as_of_dates(first, last, every)
    visible = [item for item in item_set.items if item.day <= last]
    states, item_terms = evaluate(visible, as_ofs)
    topic_of = assign(item_terms, states)
    t2 = time.perf_counter()
    signals = write_jsonl(out / "signals.jsonl", signal_records(states))
    write_jsonl(out / "assignments.jsonl", assignment_records(item_set, topic_of))
    t3 = time.perf_counter()
    summary = {
        "peer": "keyword-burst",
        "parameters": {
            "items": str(items_path),
            "start": first.isoformat(),
            "end": last.isoformat(),
            "every_days": every,
            "rule": RULE,
        },
        "counts": {
            "lines": item_set.lines,
            "malformed": len(item_set.malformed),
            "items": len(item_set.items),
            "duplicates": len(item_set.canonical) - len(item_set.items),
            "as_of_dates": len(as_ofs),
            "signals": signals,
            "flagged_terms": len({s.term for s in states if s.flagged}),
            "assigned_items": sum(1 for t in topic_of.values() if t is not None),
        },
        "seconds": {"read": round(t1 - t0, 3), "analyse": round(t2 - t1, 3), "write": round(t3 - t2, 3)},
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, required=True, help="input JSON Lines (.jsonl or .jsonl.gz)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--start", type=date.fromisoformat, help="first as_of (default: first item's day)")
    parser.add_argument("--end", type=date.fromisoformat, help="last as_of (default: last item's day)")
    parser.add_argument("--every", type=parse_every, default=7, help="step between as_of dates: 7d or 1d")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = run(args.items, args.out, args.start, args.end, args.every)
    counts = summary["counts"]
    print(
        f"keyword-burst: {counts['items']} items, {counts['as_of_dates']} as_of dates, "
        f"{counts['flagged_terms']} terms flagged, {summary['seconds']['analyse']} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
