"""Finding new, small groups of items that a fit has folded into a larger topic or left as outliers (pure).

HDBSCAN's "excess of mass" selection keeps the large, stable clusters of its hierarchy. That is what a radar
wants for established themes, but a movement that is just starting is a handful of close items, and the
selection folds it into the broad cluster next to it (the first COVID trackers inside a "data and maps"
topic) or leaves it among the outliers. The hierarchy still holds it: it is a *leaf* of the condensed tree.

Most leaves are just texture inside stable themes. What sets a starting movement apart is time: its items
are recent while its neighbours' are spread over the window. A leaf is split out as its own cluster when
its items are concentrated in the recent period far beyond the window's own share of recent items, and when
it is not already (nearly) a cluster of its own. The split cluster is then tracked and classified like any
other, so it only raises a flag when its counts earn one: the split decides what is *measured*, never what
is *flagged*. No word is involved, so a movement that brings no new word is found the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

# A leaf must have at least this share of its items in the recent period...
MIN_RECENT_SHARE = 0.6
# ...and at least this multiple of the window's own recent share (volume may be growing everywhere).
MIN_RECENT_LIFT = 2.0
# A leaf that already makes up this share of its cluster *is* that cluster: nothing to split.
MAX_SHARE_OF_CLUSTER = 0.8


@dataclass(frozen=True, slots=True)
class CondensedTree:
    """HDBSCAN's condensed tree as plain arrays: one row per edge, ``child < n_points`` for a point."""

    parent: Sequence[int]
    child: Sequence[int]
    child_size: Sequence[int]
    n_points: int


def recent_mask(published: Sequence[datetime], as_of: datetime, days: int) -> list[bool]:
    """Which of ``published`` fall in the ``days`` ending at ``as_of`` (the signals' recent period)."""
    start = as_of - timedelta(days=days)
    return [start < moment <= as_of for moment in published]


def leaves(tree: CondensedTree) -> dict[int, list[int]]:
    """The points of every leaf cluster (a cluster node with no cluster children) of ``tree``."""
    has_cluster_child: set[int] = set()
    points: dict[int, list[int]] = defaultdict(list)
    clusters: set[int] = set()
    for parent, child in zip(tree.parent, tree.child, strict=True):
        clusters.add(int(parent))
        if child >= tree.n_points:
            has_cluster_child.add(int(parent))
        else:
            points[int(parent)].append(int(child))
    # The root holds every point that fell out before the first split; it is never a leaf of interest.
    root = min(clusters) if clusters else -1
    return {node: sorted(points[node]) for node in clusters - has_cluster_child - {root} if points[node]}


def novel_groups(
    tree: CondensedTree,
    labels: Sequence[int],
    recent: Sequence[bool],
    min_size: int,
) -> list[list[int]]:
    """Groups of point indices to split out as clusters of their own, largest first.

    ``labels`` are the fit's cluster labels (-1 = outlier) and ``recent`` says which points fall in the
    recent period. See the module docstring for the rule; the thresholds are the module constants.
    """
    n = len(labels)
    if n == 0 or len(recent) != n:
        return []
    window_recent = float(np.count_nonzero(np.asarray(recent, dtype=bool))) / n
    if window_recent == 0.0:
        return []
    needed = max(MIN_RECENT_SHARE, MIN_RECENT_LIFT * window_recent)
    if needed > 1.0:
        return []  # most of the window is recent (a new installation): no past to be new against
    sizes = Counter(labels)
    groups: list[list[int]] = []
    for members in leaves(tree).values():
        if len(members) < min_size:
            continue
        share_recent = sum(1 for i in members if recent[i]) / len(members)
        if share_recent < needed:
            continue
        host, in_host = Counter(labels[i] for i in members).most_common(1)[0]
        if host != -1 and in_host >= MAX_SHARE_OF_CLUSTER * sizes[host]:
            continue  # already a cluster of its own
        groups.append(members)
    groups.sort(key=len, reverse=True)
    return groups


def relabel(labels: Sequence[int], groups: Sequence[Sequence[int]]) -> tuple[list[int], list[int]]:
    """``labels`` with each group given a new label after the largest one; also returns the new labels."""
    out = list(labels)
    next_label = max([*out, -1]) + 1
    added: list[int] = []
    for group in groups:
        for index in group:
            out[index] = next_label
        added.append(next_label)
        next_label += 1
    return out, added
