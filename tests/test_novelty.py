"""Splitting new, small groups out of a fit's hierarchy (radar.analysis.novelty), on hand-built trees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from radar.analysis.novelty import CondensedTree, leaves, novel_groups, recent_mask, relabel

# Ten points (0-9). Root 10 splits into 11 (points 0-3) and 12; 12 splits into 13 (4-6) and 14 (7-9).
TREE = CondensedTree(
    parent=[10, 10, 11, 11, 11, 11, 12, 12, 13, 13, 13, 14, 14, 14],
    child=[11, 12, 0, 1, 2, 3, 13, 14, 4, 5, 6, 7, 8, 9],
    child_size=[4, 6, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1],
    n_points=10,
)


def test_leaves_are_the_clusters_without_cluster_children() -> None:
    assert leaves(TREE) == {11: [0, 1, 2, 3], 13: [4, 5, 6], 14: [7, 8, 9]}


def test_a_recent_leaf_folded_into_a_larger_cluster_is_split_out() -> None:
    labels = [0] * 10  # the fit made one cluster of everything
    recent = [False] * 10
    for i in (4, 5, 6):
        recent[i] = True  # 30% of the window is recent; leaf 13 is all recent
    assert novel_groups(TREE, labels, recent, min_size=3) == [[4, 5, 6]]
    assert novel_groups(TREE, labels, recent, min_size=4) == []  # too small for a topic


def test_a_recent_leaf_among_outliers_is_split_out() -> None:
    labels = [0, 0, 0, 0, -1, -1, -1, 1, 1, 1]
    recent = [False, False, False, False, True, True, True, False, False, False]
    assert novel_groups(TREE, labels, recent, min_size=3) == [[4, 5, 6]]


def test_a_leaf_that_already_is_its_cluster_is_left_alone() -> None:
    labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    recent = [False, False, False, False, True, True, True, False, False, False]
    assert novel_groups(TREE, labels, recent, min_size=3) == []


def test_a_leaf_no_more_recent_than_the_window_is_not_novel() -> None:
    labels = [0] * 10
    # Leaf 13 is 2/3 recent, but so is the whole window: no lift over the window's own share.
    recent = [True, True, True, False, True, True, False, True, True, False]
    assert novel_groups(TREE, labels, recent, min_size=3) == []


def test_a_window_that_is_mostly_recent_has_no_past_to_be_new_against() -> None:
    labels = [0] * 10
    recent = [True] * 10
    assert novel_groups(TREE, labels, recent, min_size=3) == []


def test_relabel_gives_each_group_a_fresh_label() -> None:
    labels, added = relabel([0, 0, -1, 1, 1, -1], [[2, 5], [0]])
    assert labels == [3, 0, 2, 1, 1, 2]
    assert added == [2, 3]


def test_recent_mask_covers_the_recent_days_up_to_as_of() -> None:
    as_of = datetime(2026, 3, 31, 23, tzinfo=UTC)
    published = [as_of - timedelta(days=d) for d in (0, 13.9, 14.1, 30)] + [as_of + timedelta(hours=1)]
    assert recent_mask(published, as_of, 14) == [True, True, False, False, False]
