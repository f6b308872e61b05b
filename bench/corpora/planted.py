"""A deterministic planted-trend corpus (English and French) for the backtest, with its ground truth.

Over ``--days`` days (default 300; 180-365 make sense) it writes, at realistic small daily counts (about ten
items a day in all):

- eight *background* themes at a steady rate (urban cycling, plant-based cooking, hybrid work, streaming,
  second-hand fashion, energy bills, local sourcing, eco packaging);
- four *emergences* that start tiny (one item every few weeks, in one origin source per language) and grow
  along a logistic curve, spreading to every source once they pass a third of their final rate:
  ``repair-culture``, ``dumbphones`` and ``four-day-week`` bring their own vocabulary, while
  ``bike-farm-deliveries`` brings **no new word**: each of its items joins sentences that the background
  already writes (a cycling headline over a local-sourcing story), at less than half of either theme's rate,
  so no word and no pair of adjacent words grows anywhere near threefold: a keyword-burst rule cannot see it,
  only a radar that notices the new mix of meanings can;
- two *bursts* that fade: a greenwashing scandal and a data leak at a grocery app, a few days of storm, a few
  echoes, then nothing.

Texts are assembled from the phrase banks of ``radar.demo.corpus`` (imported, not copied) plus two banks of
this module. One ``random.Random(seed)`` drives everything in a fixed order: the same seed and span give
byte-identical files. Outputs: the backtest JSONL input and ``truth.json``:
``{target: {"kind": "emergence"|"burst", "item_ids": [...], ...}}`` (what ``bench/score.py --truth`` reads).

    python bench/corpora/planted.py --out /tmp/planted.jsonl.gz --truth /tmp/planted-truth.json [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    from bench.items import write_jsonl
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.items import write_jsonl

from radar.demo import corpus as demo
from radar.demo.corpus import PLACES, PhraseBank

DEFAULT_SEED = 7
DEFAULT_START = date(2025, 1, 6)
DEFAULT_DAYS = 300
LANGS = ("en", "fr")
EN_SHARE = 0.55
SOURCES = {
    "en": ("en-daily-news", "en-city-blog", "en-forum-digest", "en-weekly-mag"),
    "fr": ("fr-quotidien", "fr-blog-local", "fr-forum-veille", "fr-hebdo"),
}

# Two more burst banks, written for this corpus: a data leak at a fictional grocery app.
LEAK_EN = PhraseBank(
    who=("customers", "security researchers", "privacy lawyers", "couriers", "app users"),
    things=(
        "the Quikbasket app",
        "Quikbasket's customer database",
        "leaked delivery addresses",
        "stored cards",
    ),
    titles=(
        "Quikbasket leak exposes {n} thousand customers in {place}",
        "{Who} in {place} demand answers after the Quikbasket breach",
        "What the Quikbasket data leak means for {who}",
        "Quikbasket apologises as {thing} turn up online",
        "Regulator opens inquiry into {thing}",
        "Quikbasket breach: {who} told to change passwords",
    ),
    leads=(
        "Hackers published {n} thousand records from {thing}, including names and delivery addresses.",
        "{Who} in {place} say they learned about the Quikbasket breach from strangers online.",
        "Quikbasket says {pct}% of accounts were affected and that passwords were hashed.",
        "Security researchers found {thing} on a public forum two days before the company reacted.",
    ),
    facts=(
        "The company has hired an outside firm to investigate the intrusion.",
        "Privacy lawyers are preparing a group complaint on behalf of customers.",
    ),
    closers=("Quikbasket promises a full report within a month.",),
    n_range=(20, 900),
)
LEAK_FR = PhraseBank(
    who=("clients", "chercheurs en sécurité", "avocats spécialisés", "livreurs", "utilisateurs"),
    things=(
        "l'application Quikbasket",
        "la base clients de Quikbasket",
        "les adresses de livraison",
        "les cartes",
    ),
    titles=(
        "Fuite chez Quikbasket : {n} milliers de clients exposés",
        "Fuite de données Quikbasket : les {who} {place} demandent des comptes",
        "Ce que la fuite de Quikbasket change pour les {who}",
        "Quikbasket s'excuse, {thing} circulent en ligne",
        "La CNIL enquête sur {thing}",
    ),
    leads=(
        "Des pirates ont publié {n} milliers de fiches issues de {thing}, avec noms et adresses.",
        "{Place}, des {who} ont appris la fuite de Quikbasket par des inconnus sur les réseaux.",
        "Quikbasket affirme que {pct} % des comptes sont concernés et que les mots de passe étaient "
        "chiffrés.",
    ),
    facts=("L'entreprise a mandaté un cabinet extérieur pour enquêter sur l'intrusion.",),
    closers=("Quikbasket promet un rapport complet d'ici un mois.",),
    n_range=(20, 900),
)


@dataclass(frozen=True, slots=True)
class Theme:
    """A planted theme. ``rate(day)`` is its expected number of items that day (both languages)."""

    name: str
    kind: str  # background | emergence | burst
    description: str
    banks: dict[str, PhraseBank]
    rate: Callable[[int], float]
    origin_until: Callable[[int], bool] = lambda day: False
    mix: dict[str, PhraseBank] | None = None  # recombination: titles and some facts taken from these banks


def steady(per_day: float) -> Callable[[int], float]:
    return lambda day: per_day


def logistic(
    start: int, middle: int, width: float, top: float, floor: float = 0.04
) -> Callable[[int], float]:
    """Nothing before ``start``; then ``floor`` items a day growing to ``top`` (half of it at ``middle``)."""

    def rate(day: int) -> float:
        if day < start:
            return 0.0
        return max(floor, top / (1.0 + math.exp(-(day - middle) / width)))

    return rate


def burst(first: int, shape: Sequence[float], echo: int = 25) -> Callable[[int], float]:
    """Expected counts for the days from ``first``, then one late echo ``echo`` days after the storm."""

    def rate(day: int) -> float:
        offset = day - first
        if 0 <= offset < len(shape):
            return shape[offset]
        return 1.0 if offset == len(shape) + echo else 0.0

    return rate


def themes(days: int) -> list[Theme]:
    """The planted themes; emergence timings scale with the span so 180-365 days all work."""

    def at(fraction: float) -> int:
        return int(days * fraction)

    def early(rate: Callable[[int], float], top: float) -> Callable[[int], bool]:
        return lambda day: rate(day) < top / 3

    repair = logistic(at(0.22), at(0.72), days / 14, 1.6)
    dumb = logistic(at(0.38), at(0.8), days / 16, 1.3)
    four = logistic(at(0.12), at(0.66), days / 10, 1.1)
    bike_farm = logistic(at(0.3), at(0.75), days / 14, 0.6)
    storm = (2, 9, 7, 4, 3, 2, 1, 1)
    return [
        Theme("urban-cycling", "background", "Everyday urban cycling.", _banks("CYCLING"), steady(1.4)),
        Theme("plant-based-cooking", "background", "Plant-based home cooking.", _banks("PLANT"), steady(1.2)),
        Theme("hybrid-work", "background", "Hybrid and remote work.", _banks("HYBRID"), steady(1.2)),
        Theme("streaming-gaming", "background", "Streaming and gaming.", _banks("STREAMING"), steady(1.1)),
        Theme("thrift-fashion", "background", "Second-hand fashion.", _banks("THRIFT"), steady(1.0)),
        Theme("energy-bills", "background", "Household energy bills.", _banks("ENERGY"), steady(1.0)),
        Theme(
            "local-sourcing",
            "background",
            "Local sourcing, short supply chains.",
            _banks("LOCAL"),
            steady(1.3),
        ),
        Theme(
            "eco-packaging", "background", "Refill, deposit, compostable.", _banks("PACKAGING"), steady(0.8)
        ),
        Theme(
            "repair-culture",
            "emergence",
            "Repair cafés and right to repair.",
            _banks("REPAIR"),
            repair,
            early(repair, 1.6),
        ),
        Theme(
            "dumbphones",
            "emergence",
            "Dumbphones and digital sobriety.",
            _banks("DUMBPHONE"),
            dumb,
            early(dumb, 1.3),
        ),
        Theme(
            "four-day-week", "emergence", "The four-day work week.", _banks("FOURDAY"), four, early(four, 1.1)
        ),
        Theme(
            "bike-farm-deliveries",
            "emergence",
            "Cyclists and cargo bikes delivering local farm produce: a recombination of two background "
            "themes that brings no new word.",
            _banks("LOCAL"),
            bike_farm,
            early(bike_farm, 0.6),
            mix=_banks("CYCLING"),
        ),
        Theme(
            "greenwashing-scandal",
            "burst",
            "A fashion brand's greenwashing scandal.",
            _banks("SCANDAL"),
            burst(at(0.45), storm),
        ),
        Theme(
            "grocery-app-leak",
            "burst",
            "A data leak at a grocery app.",
            {"en": LEAK_EN, "fr": LEAK_FR},
            burst(at(0.62), (3, 8, 5, 3, 2, 1)),
        ),
    ]


def _banks(prefix: str) -> dict[str, PhraseBank]:
    return {lang: getattr(demo, f"{prefix}_{lang.upper()}") for lang in LANGS}


# ------------------------------------------------------------------------------------------------------------
# Writing one item
# ------------------------------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _slots(rng: random.Random, bank: PhraseBank, lang: str) -> dict[str, str]:
    who, thing, place = rng.choice(bank.who), rng.choice(bank.things), rng.choice(PLACES[lang])
    elided = ("d'" if who[:1].lower() in "aeiouyéèêàâîôû" else "de ") + who
    return {
        "who": who, "Who": _cap(who), "de_who": elided, "thing": thing, "Thing": _cap(thing), "place": place,
        "Place": _cap(place), "n": str(rng.randint(*bank.n_range)), "pct": str(rng.randint(*bank.pct_range)),
    }  # fmt: skip


def write_text(rng: random.Random, theme: Theme, lang: str, used: set[str]) -> tuple[str, str]:
    """A title never used before and a one-to-three sentence text.

    A recombination takes its title (and half of its facts) from the mixed-in theme, its lead and closer from
    its own: every sentence is one the background already writes, only their meeting in one item is new (no
    new word, no new pair of adjacent words within a sentence)."""
    bank = theme.banks[lang]
    title_bank = theme.mix[lang] if theme.mix else bank
    title, title_slots = "", {}
    for _ in range(100):
        title_slots = _slots(rng, title_bank, lang)
        title = rng.choice(title_bank.titles).format(**title_slots)
        if title not in used:
            break
    used.add(title)
    slots = _slots(rng, bank, lang) if theme.mix else title_slots
    sentences = [rng.choice(bank.leads).format(**slots)]
    if rng.random() < 0.7:
        if theme.mix and rng.random() < 0.5:
            sentences.append(rng.choice(title_bank.facts).format(**title_slots))
        else:
            sentences.append(rng.choice(bank.facts).format(**slots))
    if rng.random() < 0.4:
        sentences.append(rng.choice(bank.closers).format(**slots))
    return title, " ".join(sentences)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _source(rng: random.Random, theme: Theme, lang: str, day: int, index: int) -> str:
    if theme.kind == "emergence" and theme.origin_until(day):
        return SOURCES[lang][index % len(SOURCES[lang])]  # each emergence starts in its own origin source
    return rng.choice(SOURCES[lang])


def generate(
    seed: int = DEFAULT_SEED, days: int = DEFAULT_DAYS, start: date = DEFAULT_START
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The items (oldest first, backtest input records) and the truth (planted targets)."""
    if not 60 <= days <= 1000:
        raise ValueError("days must be between 60 and 1000")
    rng = random.Random(seed)
    used: set[str] = set()
    records: list[dict[str, Any]] = []
    members: dict[str, list[str]] = {}
    base = datetime(start.year, start.month, start.day, tzinfo=UTC)
    planted = themes(days)
    for index, theme in enumerate(planted):
        members[theme.name] = []
        for day in range(days):
            for _ in range(_poisson(rng, theme.rate(day))):
                lang = "en" if rng.random() < EN_SHARE else "fr"
                title, text = write_text(rng, theme, lang, used)
                when = base + timedelta(days=day, hours=rng.randint(6, 22), minutes=rng.randrange(60))
                source = _source(rng, theme, lang, day, index)
                number = len(records) + 1
                item_id = f"planted-{seed}-{number:05d}"
                records.append(
                    {
                        "id": item_id,
                        "published_at": when.isoformat(),
                        "title": title,
                        "text": text,
                        "url": f"https://{source}.example/{when:%Y/%m/%d}/{_slug(title)}-{number}",
                        "source": source,
                        "lang": lang,
                    }
                )
                members[theme.name].append(item_id)
    records.sort(key=lambda r: (r["published_at"], r["id"]))
    truth = {
        theme.name: {
            "kind": theme.kind,
            "description": theme.description,
            "no_new_word": theme.mix is not None,
            "item_ids": members[theme.name],
        }
        for theme in planted
        if theme.kind in ("emergence", "burst")
    }
    return records, truth


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().encode("ascii", "ignore").decode())
    return "-".join(words)[:60].rstrip("-") or "item"


def new_words(
    records: Sequence[dict[str, Any]],
    ids: set[str],
    min_count: int = 1,
    terms: Callable[[str], set[str]] | None = None,
) -> set[str]:
    """Terms of the items ``ids`` found in fewer than ``min_count`` of the *other* items published before the
    first of them: what a keyword rule could pick up as new. Terms are lower-cased words unless ``terms``
    (a text -> set of terms function, such as the keyword peer's words and pairs) is given."""
    if terms is None:
        word = re.compile(r"[^\W_]+")

        def terms(text: str) -> set[str]:
            return {w for w in word.findall(text.lower()) if not w.isdigit()}

    first = min(r["published_at"] for r in records if r["id"] in ids)
    before: Counter[str] = Counter()
    theirs: set[str] = set()
    for r in records:
        found = terms(f"{r['title']}\n{r['text']}")
        if r["id"] in ids:
            theirs |= found
        elif r["published_at"] < first:
            before.update(found)
    return {t for t in theirs if before[t] < min_count}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="items as .jsonl or .jsonl.gz")
    parser.add_argument("--truth", type=Path, required=True, help="truth JSON for bench/score.py --truth")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="span in days (180-365 suggested)")
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first day")
    args = parser.parse_args(argv)
    records, truth = generate(args.seed, args.days, args.start)
    count = write_jsonl(args.out, records)
    args.truth.parent.mkdir(parents=True, exist_ok=True)
    args.truth.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sizes = ", ".join(f"{name} {len(spec['item_ids'])}" for name, spec in truth.items())
    print(f"wrote {count} items to {args.out} and the truth to {args.truth} ({sizes})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
