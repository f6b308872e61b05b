"""What the JSON API collectors (mastodon, reddit, hackernews, lemmy) share.

- decoding a response into JSON, where every failure (an HTML login wall, an empty or truncated body,
  the wrong shape) is a :class:`FeedParseError` naming the source and the URL;
- reading one entry's fields without trusting their types, and turning an entry into an :class:`Item`
  (or skipping it: one bad entry never costs the page);
- reading a source's ``params`` with a :class:`ConfigError` that names the source and the key.

Everything here is pure except :func:`decode_json`'s input, which is an already fetched response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

from collectors.normalize import canonical_url, detect_lang, parse_date
from radar.domain import Item, item_id_for
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

if TYPE_CHECKING:  # only a type here; importing the fetcher pulls in httpx
    from collectors.fetcher import Response

log = logging.getLogger(__name__)
T = TypeVar("T")

# Longest title made from a post's text, for platforms whose posts have no title (Mastodon).
TITLE_CHARS = 160


# --- responses -------------------------------------------------------------------------------------------


def decode_json(response: Response, source: SourceConfig) -> Any:
    """The JSON value of ``response``'s body; :class:`FeedParseError` when the body is not JSON."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    received = content_type or "no Content-Type"
    body = response.content
    if not body.strip():
        raise _parse_error(source, response, f"expected JSON, got {received} with an empty body")
    if "html" in content_type or body.lstrip()[:1] == b"<":
        # The usual reasons: a login wall, a block page, a CDN error page, a feed where JSON was expected.
        raise _parse_error(
            source, response, f"expected JSON, got {received} ({len(body)} bytes of HTML or XML)"
        )
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _parse_error(source, response, f"invalid JSON ({received}, {len(body)} bytes): {exc}") from exc


def expect_list(value: object, what: str, source: SourceConfig, response: Response) -> list[Any]:
    """``value`` when it is a JSON array; otherwise a :class:`FeedParseError` saying what was expected."""
    if not isinstance(value, list):
        raise _parse_error(source, response, f"expected {what} (a JSON array), got {_json_type(value)}")
    return value


def expect_object(value: object, what: str, source: SourceConfig, response: Response) -> dict[str, Any]:
    """``value`` when it is a JSON object; otherwise a :class:`FeedParseError` saying what was expected."""
    if not isinstance(value, dict):
        raise _parse_error(source, response, f"expected {what} (a JSON object), got {_json_type(value)}")
    return value


def _parse_error(source: SourceConfig, response: Response, message: str) -> FeedParseError:
    return FeedParseError(f"source {source.name!r}: {message}", url=response.url, status=response.status)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


# --- fields of one entry ---------------------------------------------------------------------------------


def text_of(obj: Mapping[str, Any], key: str) -> str:
    """``obj[key]`` when it is a string, else ``""`` (absent, null, or some other type)."""
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def object_of(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``obj[key]`` when it is a JSON object, else an empty one."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def count_of(obj: Mapping[str, Any], key: str) -> int | None:
    """``obj[key]`` as a count: a non-negative integer (booleans and fractions are not counts), else None."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if value >= 0 else None


def signed_of(obj: Mapping[str, Any], key: str) -> int | None:
    """``obj[key]`` as an integer that may be negative (a score), else None."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def engagement(**counts: int | None) -> dict[str, int]:
    """The counts that are present, under the given names."""
    return {name: value for name, value in counts.items() if value is not None}


def epoch_to_utc(value: object) -> datetime | None:
    """An aware UTC datetime from Unix seconds (int or float), None for anything else or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_to_utc(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string (naive ones are UTC), None for anything else."""
    return parse_date(value) if isinstance(value, str) else None


def web_url(value: object, base: str | None = None) -> str | None:
    """The canonical absolute http(s) URL of ``value`` (resolved against ``base``), None otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        absolute = canonical_url(urljoin(base, value) if base else value)
        parts = urlsplit(absolute)
    except ValueError:  # a bad port or unbalanced brackets
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def headline(text: str, limit: int = TITLE_CHARS) -> str:
    """A title for a post that has none: its text, cut at a word boundary before ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-") + "…"


# --- items -----------------------------------------------------------------------------------------------


def make_item(
    *,
    source: SourceConfig,
    key: str,
    url: str | None,
    title: str,
    text: str,
    published: datetime | None,
    fetched_at: datetime,
    guid: str | None = None,
    author: str | None = None,
    lang: str | None = None,
    counts: dict[str, int] | None = None,
) -> Item | None:
    """A normalized item, or None when there is neither title nor text. A post without a title gets the
    start of its text as title, and its text only when the title had to be cut (so nothing is said twice).
    ``key`` identifies the post within the source (a canonical URL or a platform id)."""
    if not title:
        title = headline(text)
        text = text if title != text else ""
    if not title:
        return None
    return Item(
        id=item_id_for(source.name, key),
        source=source.name,
        url=url,
        title=title,
        text=text,
        published_at=published or fetched_at,
        fetched_at=fetched_at,
        guid=guid,
        author=author or None,
        lang=lang or detect_lang(f"{title}. {text}", source.lang),
        date_from_fetch=published is None,
        engagement=counts or {},
    )


def convert_entries(
    entries: Iterable[object], convert: Callable[[dict[str, Any]], Item | None], source: SourceConfig
) -> list[Item]:
    """``convert`` applied to every entry, in order; entries that are not objects, that ``convert``
    refuses (None) or that it fails on are skipped, as are repeats of an id already seen."""
    items: list[Item] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            log.warning("skipping an entry of %s that is %s, not an object", source.name, _json_type(entry))
            continue
        try:
            item = convert(entry)
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeError) as exc:
            # One odd entry must not cost the others; it is skipped, never half-filled.
            log.warning("skipping an entry of %s that cannot be normalized: %s", source.name, exc)
            continue
        if item is None or item.id in seen:
            continue
        seen.add(item.id)
        items.append(item)
    return items


# --- configuration ---------------------------------------------------------------------------------------


def config_error(source: SourceConfig, key: str, message: str) -> ConfigError:
    """A :class:`ConfigError` for ``params.<key>`` (or ``url``) of ``source``."""
    return ConfigError(message, key=f"source {source.name!r} ({source.kind}) {key}")


def as_fetch_error(exc: ConfigError, source: SourceConfig) -> FetchError:
    """A configuration problem found while collecting, as the error a collector may raise: the run goes
    on with the other sources and the message is recorded on this one."""
    error = FetchError(f"invalid configuration: {exc}", url=source.url)
    error.__cause__ = exc
    return error


def configured(read: Callable[[SourceConfig], T], source: SourceConfig) -> T:
    """``read(source)`` inside ``collect``: a ConfigError becomes the FetchError the Collector contract
    allows (see :func:`as_fetch_error`)."""
    try:
        return read(source)
    except ConfigError as exc:
        raise as_fetch_error(exc, source) from exc


def param_str(source: SourceConfig, key: str) -> str | None:
    """``params[key]`` stripped, None when absent or blank; a ConfigError when it is not a string."""
    value = source.params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise config_error(source, f"params.{key}", f"must be a string, got {value!r}")
    return value.strip() or None


def param_int(source: SourceConfig, key: str, default: int, low: int, high: int) -> int:
    """``params[key]`` as an integer within ``low..high``; ``default`` when absent."""
    value = source.params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise config_error(source, f"params.{key}", f"must be an integer from {low} to {high}, got {value!r}")
    return value


def check_params(source: SourceConfig, allowed: Iterable[str]) -> None:
    """A ConfigError for the first key of ``params`` that the kind does not know (a typo would otherwise
    be ignored silently)."""
    known = set(allowed)
    for key in source.params:
        if key not in known:
            raise config_error(source, f"params.{key}", f"unknown key; known: {', '.join(sorted(known))}")


def site_root(url: str) -> str:
    """``https://host[:port]`` of ``url``, without path, query or fragment."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def api_url(base: str, path: str, query: Mapping[str, str | int] | None = None) -> str:
    """``base`` (which may carry a path prefix such as ``/api/v1``) joined with ``path`` and ``query``."""
    url = base.rstrip("/") + "/" + path.lstrip("/") if path else base
    return f"{url}?{urlencode(query)}" if query else url
