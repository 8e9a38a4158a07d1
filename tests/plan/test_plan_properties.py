"""Invariants of the merge and the plan, over generated manifests."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.plan.inventory import Inventory
from kapply.plan.plan import make_plan
from kapply.plan.three_way import merge, satisfies

NAMES = st.text("abcdefgh", min_size=1, max_size=4)
SCALARS = st.one_of(st.integers(-5, 5), st.booleans(), st.text("xyz", max_size=3))
TREES = st.recursive(SCALARS, lambda inner: st.dictionaries(NAMES, inner, max_size=4), max_leaves=12)
SPECS = st.dictionaries(NAMES, TREES, max_size=5)


def obj(spec: dict) -> dict:
    return {"apiVersion": "example.io/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


@given(SPECS, SPECS, SPECS)
def test_merge_sets_everything_the_file_says(last: dict, desired: dict, live: dict) -> None:
    merged = merge(obj(last), obj(desired), obj(live))
    assert satisfies(obj(desired), merged)


@given(SPECS, SPECS, SPECS)
def test_merge_removes_what_the_file_dropped_and_keeps_what_nobody_wrote(last: dict, desired: dict,
                                                                         live: dict) -> None:
    merged = merge(obj(last), obj(desired), obj(live))["spec"]
    for k in live:
        if k in desired:
            continue
        if k in last:
            assert k not in merged
        else:
            assert merged[k] == live[k]


@given(SPECS, SPECS)
def test_merge_is_idempotent(desired: dict, live: dict) -> None:
    once = merge(obj(desired), obj(desired), obj(live))
    assert merge(obj(desired), obj(desired), once) == once


@settings(max_examples=50)
@given(st.lists(st.tuples(NAMES, st.dictionaries(NAMES, st.text("ab", max_size=3), max_size=4)),
                min_size=1, max_size=6, unique_by=lambda t: t[0]))
def test_plan_then_plan_again_is_unchanged(configmaps: list) -> None:
    desired = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}, "data": d}
               for n, d in configmaps]
    first = make_plan(desired, {}, None, inventory_id="src-1", prune=True)
    live = {c.key: {**copy.deepcopy(c.desired), "status": {}} for c in first.changes}
    for o in live.values():
        o["metadata"]["uid"] = "u"
    again = make_plan(desired, live, Inventory("src-1", set(live)), inventory_id="src-1", prune=True)
    assert {c.action for c in again.changes} == {"unchanged"}


PLAIN = st.one_of(st.integers(-5, 5), st.text("xyz", max_size=3))
LISTY = st.recursive(PLAIN, lambda inner: st.one_of(st.dictionaries(NAMES, inner, max_size=4),
                                                     st.lists(inner, max_size=3)), max_leaves=12)
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(st.dictionaries(NAMES, inner, max_size=4),
                                                         st.lists(inner, max_size=3)), max_leaves=12)


@given(LISTY, LISTY)
@settings(max_examples=300)
def test_diff_agrees_with_deepdiff(old: object, new: object) -> None:
    """kapply's own structural diff (fast, typed FieldChanges) against deepdiff as an oracle.

    Booleans are left out here: deepdiff hashes list items, and `hash(0) == hash(False)`.
    """
    from deepdiff import DeepDiff

    from kapply.plan.change import diff

    assert (diff(old, new) == ()) == (DeepDiff(old, new, ignore_order=False) == {})


@given(JSONISH, JSONISH)
@settings(max_examples=300)
def test_diff_is_empty_exactly_when_the_json_is_equal(old: object, new: object) -> None:
    """JSON tells 0 from false; so must the diff (the API server would)."""
    import json

    from kapply.plan.change import diff

    same = json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)
    assert (diff(old, new) == ()) == same
