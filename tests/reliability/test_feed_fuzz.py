"""Fuzzing the feed-to-item path: bytes -> feed parsing -> normalisation -> items, over 100,000 inputs.

What is fuzzed is what the feed collector does with a response body (``parse_feed``, then
``entries_to_items``), with nothing in between. Hypothesis builds RSS 2.0, RSS 1.0, Atom and JSON Feed
documents from templates mixed with hostile parts (random Unicode with controls and lone surrogates, odd
dates, entities declared, huge or invalid, external entities, deeply nested HTML, scripts, odd URLs, wrong
JSON types, encodings that contradict their declaration), and also draws small real feeds of the shared
corpus (when it is present) and random bytes. A seeded mutator then mutates each drawn document many times
(bit flips, cuts, splices of XML and JSON tokens, repeats), so one hypothesis example runs many inputs;
every input executed is counted in the test body, and the count is the recorded figure.

The promise checked on every input is the collector contract (collectors/base.py): the only exception is
a :class:`FeedParseError` (a :class:`RadarError`), and every item is fully normalised: aware UTC dates, a
title or a text, an http(s) URL with a host or none, text with no control characters or lone surrogates
(which PostgreSQL or UTF-8 encoders refuse), ids unique in the batch, nothing read from an external entity.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from collectors.feed import entries_to_items, parse_feed
from radar.domain import Item
from radar.errors import FeedParseError, RadarError
from radar.settings import SourceConfig

FEEDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "feeds"
ARTIFACTS = Path(os.environ.get("VIGIE_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
TARGET_INPUTS = 100_000
EXAMPLES = 1_300  # hypothesis examples; each runs the document and MUTANTS mutations of it
MUTANTS = 80
# Documents over BIG_BYTES cost tens of milliseconds each in feedparser's lenient parser: fewer mutants.
BIG_BYTES, BIG_MUTANTS = 8_000, 9
BASE_URL = "https://fuzz.example/feed.xml"
SOURCE = SourceConfig(name="fuzz", kind="feed", url=BASE_URL, lang="en")
FETCHED_AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# What collectors.normalize strips from text: controls (but tab, newline, CR), C1 controls, lone surrogates.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
SECRET = "VIGIE-FUZZ-SECRET-7d1f"  # the content of the file external entities point at


# -- the checked path ----------------------------------------------------------------------------------


@dataclass
class Tally:
    inputs: int = 0
    examples: int = 0  # documents drawn by hypothesis (each also run as MUTANTS mutations)
    refused: int = 0  # FeedParseError: not a feed
    items: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds_by_kind: dict[str, float] = field(default_factory=dict)


def printable(text: str) -> bool:
    return UNPRINTABLE.search(text) is None


def check_items(items: list[Item], data: bytes) -> None:
    """The collector contract, item by item (an AssertionError names the field and the input)."""
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), f"duplicate ids in one batch for {data[:300]!r}"
    for item in items:
        where = f"item {item.id} of input {data[:300]!r}"
        assert item.id and item.source == SOURCE.name, where
        assert item.title or item.text, f"{where}: neither title nor text"
        for name in ("published_at", "fetched_at"):
            moment = getattr(item, name)
            assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0), (
                f"{where}: {name} {moment!r}"
            )
        if item.url is not None:
            parts = urlsplit(item.url)
            assert parts.scheme in ("http", "https") and parts.hostname, f"{where}: url {item.url!r}"
        for name in ("url", "title", "text", "author", "guid", "lang"):
            value = getattr(item, name)
            if value is None:
                continue
            assert isinstance(value, str), f"{where}: {name} is a {type(value).__name__}"
            # What the store must be able to write: PostgreSQL refuses NUL, UTF-8 refuses lone surrogates.
            assert printable(value), f"{where}: {name} {value[:200]!r} holds a control character or surrogate"
            assert SECRET not in value, f"{where}: {name} holds the content of a file named by an entity"
        assert item.lang is None or (item.lang.isascii() and item.lang.isalpha() and 2 <= len(item.lang) <= 3)
        assert all(isinstance(v, int) and v >= 0 for v in item.engagement.values()), where


def saved(data: bytes) -> str:
    """Where a failing input was written (whole, to become a regression case), and its first bytes."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"feed-fuzz-failure-{hashlib.sha256(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    return f"{path} ({len(data)} bytes, starting {data[:2000]!r})"


def feed_to_items(data: bytes, headers: dict[str, str]) -> list[Item] | None:
    """What the feed collector does with a response body; None when it is refused as not a feed."""
    try:
        feed = parse_feed(data, headers, BASE_URL)
    except FeedParseError as exc:
        assert isinstance(exc, RadarError) and str(exc).startswith(BASE_URL), str(exc)
        return None
    except Exception as exc:  # the contract allows FeedParseError only
        raise AssertionError(f"parse_feed raised {type(exc).__name__}: {exc} on {saved(data)}") from exc
    try:
        return entries_to_items(feed, source=SOURCE, base_url=BASE_URL, fetched_at=FETCHED_AT)
    except Exception as exc:
        raise AssertionError(f"entries_to_items raised {type(exc).__name__}: {exc} on {saved(data)}") from exc


def run_input(data: bytes, headers: dict[str, str], kind: str, tally: Tally) -> None:
    """One input through the path, its outcome checked; counted, and the path's time added, per kind."""
    tally.inputs += 1
    tally.by_kind[kind] = tally.by_kind.get(kind, 0) + 1
    started = time.perf_counter()
    try:
        items = feed_to_items(data, headers)
    finally:
        tally.seconds_by_kind[kind] = tally.seconds_by_kind.get(kind, 0.0) + time.perf_counter() - started
    if items is None:
        tally.refused += 1
        return
    try:
        check_items(items, data)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n(whole input: {saved(data)})") from exc
    tally.items += len(items)


# -- generated documents ----------------------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1)) **bold** # heading",
    "<![CDATA[ raw <b>cdata</b> ]]>",
    "]]>",
    "&amp;",
    "&lt;p&gt;escaped&lt;/p&gt;",
    "&nbsp;",
    "&#0;",
    "&#x0;",
    "&#xD800;",
    "&#1114112;",
    "&#99999999999999999999;",
    "&#x110000;",
    "&unknown;",
    "&lol;",
    "&secret;",
    "&",
    "<",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\u0085\u2028\u2029",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "l'été à Paris",
    "the cat and the dog were in the house",
    "<style>body{}</style><noscript>n</noscript><template>t</template>",
    "<p>one</p><p>two</p><br/>three",
    "<div><div><span>",
    "</div></div></div>",
    "<!-- comment -->",
    "<?php echo 1; ?>",
]
ODD_DATES = [
    "",
    "Mon, 02 Nov 2026 10:00:00 +0100",
    "Tue, 30 Apr 2024 08:00:00 GMT",
    "2026-11-01T00:00:00Z",
    "2026-11-01T00:00:00",
    "2026-11-01",
    "0000-00-00T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "10000-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-13-45T25:61:61Z",
    "Mon, 32 Foo 2020 99:99:99 +9999",
    "Sat, Dec 16 2023 02:02:33 PM",
    "31 Dec 1969 23:59:60 GMT",
    "mer, 16 nov 2022 00:38:15 +0100",
    "1e9",
    "-1",
    "yesterday",
    "2026-11-01T00:00:00.123456789123Z",
    "Fri, 13 Dec 1901 20:45:52 +0000",
    "Tue, 19 Jan 2038 03:14:08 +0000",
]
ODD_URLS = [
    "",
    "/relative/path",
    "relative",
    "//proto.relative.example/x",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "mailto:someone@example.com",
    "http://[::1",
    "http://example.com:99999/",
    "http://exa mple.com/",
    "http://example.com/\x00nul",
    "http://example.com/\ud800",
    "HTTP://EXAMPLE.COM/A?utm_source=x&b=2&a=1#frag",
    "https://user:pw@example.com:443/p",
    "http://\u0130stanbul.example/",
    "https://xn--e1afmkfd.xn--p1ai/",
    "http://169.254.169.254/latest/meta-data/",
    "  https://spaced.example/  ",
    "http://" + "a" * 300 + ".example/",
]
LANGS = ["en", "en-US", "fr_FR", "", "x", "zzzz", "12", "ελ", "en\x00", "EN"]
ENCODINGS = ["utf-8", "iso-8859-1", "windows-1252", "utf-16", "us-ascii", "x-bogus", ""]
if FEEDS.is_dir():  # the shared corpus: its odd date strings and its small real feeds
    ODD_DATES += [
        line.split("\t")[1].strip("'")
        for line in (FEEDS / "feedparser_date_strings.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    ]
    CORPUS = [
        path.read_bytes()
        for path in sorted(FEEDS.iterdir())
        if path.suffix in (".xml", ".rss", ".atom", ".json") and path.stat().st_size <= 12_000
    ]
else:
    CORPUS = []

any_char = st.characters(exclude_categories=())  # surrogates and controls included
small_texts = st.one_of(
    st.text(any_char, max_size=30),
    st.sampled_from(FRAGMENTS),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(any_char, max_size=12)), max_size=6).map("".join),
)
# Huge: a fragment repeated, or HTML nested deep (unbalanced half of the time), in about one document in ten
# and at most some 12 KB: feedparser's lenient parser takes milliseconds per kilobyte of broken markup, and
# each document runs with all its mutants, so the run's time budget allows few big ones.
huge_texts = st.one_of(
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(50, 400)).map(lambda t: t[0] * t[1]),
    st.tuples(st.integers(1, 200), st.booleans()).map(
        lambda t: "<div><b>" * t[0] + "deep" + ("</b></div>" * t[0] if t[1] else "")
    ),
)
texts = small_texts
huge_or_not = st.integers(0, 9).flatmap(lambda n: huge_texts if n == 0 else st.just(""))
dates = st.one_of(
    st.sampled_from(ODD_DATES),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S +0000")),
    st.text(any_char, max_size=20),
)
urls = st.one_of(
    st.sampled_from(ODD_URLS), st.text(any_char, max_size=20).map(lambda t: "http://e.example/" + t)
)
langs = st.one_of(st.sampled_from(LANGS), st.text(any_char, max_size=5))


@st.composite
def field_value(draw: Any, values: st.SearchStrategy[str]) -> str:
    """A value as it goes into XML: escaped, raw (may break the document), or in CDATA."""
    value = draw(values)
    how = draw(st.sampled_from(["escaped", "escaped", "raw", "cdata"]))
    if how == "escaped":
        return escape(value)
    if how == "cdata":
        return "<![CDATA[" + value + "]]>"
    return value


def attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


@st.composite
def xml_entry(draw: Any, flavour: str) -> str:
    title, text, link = draw(field_value(texts)), draw(field_value(texts)), draw(field_value(urls))
    date, guid, author = draw(field_value(dates)), draw(field_value(texts)), draw(field_value(texts))
    lang, href = attribute(draw(langs)), attribute(draw(urls))
    kind = draw(st.sampled_from(["html", "text", "xhtml", "application/xhtml+xml", ""]))
    if flavour == "atom":
        return (
            f'<entry xml:lang="{lang}"><title type="{kind}">{title}</title><link href="{href}"/>'
            f"<link>{link}</link><id>{guid}</id><updated>{date}</updated><published>{date}</published>"
            f'<author><name>{author}</name></author><content type="{kind}">{text}</content>'
            f"<summary>{draw(field_value(texts))}</summary></entry>"
        )
    if flavour == "rdf":
        return (
            f'<item rdf:about="{href}"><title>{title}</title><link>{link}</link><description>{text}'
            f"</description><dc:date>{date}</dc:date><dc:creator>{author}</dc:creator></item>"
        )
    permalink = draw(st.sampled_from(["true", "false", "x"]))
    views = draw(st.sampled_from(["12", "-1", "n/a", "³", "9" * 30]))
    ratings = draw(st.sampled_from(["3", "", "1e3"]))
    return (
        f'<item><title>{title}</title><link>{link}</link><guid isPermaLink="{permalink}">{guid}</guid>'
        f"<description>{text}</description><content:encoded>{draw(field_value(texts))}</content:encoded>"
        f"<pubDate>{date}</pubDate><author>{author}</author><dc:language>{lang}</dc:language>"
        f'<media:community><media:statistics views="{views}"/><media:starRating count="{ratings}"/>'
        "</media:community></item>"
    )


NAMESPACES = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:media="http://search.yahoo.com/mrss/"'
)


@st.composite
def xml_docs(draw: Any, secret_path: str) -> tuple[str, bytes, dict[str, str]]:
    flavour = draw(st.sampled_from(["rss", "atom", "rdf"]))
    entries = "".join(draw(st.lists(xml_entry(flavour), max_size=2)))
    huge = draw(huge_or_not)
    if huge:
        tag = "entry" if flavour == "atom" else "item"
        entries += f"<{tag}><title>big</title><description>{huge}</description></{tag}>"
    channel_lang = escape(draw(langs))
    doctype = draw(
        st.sampled_from(
            [
                "",
                '<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY nbsp "&#160;">]>',
                '<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>',
                f'<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret_path}">]>',
                f'<!DOCTYPE rss SYSTEM "file://{secret_path}">',
                '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
                '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
            ]
        )
    )
    if flavour == "atom":
        body = (
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{channel_lang}">'
            f"<title>{draw(field_value(texts))}</title>{entries}</feed>"
        )
    elif flavour == "rdf":
        body = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>t</title></channel>{entries}</rdf:RDF>"
        )
    else:
        version = draw(st.sampled_from(["2.0", "0.91", "0.92", "9.9", ""]))
        body = (
            f'<rss version="{version}" {NAMESPACES}><channel><title>{draw(field_value(texts))}</title>'
            f"<language>{channel_lang}</language>{entries}</channel></rss>"
        )
    declared = draw(st.sampled_from(ENCODINGS))
    actual = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "iso-8859-1"]))
    prolog = (
        f'<?xml version="1.0" encoding="{declared}"?>'
        if declared
        else draw(st.sampled_from(["", '<?xml version="1.0"?>']))
    )
    document = prolog + doctype + body
    data = document.encode(actual, errors="surrogatepass" if actual.startswith("utf") else "replace")
    content_type = draw(
        st.sampled_from(
            [
                "application/rss+xml",
                f"application/xml; charset={declared or 'utf-8'}",
                "text/html",
                "",
                "text/xml",
            ]
        )
    )
    return flavour, data, ({"content-type": content_type} if content_type else {})


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def json_docs(draw: Any) -> tuple[str, bytes, dict[str, str]]:
    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(strategy, json_values))

    items: list[Any] = []
    huge = draw(huge_or_not)
    if huge:
        items.append({"id": "big", "content_html": huge})
    for _ in range(draw(st.integers(0, 3))):
        item = {
            "id": maybe(st.one_of(texts, st.integers())),
            "url": maybe(urls),
            "external_url": maybe(urls),
            "title": maybe(texts),
            "content_html": maybe(texts),
            "content_text": maybe(texts),
            "summary": maybe(texts),
            "date_published": maybe(dates),
            "date_modified": maybe(dates),
            "language": maybe(langs),
            "authors": maybe(st.lists(st.fixed_dictionaries({"name": texts}), max_size=2)),
            "author": maybe(st.fixed_dictionaries({"name": texts})),
        }
        keep = draw(st.sets(st.sampled_from(sorted(item)), min_size=1))
        items.append({key: value for key, value in item.items() if key in keep})
    doc: Any = {
        "version": draw(
            st.sampled_from(
                [
                    "https://jsonfeed.org/version/1",
                    "https://jsonfeed.org/version/1.1",
                    "https://jsonfeed.org/version/9",
                    "",
                ]
            )
        ),
        "title": maybe(texts),
        "language": maybe(langs),
        "items": draw(st.one_of(st.just(items), json_values)) if draw(st.integers(0, 9)) == 0 else items,
    }
    shape = draw(st.sampled_from(["object", "object", "object", "array", "deep", "scalar"]))
    if shape == "array":
        doc = [doc]
    elif shape == "scalar":
        doc = draw(json_scalars)
    ascii_only = draw(st.booleans())
    text = json.dumps(doc, ensure_ascii=ascii_only, allow_nan=True)
    if shape == "deep":  # deeper than the json module recurses
        depth = draw(st.integers(500, 50_000))
        text = '{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * depth + "]" * depth + "}"
    data = text.encode("utf-8", errors="surrogatepass")
    content_type = draw(st.sampled_from(["application/feed+json", "application/json", "text/plain", ""]))
    return "json", data, ({"content-type": content_type} if content_type else {})


@st.composite
def raw_docs(draw: Any) -> tuple[str, bytes, dict[str, str]]:
    prefix = draw(
        st.sampled_from(
            [
                b"",
                b"<?xml",
                b"<rss",
                b"<feed",
                b"{",
                b"[",
                b"\xef\xbb\xbf",
                b"\xff\xfe",
                b"\x1f\x8b",
                b"  \n\t<",
            ]
        )
    )
    body = draw(st.binary(max_size=600))
    content_type = draw(
        st.sampled_from(["application/xml", "application/json", "", "text/html; charset=utf-16"])
    )
    return "bytes", prefix + body, ({"content-type": content_type} if content_type else {})


@st.composite
def corpus_docs(draw: Any) -> tuple[str, bytes, dict[str, str]]:
    data = draw(st.sampled_from(CORPUS))
    return (
        "corpus",
        data,
        {"content-type": draw(st.sampled_from(["application/xml", "application/feed+json", ""]))},
    )


# -- the seeded mutator ----------------------------------------------------------------------------------

TOKENS = [
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&#xD800;",
    b"]]>",
    b"<![CDATA[",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b'"',
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"<item>",
    b"</item>",
    b"<entry>",
    b"</entry>",
    b"&lol2;",
    b"<title>",
    b"</title>",
    b"<link>javascript:alert(1)</link>",
    b"<!--",
    b"-->",
    b"\\u0000",
    b"\\ud800",
    b'"url": "javascript:alert(1)"',
    b"<script>",
    b"<?xml version='1.0' encoding='utf-16'?>",
]


def _flip(rng: random.Random, data: bytearray) -> None:
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def _cut(rng: random.Random, data: bytearray) -> None:
    if data:
        start = rng.randrange(len(data))
        del data[start : start + rng.randint(1, max(1, len(data) // 4))]


def _insert(rng: random.Random, data: bytearray) -> None:
    at = rng.randint(0, len(data))
    piece = rng.choice(TOKENS) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 16))
    data[at:at] = piece


def _truncate(rng: random.Random, data: bytearray) -> None:
    del data[rng.randint(0, len(data)) :]


def _repeat(rng: random.Random, data: bytearray) -> None:
    if data:
        start = rng.randrange(len(data))
        piece = data[start : start + rng.randint(1, 64)]
        data[start:start] = piece * rng.randint(1, 50)


def _swap(rng: random.Random, data: bytearray) -> None:
    if len(data) > 4:
        a, b = sorted(rng.sample(range(len(data)), 2))
        data[a:b] = data[a:b][::-1]


MUTATIONS: list[Callable[[random.Random, bytearray], None]] = [
    _flip,
    _cut,
    _insert,
    _truncate,
    _repeat,
    _swap,
]


def mutants(data: bytes, seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        mutant = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            rng.choice(MUTATIONS)(rng, mutant)
        out.append(bytes(mutant))
    return out


# -- the tests -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secret_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return str(path)


def test_feed_to_item_fuzz(reliability: Callable[..., None], secret_path: str) -> None:
    tally = Tally()
    families = [xml_docs(secret_path), json_docs(), raw_docs()] + ([corpus_docs()] if CORPUS else [])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        # No shrinking: a failure names the exact input (and saves it), and shrinking documents this size
        # through their mutants takes many minutes.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(doc=st.one_of(*families), seed=st.integers(0, 2**32 - 1))
    def fuzz(doc: tuple[str, bytes, dict[str, str]], seed: int) -> None:
        kind, data, headers = doc
        tally.examples += 1
        run_input(data, headers, kind, tally)
        for mutant in mutants(data, seed, MUTANTS if len(data) <= BIG_BYTES else BIG_MUTANTS):
            run_input(mutant, headers, kind, tally)

    started = time.perf_counter()
    fuzz()
    seconds = time.perf_counter() - started
    assert tally.inputs >= TARGET_INPUTS, f"only {tally.inputs} inputs ran"
    assert tally.items > 0 and tally.refused > 0  # both outcomes were reached: the inputs were not all junk
    reliability(
        "Feed-to-item fuzz: hypothesis-built RSS/RDF/Atom/JSON Feed documents (hostile text, odd dates, "
        "entities, external entities, deep HTML, invalid UTF-8, wrong JSON types), small real feeds and raw "
        f"bytes, each mutated {MUTANTS} times by a seeded mutator ({BIG_MUTANTS} past {BIG_BYTES:,} bytes)",
        f"{tally.inputs:,} inputs, no crash: every input gave contract-clean items or FeedParseError; "
        "no item held a control character, a lone surrogate or an external entity's content",
        inputs=tally.inputs,
        hypothesis_examples=tally.examples,
        seconds=round(seconds, 1),
        inputs_per_second=round(tally.inputs / seconds),
        items_made=tally.items,
        refused_not_a_feed=tally.refused,
        crashes=0,
        **{f"{kind}_inputs": count for kind, count in sorted(tally.by_kind.items())},
        **{f"{kind}_seconds": round(v, 2) for kind, v in sorted(tally.seconds_by_kind.items())},
    )


# Inputs this fuzz found breaking the contract, kept as regressions (fixed in collectors/feed.py and
# collectors/normalize.py): (why it broke, the input).
REGRESSIONS = {
    "json-nul-in-guid-and-url": (
        "a NUL in a JSON Feed id and url was stored as is: PostgreSQL refused the source's whole batch",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a\\u0000b", '
        b'"url": "https://x.example/\\u0000p", "title": "t"}]}',
    ),
    "rss-controls-in-guid-and-link": (
        "control characters in an RSS guid and link (read by feedparser's lenient parser) were kept",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
        b"<guid>g\x1f1\x00</guid><link>http://e.example/\x1fa</link></item></channel></rss>",
    ),
    "rss-html-unknown-marked-section": (
        "'<![CDAT' in entry HTML: the stdlib HTML parser raised AssertionError out of the collector",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
        b"<description>&lt;p&gt;a&lt;/p&gt;&lt;![CDAT x</description><link>http://e.example/1</link></item>"
        b"</channel></rss>",
    ),
    "json-html-marked-section-without-keyword": (
        "'<![ x' in JSON Feed content_html: the same AssertionError",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "content_html": "<![ x"}]}',
    ),
}


@pytest.mark.parametrize("name", list(REGRESSIONS))
def test_fuzz_regressions(name: str, reliability: Callable[..., None]) -> None:
    why, data = REGRESSIONS[name]
    tally = Tally()
    run_input(data, {}, "regression", tally)  # raises, naming the input, if the contract breaks again
    assert tally.items == 1
    reliability(
        f"Feed input found by the fuzz ({name}): {why}",
        "fixed: one contract-clean item, no exception",
        items_made=tally.items,
        input_bytes=len(data),
    )
