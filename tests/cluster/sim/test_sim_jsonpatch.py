"""JSON patch (RFC 6902) and the strategic-merge directives kubectl sends.

The JSON patch table is RFC 6902 appendix A (A.1-A.16), with the error texts of evanphx/json-patch
(the library the API server uses); the directive cases follow k8s.io/apimachinery
pkg/util/strategicpatch/patch_test.go ($retainKeys, $deleteFromPrimitiveList, $setElementOrder).
"""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.jsonpatch import PatchFailed, json_patch
from kapply.cluster.sim.patch import strategic_merge
from kapply.errors import BadRequestError
from kapply.validate.structure import root_type

POD = root_type("v1", "Pod")
DEPLOY = root_type("apps/v1", "Deployment")


@pytest.mark.parametrize(("doc", "ops", "result"), [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),  # A.1
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}],
     {"foo": ["bar", "qux", "baz"]}),  # A.2
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),  # A.3
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),  # A.4
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}],
     {"baz": "boo", "foo": "bar"}),  # A.5
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),  # A.6
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),  # A.7
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),  # A.8
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),  # A.10
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
     {"foo": "bar", "baz": "qux"}),  # A.11: unknown members ignored
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),  # A.14
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
     {"foo": ["bar", ["abc", "def"]]}),  # A.16
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
])
def test_rfc6902_appendix_a(doc: Any, ops: list, result: Any) -> None:
    assert json_patch(doc, ops) == result


@pytest.mark.parametrize(("doc", "ops", "message"), [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}],
     "testing value /baz failed: test failed"),  # A.9
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}],
     'add operation does not apply: doc is missing path: "/baz/bat": missing value'),  # A.12
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}],
     "testing value /~01 failed: test failed"),  # A.15: "10" is not 10
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}],
     "replace operation does not apply: doc is missing key: /b: missing value"),
    ({"a": 1}, [{"op": "remove", "path": "/x/y"}],
     'remove operation does not apply: doc is missing path: "/x/y": missing value'),
    ({"a": [1]}, [{"op": "add", "path": "/a/5", "value": 2}],
     "Unable to access invalid index: 5: invalid index referenced"),
    ({"a": 1}, [{"op": "move", "from": "/nope", "path": "/b"}],
     "move operation does not apply: doc is missing from path: /nope: missing value"),
])
def test_failed_operations_are_422(doc: Any, ops: list, message: str) -> None:
    with pytest.raises(PatchFailed) as err:
        json_patch(doc, ops)
    assert str(err.value) == message and err.value.code == 422


@pytest.mark.parametrize("ops", [{"op": "add"}, ["add"], [{"op": "frobnicate", "path": "/a"}]])
def test_malformed_patches_are_400(ops: Any) -> None:
    with pytest.raises(BadRequestError):
        json_patch({"a": 1}, ops)


def test_json_patch_leaves_its_input_alone() -> None:
    doc = {"a": {"b": [1]}}
    json_patch(doc, [{"op": "add", "path": "/a/b/-", "value": 2}])
    assert doc == {"a": {"b": [1]}}


# ---- strategic merge directives -------------------------------------------------------------------

def pod_spec(**spec: Any) -> dict[str, Any]:
    return {"spec": spec}


def test_retain_keys_clears_the_other_union_members() -> None:
    live = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge(live, patch, DEPLOY) == {"spec": {"strategy": {"type": "Recreate"}}}


def test_delete_from_primitive_list() -> None:
    live = {"metadata": {"finalizers": ["a", "b", "c"]}}
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}
    assert strategic_merge(live, patch, POD) == {"metadata": {"finalizers": ["a", "c"]}}


def test_set_element_order_orders_the_merged_list() -> None:
    live = pod_spec(containers=[{"name": "a"}, {"name": "b"}, {"name": "server-only"}])
    patch = pod_spec(**{"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                        "containers": [{"name": "a", "image": "x"}]})
    out = strategic_merge(live, patch, POD)
    assert [c["name"] for c in out["spec"]["containers"]] == ["b", "a", "server-only"]
    assert out["spec"]["containers"][1] == {"name": "a", "image": "x"}


def test_an_item_without_its_merge_key_is_a_bad_request() -> None:
    with pytest.raises(BadRequestError, match="does not contain declared merge key: name"):
        strategic_merge(pod_spec(containers=[]), pod_spec(containers=[{"image": "x"}]), POD)


def test_a_map_with_patch_strategy_replace_is_replaced() -> None:
    pdb = root_type("policy/v1", "PodDisruptionBudget")
    live = {"spec": {"selector": {"matchLabels": {"a": "1"}, "matchExpressions": []}}}
    out = strategic_merge(live, {"spec": {"selector": {"matchLabels": {"b": "2"}}}}, pdb)
    assert out == {"spec": {"selector": {"matchLabels": {"b": "2"}}}}


def test_patch_delete_on_a_map_removes_it() -> None:
    live = pod_spec(securityContext={"runAsUser": 1}, hostname="h")
    out = strategic_merge(live, pod_spec(securityContext={"$patch": "delete"}), POD)
    assert out == pod_spec(hostname="h")
