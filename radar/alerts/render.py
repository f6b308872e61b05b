"""What a message says, from an outbox row's facts (pure): a Slack Block Kit message and a JSON document.

Built from slack-sdk's block models, so Slack's limits (field counts, text types) are checked by the
library rather than by hand.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from radar.alerts.outbox import OutboxAlert

EXAMPLES = 3
# Evidence figures worth a line in a message, in this order, with their words.
FIGURES = (
    ("growth", "growth"),
    ("growth_z", "growth (sigmas)"),
    ("items_recent", "recent items"),
    ("items_baseline", "baseline items"),
    ("sources_recent", "sources"),
    ("share_recent", "share of voice"),
)


def topic_link(dashboard_url: str | None, topic_id: str | None) -> str | None:
    if not dashboard_url or not topic_id:
        return None
    return f"{dashboard_url}/?topic={quote(topic_id)}"


def figures(facts: dict[str, Any]) -> list[str]:
    """``label: value`` lines: items and score, then the known evidence figures present."""
    lines = []
    if facts.get("items") is not None:
        lines.append(f"*items*: {facts['items']}")
    if facts.get("score") is not None:
        lines.append(f"*score*: {facts['score']}")
    if facts.get("momentum") is not None:
        lines.append(f"*momentum*: {facts['momentum']:+.2f}")
    evidence = facts.get("evidence") or {}
    # The state classifier's evidence: the rule that decided, and the measures it read.
    measures = evidence.get("measures") or {}
    for key, words in FIGURES:
        value = measures.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            lines.append(f"*{words}*: {round(value, 3)}")
    return lines


def json_document(alert: OutboxAlert, dashboard_url: str | None) -> dict[str, Any]:
    """The generic webhook's body: the alert's facts, its identity, and the dashboard link."""
    return {
        "id": alert.id,
        "dedupe_key": alert.dedupe_key,
        "rule": alert.rule,
        "kind": alert.kind,
        "title": alert.title,
        "topic_id": alert.topic_id,
        "created_at": alert.created_at.isoformat(),
        "dashboard_url": topic_link(dashboard_url, alert.topic_id),
        "facts": alert.facts,
    }


def slack_message(alert: OutboxAlert, dashboard_url: str | None) -> dict[str, Any]:
    """``text`` (the notification's fallback) and ``blocks`` for an incoming webhook."""
    from slack_sdk.models.blocks import (
        ContextBlock,
        DividerBlock,
        HeaderBlock,
        MarkdownTextObject,
        SectionBlock,
    )

    facts = alert.facts
    blocks: list[Any] = [HeaderBlock(text=alert.title[:150])]
    if alert.kind == "digest":
        blocks.extend(_digest_blocks(facts, dashboard_url))
    elif alert.kind == "source":
        detail = facts.get("error") or f"last new item {facts.get('last_new_item_at')}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{facts.get('source')}*: {detail}"[:3000])))
    else:
        change = f"*{facts.get('from') or 'new'}* → *{facts.get('to')}*"
        lines = figures(facts)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"{change} · rule `{alert.rule}`"),
                fields=[MarkdownTextObject(text=line) for line in lines[:10]] or None,
            )
        )
        rule_text = (facts.get("evidence") or {}).get("rule")
        if rule_text:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"because {rule_text}"[:3000])]))
        for place in facts.get("placement") or []:
            stance = f"{place.get('stance')} in {place.get('sector') or '(no value)'}"
            reason = f" — {place['reason']}" if place.get("reason") else ""
            blocks.append(
                ContextBlock(
                    elements=[MarkdownTextObject(text=f"{place.get('profile')}: {stance}{reason}"[:3000])]
                )
            )
        examples = [e for e in facts.get("examples") or [] if e.get("title")][:EXAMPLES]
        if examples:
            text = "\n".join(_example_line(e) for e in examples)
            blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:3000])))
    link = topic_link(dashboard_url, alert.topic_id)
    if link:
        blocks.append(DividerBlock())
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"<{link}|Open in the dashboard>")]))
    return {"text": alert.title, "blocks": [block.to_dict() for block in blocks]}


def _example_line(example: dict[str, Any]) -> str:
    title = str(example["title"]).replace("|", "¦").replace(">", "›")[:120]
    return f"• <{example['url']}|{title}>" if example.get("url") else f"• {title}"


def _digest_blocks(facts: dict[str, Any], dashboard_url: str | None) -> list[Any]:
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    movers = facts.get("movers") or []
    if not movers:
        return [SectionBlock(text=MarkdownTextObject(text="No topic moved enough to report."))]
    lines = []
    for move in movers:
        label = move["label"]
        link = topic_link(dashboard_url, move.get("id"))
        name = f"<{link}|{label}>" if link else label
        change = f"{move['momentum_from']:+.2f} → {move['momentum_to']:+.2f}"
        lines.append(f"• {name}: momentum {change} ({move.get('stance')})")
    return [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:3000]))]
