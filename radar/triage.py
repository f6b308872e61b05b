"""Analysts' triage of topics: acknowledge, dismiss or watch, with a note. Pure types and rules.

A dismissed topic is muted (no alerts) while its state is the one it had when dismissed; once its state
changes, the dismissal no longer holds and the topic alerts again. The store keeps the current verdict
and every verdict ever given (the history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Verbs an analyst sends, and the status each leaves on the topic.
ACTIONS = {"acknowledge": "acknowledged", "dismiss": "dismissed", "watch": "watched", "clear": "cleared"}
STATUSES = tuple(ACTIONS.values())


@dataclass(frozen=True, slots=True)
class Triage:
    """The current verdict on a topic. ``dismissed_state`` is set only when ``status`` is dismissed."""

    topic_id: str
    status: str
    note: str | None
    dismissed_state: str | None
    updated_at: datetime
    updated_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic_id": self.topic_id,
            "status": self.status,
            "note": self.note,
            "dismissed_state": self.dismissed_state,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


def is_muted(triage: Triage | None, current_state: str) -> bool:
    """Whether alerts about a topic are held back: it was dismissed in the state it still has."""
    return triage is not None and triage.status == "dismissed" and triage.dismissed_state == current_state
