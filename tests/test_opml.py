"""OPML in and out: folders become tags, names are valid and unique, hostile documents are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radar.errors import ConfigError
from radar.opml import OpmlFeed, parse_opml, plan_import, slugify, write_opml
from radar.settings import SourceConfig

READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Tech News" title="Tech News">
      <outline type="rss" text="HN" title="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
      <outline text="Deep dives">
        <outline type="rss" text="Le Monde – Planète" xmlUrl="https://www.lemonde.fr/planete/rss_full.xml"
                 category="/Climate/News,ecology"/>
      </outline>
    </outline>
    <outline type="rss" text="Hacker News" xmlUrl="https://hn.example/rss"/>
    <outline type="rss" title="" text="" xmlUrl="https://www.grist.org/feed/"/>
  </body>
</opml>""".encode()


def test_nested_outlines_become_tags() -> None:
    feeds = parse_opml(READER_EXPORT)
    assert feeds == [
        OpmlFeed("https://news.ycombinator.com/rss", "Hacker News", ("tech-news",)),
        OpmlFeed(
            "https://www.lemonde.fr/planete/rss_full.xml",
            "Le Monde – Planète",
            ("tech-news", "deep-dives", "climate", "news", "ecology"),
        ),
        OpmlFeed("https://hn.example/rss", "Hacker News", ()),
        OpmlFeed("https://www.grist.org/feed/", "", ()),
    ]


def test_plan_import_names_from_titles_deduplicated_and_skips_watched_urls() -> None:
    existing = [SourceConfig(name="hacker-news", url="https://old.example/rss")]
    feeds = [*parse_opml(READER_EXPORT), OpmlFeed("https://old.example/rss", "Old", ())]
    entries, skipped = plan_import(feeds, existing)
    assert [(e["name"], e["url"]) for e in entries] == [
        ("hacker-news-2", "https://news.ycombinator.com/rss"),
        ("le-monde-planete", "https://www.lemonde.fr/planete/rss_full.xml"),
        ("hacker-news-3", "https://hn.example/rss"),
        ("grist.org", "https://www.grist.org/feed/"),  # no title: the host
    ]
    assert entries[0]["tags"] == ["tech-news"] and "tags" not in entries[2]
    assert [feed.url for feed in skipped] == ["https://old.example/rss"]
    for entry in entries:
        SourceConfig.model_validate(entry)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b'<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://x.example/"/></body></opml>',
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>',
            "DTD",
        ),
        (b'<!DOCTYPE opml SYSTEM "http://evil.example/opml.dtd"><opml version="2.0"/>', "DTD"),
        (b'<opml version="2.0"><body><outline text="&amp;&nbsp;"/></body></opml>', "undefined entity"),
        (b'<opml version="2.0"><body>', "not well-formed"),
        (b'<rss version="2.0"><channel/></rss>', "not OPML"),
    ],
)
def test_hostile_or_wrong_documents_are_refused(document: bytes, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_opml(document, "subs.opml")
    assert caught.value.file == "subs.opml"
    assert reason in caught.value.message


def test_export_then_import_gives_back_the_feeds_and_tags() -> None:
    sources = [
        SourceConfig(name="a", url="https://a.example/rss", tags=("eco", "news")),
        SourceConfig(name="b", url="https://b.example/rss", tags=("eco",)),
        SourceConfig(name="c", url="https://c.example/rss"),
        SourceConfig(name="toots", kind="mastodon", url="https://m.example/"),
    ]
    document = write_opml(sources)
    assert document.startswith(b"<?xml") and b'version="2.0"' in document
    feeds = parse_opml(document)
    assert {(f.url, f.title, frozenset(f.tags)) for f in feeds} == {
        ("https://a.example/rss", "a", frozenset({"eco", "news"})),
        ("https://b.example/rss", "b", frozenset({"eco"})),
        ("https://c.example/rss", "c", frozenset()),
    }


@given(st.text(max_size=100))
def test_slugify_gives_a_valid_name_or_nothing(text: str) -> None:
    slug = slugify(text)
    if slug:
        assert SourceConfig(name=slug, url="https://x.example/").name == slug


@given(st.lists(st.tuples(st.text(max_size=80), st.integers(0, 5)), max_size=12))
def test_imported_names_are_valid_and_unique(titles: list[tuple[str, int]]) -> None:
    feeds = [OpmlFeed(f"https://h{host}.example/{i}", title, ()) for i, (title, host) in enumerate(titles)]
    entries, _ = plan_import(feeds, [])
    names = [SourceConfig.model_validate(entry).name for entry in entries]
    assert len(names) == len(set(names)) == len(feeds)
