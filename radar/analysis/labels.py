"""Readable topic labels from ranked keywords (pure)."""

from __future__ import annotations

from collections.abc import Sequence


def readable_label(keywords: Sequence[str], max_terms: int = 3) -> str:
    """``["repair café", "repair", "cafés", "phones"]`` -> ``"Repair café · phones"``.

    Skips a keyword already contained in a chosen one (or containing it), so a label does not repeat
    itself with the unigram of a chosen bigram.
    """
    chosen: list[str] = []
    for keyword in keywords:
        word = keyword.strip()
        if not word:
            continue
        tokens = _stems(word)
        if any(tokens <= _stems(other) or _stems(other) <= tokens for other in chosen):
            continue
        chosen.append(word)
        if len(chosen) == max_terms:
            break
    if not chosen:
        return "(unlabelled)"
    label = " · ".join(chosen)
    return label[0].upper() + label[1:]


def _stems(phrase: str) -> set[str]:
    # "cafés" and "café" are one word for a label; a crude plural fold is enough here.
    return {token.lower().removesuffix("s") for token in phrase.split()}
