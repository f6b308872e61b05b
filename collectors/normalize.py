"""Pure helpers that turn what sources send into the shapes items need: URLs, text, dates, languages.

Nothing here does I/O or keeps state, so every function is safe to call from any thread.
"""

from __future__ import annotations

import email.utils
import functools
import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit, urlunsplit

# Query parameters that only say where a click came from. Dropping them makes the same article shared
# from a newsletter and from a social network one URL, hence one item.
_TRACKING_EXACT = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "igshid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_EXACT


def canonical_url(url: str) -> str:
    """The form of ``url`` used to recognise the same page: lower-case scheme and host, no fragment,
    no default port, no tracking parameters, remaining query parameters sorted by name.

    Parameter values keep their original encoding and repeated keys keep their order, so a server
    that cares about either still gets what it sent. Raises ``ValueError`` for a malformed URL
    (bad port, unbalanced IPv6 brackets).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname  # already lower-cased by urllib
        if ":" in host:
            host = f"[{host}]"
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path
    if not path and scheme in _DEFAULT_PORTS:
        path = "/"
    pairs = [p for p in parts.query.split("&") if p]
    kept = [p for p in pairs if not _is_tracking(unquote(p.partition("=")[0]))]
    # Sort on the decoded key only: a stable sort keeps repeated keys (a=2&a=1) in their order.
    kept.sort(key=lambda p: unquote(p.partition("=")[0]))
    # Dropping the fragment or every parameter can leave trailing spaces ("page #top"), which the next
    # call strips: strip them now, so that a canonical URL is its own canonical form.
    return urlunsplit((scheme, netloc, path, "&".join(kept), "")).strip()


_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
# Tags that separate words visually; without a space "<p>one</p><p>two</p>" would read "onetwo".
_BREAKING_TAGS = frozenset(
    {
        "br",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
    }
)
_WHITESPACE = re.compile(r"\s+")
# Control characters and lone surrogates: invisible, and NUL or a surrogate makes PostgreSQL and UTF-8
# encoders refuse the whole row. Mis-decoded feeds are full of them.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> opens nothing; <br/> still breaks words.
        if tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace become one space; control characters and lone surrogates go."""
    return _WHITESPACE.sub(" ", strip_unprintable(text)).strip()


def strip_unprintable(text: str) -> str:
    """``text`` without control characters and lone surrogates, its whitespace kept (for identifiers)."""
    return _UNPRINTABLE.sub("", text)


def web_url(url: str) -> str | None:
    """The canonical form of an absolute http(s) URL with a host; None for anything else: another scheme
    (``javascript:``, ``data:``, ``file:``), a relative or malformed URL, or one holding a control character
    or a lone surrogate (a NUL makes PostgreSQL refuse the whole batch of items, a surrogate any UTF-8
    encoder). Item URLs become links in the dashboard, the API and exports, so items keep only these."""
    if _UNPRINTABLE.search(url):
        return None
    try:
        absolute = canonical_url(url)
        parts = urlsplit(absolute)
    except ValueError:  # 'http://example.c[o.test/' and bad ports end up here
        return None
    return absolute if parts.scheme in _DEFAULT_PORTS and parts.hostname else None


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment: scripts and styles dropped, entities decoded, whitespace collapsed.

    Text without markup or entities passes through with only its whitespace collapsed.
    """
    if "<" not in html and "&" not in html:
        return collapse_whitespace(html)
    if len(html) <= _MEMO_MAX_CHARS:
        return _extract_remembered(html)
    return _extract(html)


# The feed reader extracts an entry's text twice: once to measure its candidates (content or summary),
# once for the winner. Remembering recent extractions halves that cost; only fragments of a typical
# article's size are kept, so the memo stays within a few tens of MB.
_MEMO_MAX_CHARS = 20_000


@functools.lru_cache(maxsize=512)
def _extract_remembered(html: str) -> str:
    return _extract(html)


def _extract(html: str) -> str:
    try:
        return _extract_once(html)
    except AssertionError:
        # The stdlib parser (before Python 3.13) raises AssertionError on a marked section it does not know,
        # such as "<![CDAT" or "<![ x" in broken markup: an error no caller expects, which escaped the feed
        # collector and stopped a whole collection (found by tests/reliability/test_feed_fuzz.py). Read
        # every "<![" as text instead; well-formed documents never get here, so their text is unchanged.
        return _extract_once(html.replace("<![", "&lt;!["))


def _extract_once(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return collapse_whitespace("".join(parser.parts))


def to_utc(value: time.struct_time | datetime) -> datetime:
    """An aware UTC datetime from a ``struct_time`` (taken as UTC, as feedparser gives) or a datetime
    (naive ones are taken as UTC). Raises ``ValueError`` for a date that does not exist."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    # struct_time allows leap seconds (60, 61); datetime does not.
    year, month, day, hour, minute, second = tuple(value)[:6]
    return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)


_LEADING_WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?,\s*")
_TWELVE_HOUR = re.compile(r"\b[AP]\.?M\.?\s*$", re.IGNORECASE)
# Seen in real feeds, not in any RFC: "Sat, Dec 16 2023 02:02:33 PM" (NBC), taken as UTC.
_EXTRA_FORMATS = ("%b %d %Y %I:%M:%S %p", "%b %d %Y %I:%M %p", "%d %b %Y %I:%M:%S %p")


def parse_date(text: str) -> datetime | None:
    """An aware UTC datetime from RFC 3339/ISO 8601, RFC 822 (whatever the weekday's language:
    "mer, 16 nov 2022 00:38:15 +0100"), or a 12-hour US form; None when none of them fits.
    Dates without a zone are taken as UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    # The weekday says nothing the date does not, and a localized one defeats the RFC 822 parser.
    bare = _LEADING_WEEKDAY.sub("", text)
    if _TWELVE_HOUR.search(bare):
        for fmt in _EXTRA_FORMATS:
            try:
                return to_utc(datetime.strptime(bare, fmt))  # month names and AM/PM: any case
            except ValueError:
                continue
        return None
    try:
        return to_utc(email.utils.parsedate_to_datetime(bare))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def has_twelve_hour_clock(text: str) -> bool:
    """True for date strings ending in AM/PM, which feedparser reads as if they had a 24-hour clock."""
    return bool(_TWELVE_HOUR.search(text.strip()))


# Short, distinctive function words: frequent in running text, rare in the other four languages.
_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to is in that it for with as was on are be this have from by not but or which "
        "you they his her we an were has their been would there what about more when who".split()
    ),
    "fr": frozenset(
        "le la les des et est une dans que qui pour pas sur au aux du ce cette sont avec plus par "
        "nous vous ils elle mais ou leur été être fait comme très aussi".split()
    ),
    "de": frozenset(
        "der die das und ist nicht mit den sich des auf für ein eine dem im auch es zu von wird "
        "sind wie bei oder aus nach wir ich sie noch werden hat".split()
    ),
    "es": frozenset(
        "el los las y es una por con para del se que lo su como más pero sus al muy también "
        "fue ha este esta son entre cuando hay porque".split()
    ),
    "it": frozenset(
        "il di che non per una sono della gli con anche dei nel alla ma più come questo questa "
        "delle è lo ha degli nella sul tra già essere".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_MIN_HITS = 3
_MIN_RATIO = 0.08


def detect_lang(text: str, hint: str | None = None) -> str | None:
    """Best guess among en, fr, de, es, it from the share of each language's stop words, else ``hint``.

    A guess needs at least three stop-word hits, 8% of the words, and a clear lead over the runner-up;
    short or ambiguous text returns the hint (which may be None).
    """
    words = [w.lower() for w in _WORD.findall(text)]
    # Elided articles (l'homme, dell'arte) count as the article.
    words = [w.split("'")[0] if "'" in w else w for w in words]
    if not words:
        return hint
    scores = sorted(
        ((sum(1 for w in words if w in stops), lang) for lang, stops in _STOP_WORDS.items()), reverse=True
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best < _MIN_HITS or best / len(words) < _MIN_RATIO or best < 1.5 * second:
        return hint
    return lang


def normalize_lang(code: object) -> str | None:
    """``"en-US"`` -> ``"en"``; anything that is not a language tag -> None."""
    if not isinstance(code, str):
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha() else None
