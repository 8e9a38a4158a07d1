"""Ownership through applies and updates: structured-merge-diff's multi-applier tables, in
Kubernetes types, and properties of the rules.

Ported from sigs.k8s.io/structured-merge-diff merge/multiple_appliers_test.go
(TestMultipleAppliersSet: remove_one, same_value_no_conflict, change_value_yes_conflict,
remove_one_keep_one; TestMultipleAppliersFieldUnsetting: unset_scalar_sole_owner,
unset_scalar_shared_with_applier, unset_scalar_shared_with_updater, updater_claims_field) and
merge/conflict_test.go (TestConflictsFromManagers' message shape). SMD's `list` keyed by name is a
container's `env` here (keyed by name, with `value`), its `struct` the container itself.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.cluster.fieldmanager.apiserver import Endpoint, record_update, server_side_apply
from kapply.cluster.fieldmanager.fieldpath import FieldSet, field, from_fields_v1, key
from kapply.cluster.fieldmanager.typed import to_set
from kapply.errors import ApplyConflictError
from kapply.validate.structure import root_type

POD = Endpoint("v1", "Pod", root_type("v1", "Pod"), has_status=True)
ENV = (field("spec"), field("containers"), key([("name", "c")]), field("env"))
CONTAINER = (field("spec"), field("containers"), key([("name", "c")]))


def pod(**container: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", **container}]}}


def env(*items: tuple[str, str] | str) -> list[dict[str, str]]:
    return [{"name": i} if isinstance(i, str) else {"name": i[0], "value": i[1]} for i in items]


class State:
    """An object and its managedFields through a sequence of writes (SMD's test fixture State)."""

    def __init__(self) -> None:
        self.live: dict[str, Any] | None = None
        self.tick = 0

    def _now(self) -> str:
        self.tick += 1
        return f"2026-01-01T00:00:{self.tick:02d}Z"

    def apply(self, manager: str, config: dict[str, Any], force: bool = False) -> None:
        self.live = server_side_apply(self.live, copy.deepcopy(config), manager, POD, self._now(), force)
        self.live["metadata"].setdefault("uid", "u1")

    def update(self, manager: str, obj: dict[str, Any]) -> None:
        new = copy.deepcopy(obj)
        if self.live is not None:
            new["metadata"]["managedFields"] = self.live["metadata"].get("managedFields")
        record_update(self.live, new, manager, POD, self._now())
        new["metadata"].setdefault("uid", "u1")
        self.live = new

    def owned(self, manager: str, under: tuple = ()) -> FieldSet:
        for entry in (self.live or {}).get("metadata", {}).get("managedFields") or ():
            if entry["manager"] == manager:
                fs = from_fields_v1(entry["fieldsV1"])
                for pe in under:
                    fs = fs.with_prefix(pe)
                return fs
        return FieldSet()

    def managers(self) -> list[tuple[str, str]]:
        return [(e["manager"], e["operation"])
                for e in (self.live or {}).get("metadata", {}).get("managedFields") or ()]

    def container(self) -> dict[str, Any]:
        assert self.live is not None
        return self.live["spec"]["containers"][0]


def items(*names: str) -> FieldSet:
    """The env items `names` with their name (and value) fields, as an applier of them owns."""
    paths = []
    for name in names:
        pe = key([("name", name)])
        paths += [(pe,), (pe, field("name"))]
    return FieldSet.of(paths)


def test_remove_one() -> None:
    s = State()
    s.apply("apply-one", pod(env=env("a", "b")))
    s.apply("apply-two", pod(env=env("c")))
    s.apply("apply-one", pod(env=env("a")))
    assert s.container()["env"] == env("a", "c")
    assert s.owned("apply-one", ENV) == items("a")
    assert s.owned("apply-two", ENV) == items("c")


def test_same_value_no_conflict() -> None:
    s = State()
    s.apply("apply-one", pod(env=env(("a", "0"))))
    s.apply("apply-two", pod(env=env(("a", "0"))))
    both = items("a").union(FieldSet.of([(key([("name", "a")]), field("value"))]))
    assert s.owned("apply-one", ENV) == both
    assert s.owned("apply-two", ENV) == both


def test_change_value_yes_conflict() -> None:
    s = State()
    s.apply("apply-one", pod(env=env(("a", "0"))))
    with pytest.raises(ApplyConflictError) as err:
        s.apply("apply-two", pod(env=env(("a", "1"))))
    assert str(err.value) == ('Apply failed with 1 conflict: conflict with "apply-one": '
                              '.spec.containers[name="c"].env[name="a"].value')
    assert err.value.conflicts == [('"apply-one"', '.spec.containers[name="c"].env[name="a"].value')]
    assert err.value.code == 409 and err.value.reason == "Conflict"
    assert s.container()["env"] == env(("a", "0"))
    assert [m for m, _ in s.managers()] == ["apply-one"]


def test_remove_one_keep_one() -> None:
    s = State()
    s.apply("apply-one", pod(env=env("a", "b", "c")))
    s.apply("apply-two", pod(env=env("c", "d")))
    s.apply("apply-one", pod(env=env("a")))
    assert s.container()["env"] == env("a", "c", "d")
    assert s.owned("apply-one", ENV) == items("a")
    assert s.owned("apply-two", ENV) == items("c", "d")


def test_unset_scalar_sole_owner() -> None:
    s = State()
    s.apply("apply-one", pod(image="a"))
    s.apply("apply-one", pod())
    assert "image" not in s.container()
    assert s.owned("apply-one", CONTAINER) == FieldSet.of([(field("name"),)])


def test_unset_scalar_shared_with_applier() -> None:
    s = State()
    s.apply("apply-one", pod(image="a"))
    s.apply("apply-two", pod(image="a"))
    s.apply("apply-one", pod())
    assert s.container()["image"] == "a"
    assert s.owned("apply-one", CONTAINER) == FieldSet.of([(field("name"),)])


def test_unset_scalar_shared_with_updater() -> None:
    s = State()
    s.update("updater", pod(image="a"))
    s.apply("applier", pod(image="a"))
    s.apply("applier", pod())
    assert s.container()["image"] == "a"  # the updater still owns it
    assert s.owned("updater", CONTAINER).has((field("image"),))


def test_updater_claims_field() -> None:
    s = State()
    s.apply("applier", pod(image="a"))
    s.update("updater", pod(image="b"))
    assert not s.owned("applier", CONTAINER).has((field("image"),))
    s.apply("applier", pod())
    assert s.container()["image"] == "b"
    assert s.managers() == [("applier", "Apply"), ("updater", "Update")]


def test_force_takes_the_field() -> None:
    s = State()
    s.apply("apply-one", pod(image="a"))
    s.apply("apply-two", pod(image="b"), force=True)
    assert s.container()["image"] == "b"
    assert not s.owned("apply-one", CONTAINER).has((field("image"),))
    assert s.owned("apply-two", CONTAINER).has((field("image"),))


def test_conflicts_with_several_managers_and_fields() -> None:
    """conflict.go: managers sorted by identity, each with its fields (members, then deeper ones)."""
    s = State()
    s.apply("bob", pod(image="a", workingDir="/w"))
    s.update("alice", pod(image="a", workingDir="/w", env=env(("X", "1"))))
    with pytest.raises(ApplyConflictError) as err:
        s.apply("carol", pod(image="b", workingDir="/v", env=env(("X", "2"))))
    assert str(err.value) == "\n".join([
        'Apply failed with 3 conflicts: conflicts with "alice" using v1:',
        '- .spec.containers[name="c"].env[name="X"].value',
        'conflicts with "bob":',
        '- .spec.containers[name="c"].image',
        '- .spec.containers[name="c"].workingDir',
    ])


# ---- properties ----------------------------------------------------------------------------------

env_items = st.lists(st.tuples(st.sampled_from("ABCDEF"), st.sampled_from(["0", "1"])), max_size=5,
                     unique_by=lambda t: t[0])
containers = st.fixed_dictionaries({}, optional={
    "image": st.sampled_from(["a", "b"]), "workingDir": st.sampled_from(["/x", "/y"]),
    "env": env_items.map(lambda xs: env(*xs)),
    "args": st.lists(st.sampled_from(["-v", "-q"]), max_size=2),
})


@settings(max_examples=60, deadline=None)
@given(containers)
def test_reapplying_the_same_configuration_changes_nothing(container: dict) -> None:
    s = State()
    s.apply("me", pod(**container))
    before = copy.deepcopy(s.live)
    s.apply("me", pod(**container))
    assert s.live == before  # object and managedFields, times included: nothing to write


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["one", "two", "three"]), st.booleans(), containers),
                min_size=1, max_size=4))
def test_managers_cover_every_field_set(writes: list) -> None:
    """After any applies and updates, every field set in the object has an owner (apart from the
    server's identity fields)."""
    s = State()
    for manager, is_apply, container in writes:
        if is_apply:
            try:
                s.apply(manager, pod(**container))
            except ApplyConflictError:
                s.apply(manager, pod(**container), force=True)
        else:
            s.update(manager, pod(**container))
    assert s.live is not None
    union = FieldSet()
    for entry in s.live["metadata"].get("managedFields") or ():
        union = union.union(from_fields_v1(entry["fieldsV1"]))
    bare = {**s.live, "metadata": {k: v for k, v in s.live["metadata"].items() if k != "managedFields"}}
    spec_leaves = to_set(bare, POD.node).leaves().with_prefix(field("spec"))
    assert spec_leaves.difference(union.with_prefix(field("spec"))).empty()


@settings(max_examples=60, deadline=None)
@given(containers, st.sampled_from(["image", "workingDir", "env", "args"]))
def test_a_field_only_its_applier_owned_goes_when_dropped(container: dict, name: str) -> None:
    s = State()
    s.apply("me", pod(**container))
    dropped = {k: v for k, v in container.items() if k != name}
    s.apply("me", pod(**dropped))
    if name == "env" and container.get("env") == []:
        return  # an empty list is never owned: nothing to remove
    assert name not in s.container()
