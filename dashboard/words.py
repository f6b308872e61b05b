"""Plain words for the radar's technical terms, shared by every page and the weekly brief (pure)."""

from __future__ import annotations

STATE_WORDS = {
    "mainstream": "mainstream",
    "emerging": "emerging movement",
    "weak": "weak signal",
    "spike": "short burst",
    "fading": "fading",
    "noise": "background",
}
STANCE_WORDS = {"opportunity": "opportunity", "risk": "risk", "neutral": "neutral"}
VERDICT_WORDS = {
    "consistent": "we do what we say",
    "says-more-than-does": "we say more than we do",
    "does-more-than-says": "we do more than we say",
    "not-claimed": "not a value we claim",
    "unmeasured": "cannot be measured yet",
}


def state_words(state: str | None) -> str:
    return STATE_WORDS.get(state or "", state or "unknown")


def momentum_words(momentum: float) -> str:
    """Momentum is a log2 growth: +1 means twice the attention of the weeks before, -1 half."""
    if momentum >= 1:
        return "rising fast"
    if momentum >= 0.3:
        return "rising"
    if momentum > -0.3:
        return "steady"
    if momentum > -1:
        return "cooling"
    return "cooling fast"


def verdict_words(verdict: str) -> str:
    return VERDICT_WORDS.get(verdict, verdict.replace("-", " "))


def state_change_words(before: str | None, after: str | None) -> str:
    if not before:
        return f"new: {state_words(after)}"
    return f"{state_words(before)} → {state_words(after)}"


def md_escape(text: str) -> str:
    """Text from the web shown through Markdown: backslash-escape Markdown's active characters, so that
    a title cannot turn into a link, an image, a heading or HTML."""
    specials = "\\`*_{}[]()<>#+-.!|~$"
    return "".join("\\" + char if char in specials else char for char in text)
