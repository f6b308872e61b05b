"""OPML 2.0 subscription lists in and out: the feeds of another reader become sources, and back.

An OPML file is untrusted input: it is parsed with expat directly, and a document type declaration or
any entity (beyond the five XML predefines) is refused, so that no entity expansion or external
resource can be triggered. Nested outlines are folders: their titles become the feeds' tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from radar.errors import ConfigError
from radar.settings import SourceConfig

_NOT_SLUG = re.compile(r"[^a-z0-9._-]+")
MAX_OPML_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str
    tags: tuple[str, ...] = ()


def slugify(text: str, limit: int = 64) -> str:
    """``"Le Monde – Planète"`` -> ``"le-monde-planete"``: a valid source name or tag, maybe empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-._")[:limit].strip("-._")


class _Refused(Exception):
    pass


def parse_opml(data: bytes, file: str = "OPML") -> list[OpmlFeed]:
    """The feeds (outlines with an ``xmlUrl``) of an OPML document, in document order.

    Raises ConfigError naming ``file`` for a document that is not well-formed, declares a DTD or an
    entity, or is not OPML.
    """
    if len(data) > MAX_OPML_BYTES:
        raise ConfigError(f"larger than {MAX_OPML_BYTES} bytes", file=file)
    parser = expat.ParserCreate()
    feeds: list[OpmlFeed] = []
    folders: list[str | None] = []  # one entry per open <outline>: its folder tag, or None for a feed
    root: list[str] = []

    def refuse(*_args: object) -> None:
        raise _Refused("a DTD or entity declaration is not allowed in OPML")

    def start(tag: str, attrs: dict[str, str]) -> None:
        if not root:
            root.append(tag)
        if tag != "outline":
            return
        url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        title = (attrs.get("title") or attrs.get("text") or "").strip()
        if not url:
            folders.append(slugify(title) or None)
            return
        tags = [folder for folder in folders if folder]
        for category in (attrs.get("category") or "").split(","):
            tags.extend(slugify(part) for part in category.split("/"))
        feeds.append(OpmlFeed(url, title, tuple(dict.fromkeys(tag for tag in tags if tag))))
        folders.append(None)

    def end(tag: str) -> None:
        if tag == "outline":
            folders.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ConfigError(str(exc), file=file) from exc
    except expat.ExpatError as exc:
        raise ConfigError(f"not well-formed XML: {exc}", file=file) from exc
    if root != ["opml"]:
        raise ConfigError(f"not OPML: the root element is <{root[0] if root else ''}>", file=file)
    return feeds


def plan_import(
    feeds: Iterable[OpmlFeed], existing: Sequence[SourceConfig]
) -> tuple[list[dict[str, Any]], list[OpmlFeed]]:
    """The ``sources.toml`` entries for ``feeds``, and the feeds skipped because their URL is watched.

    Names come from the title (the host when the title gives nothing), suffixed ``-2``, ``-3``... when
    taken. A feed listed twice is imported once.
    """
    from radar.collect import host_name

    taken = {source.name for source in existing}
    watched = {source.url for source in existing}
    entries: list[dict[str, Any]] = []
    skipped: list[OpmlFeed] = []
    for feed in feeds:
        if feed.url in watched:
            skipped.append(feed)
            continue
        base = slugify(feed.title) or host_name(feed.url)
        name = next(
            candidate
            for n in range(1, len(taken) + 2)
            if (candidate := base if n == 1 else f"{base[:60]}-{n}") not in taken
        )
        taken.add(name)
        watched.add(feed.url)
        entry: dict[str, Any] = {"name": name, "kind": "feed", "url": feed.url}
        if feed.tags:
            entry["tags"] = list(feed.tags)
        entries.append(entry)
    return entries, skipped


def write_opml(sources: Sequence[SourceConfig], now: datetime | None = None) -> bytes:
    """An OPML 2.0 document of the feed sources, in folders named after each one's first tag.

    Every tag is also in the ``category`` attribute, so that an import gives back the same tags.
    Sources of other kinds are not feeds a reader could subscribe to and are left out.
    """
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = "Vigie sources"
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = ET.SubElement(opml, "body")
    folders: dict[str, ET.Element] = {}
    for source in sources:
        if source.kind != "feed":
            continue
        parent = body
        if source.tags:
            folder = source.tags[0]
            if folder not in folders:
                folders[folder] = ET.SubElement(body, "outline", text=folder, title=folder)
            parent = folders[folder]
        attrs = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.url}
        if source.tags:
            attrs["category"] = ",".join(source.tags)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(opml)
    document: bytes = ET.tostring(opml, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
