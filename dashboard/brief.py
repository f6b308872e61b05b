"""The weekly brief: the top movers under each brand value, in plain words, as one printable page.

``build_brief`` picks and words the content (pure); ``brief_html`` renders it as a standalone HTML page
whose every piece of text is escaped (titles and labels come from the open web) and whose print CSS
keeps it to clean A4 pages when a board member saves it as PDF.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from dashboard.words import momentum_words, state_words, verdict_words

TOP_PER_VALUE = 3


def topic_summary(topic: Mapping[str, Any]) -> str:
    """One sentence a non-specialist can read: what the theme is doing, how big, and what it means for us."""
    stance = topic.get("stance", "neutral")
    meaning = {
        "opportunity": "an opportunity for us",
        "risk": "a risk to watch",
        "neutral": "worth knowing, no action needed",
    }.get(stance, stance)
    return (
        f"A {state_words(topic.get('state'))} theme, {momentum_words(float(topic.get('momentum') or 0))}, "
        f"seen in {topic.get('size', 0)} articles and posts: {meaning}."
    )


def build_brief(
    snapshot: Mapping[str, Any], deltas: Mapping[str, Any], top: int = TOP_PER_VALUE
) -> dict[str, Any]:
    """The brief's content: per value (then red lines' risks and unaligned themes), its top movers by
    absolute momentum, with their summaries; the say–do verdicts; and what is new this run."""
    sections = []
    for sector in snapshot["sectors"]:
        topics = [topic for topic in snapshot["topics"] if topic.get("sector") == sector["name"]]
        topics.sort(key=lambda topic: (-abs(float(topic.get("momentum") or 0)), topic["id"]))
        sections.append(
            {
                "value": sector["label"],
                "movers": [
                    {
                        "label": topic["label"],
                        "stance": topic.get("stance", "neutral"),
                        "momentum": float(topic.get("momentum") or 0),
                        "summary": topic_summary(topic),
                        "why": topic.get("reason") or "",
                    }
                    for topic in topics[:top]
                ],
            }
        )
    return {
        "profile": snapshot.get("profile", ""),
        "as_of": str(snapshot.get("as_of") or "")[:10],
        "counts": dict(snapshot.get("counts") or {}),
        "new": [topic["label"] for topic in deltas.get("new_topics", [])],
        "sections": sections,
        "say_do": [
            {
                "value": value["value"],
                "verdict": verdict_words(str(value.get("verdict", ""))),
                "text": value.get("text", ""),
            }
            for value in (snapshot.get("say_do") or {}).get("values", [])
        ],
    }


CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #1a202c; max-width: 46em; margin: 2em auto;
       line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } h2 { font-size: 1.15em; margin: 1.2em 0 0.3em;
     border-bottom: 1px solid #cbd5e0; } .meta { color: #4a5568; }
ul { padding-left: 1.2em; margin: 0.2em 0; } li { margin: 0.25em 0; }
.opportunity { color: #276749; } .risk { color: #c53030; } .neutral { color: #4a5568; }
.why { color: #4a5568; font-size: 0.9em; }
@media print {
  @page { size: A4; margin: 15mm; }
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2, li { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def brief_html(brief: Mapping[str, Any]) -> str:
    """The brief as a standalone page (no scripts, no external assets)."""
    e = html.escape
    counts = brief["counts"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Vigie weekly brief — {e(brief['profile'])} — {e(brief['as_of'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Weekly brief: {e(brief['profile'])}</h1>",
        f'<p class="meta">As of {e(brief["as_of"])}. {int(counts.get("opportunity", 0))} opportunities, '
        f"{int(counts.get('risk', 0))} risks, {int(counts.get('neutral', 0))} other themes.</p>",
    ]
    if brief["new"]:
        parts.append("<h2>New this week</h2><ul>")
        parts += [f"<li>{e(label)}</li>" for label in brief["new"]]
        parts.append("</ul>")
    for section in brief["sections"]:
        parts.append(f"<h2>{e(section['value'])}</h2>")
        if not section["movers"]:
            parts.append('<p class="neutral">Nothing moved here this week.</p>')
            continue
        parts.append("<ul>")
        for mover in section["movers"]:
            stance = mover["stance"] if mover["stance"] in ("opportunity", "risk") else "neutral"
            parts.append(
                f'<li><strong class="{stance}">{e(mover["label"])}</strong> — {e(mover["summary"])}'
                + (f'<br><span class="why">{e(mover["why"])}</span>' if mover["why"] else "")
                + "</li>"
            )
        parts.append("</ul>")
    if brief["say_do"]:
        parts.append("<h2>Do we do what we say?</h2><ul>")
        parts += [
            f"<li><strong>{e(row['value'])}</strong>: {e(row['verdict'])}. {e(row['text'])}</li>"
            for row in brief["say_do"]
        ]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
