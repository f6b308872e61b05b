"""Plain words for the radar's technical terms, shared by every page and the weekly brief (pure)."""

from __future__ import annotations

import re

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


# Where Streamlit's Markdown (GitHub-flavoured) would turn plain text into a link: a bare URL, "www.", an
# e-mail address. It finds them in the text after reading the escapes, so no backslash stops it.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"  # invisible, and not a character the autolink patterns accept


def md_escape(text: str) -> str:
    """Text from the web shown through Markdown: backslash-escape Markdown's active characters, so that
    a title cannot turn into a link, an image, a heading or HTML.

    Bare URLs and e-mail addresses are broken with an invisible word joiner (U+2060 after the colon of
    "://", after "www" and after "@"): without it a label holding ``https://attacker.example`` became a
    live link (found by tests/reliability/test_hostile_input.py in a browser)."""
    specials = "\\`*_{}[]()<>#+-.!|~$"
    text = _AUTOLINK.sub(_WORD_JOINER, text)
    return "".join("\\" + char if char in specials else char for char in text)
