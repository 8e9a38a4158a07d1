"""The in-memory index: lookups by labels, controller owner, node, uid; lazily loaded kinds."""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.cache import Cache
from kapply.model.selectors import parse


def pod(name: str, node: str = "", owner: str = "", controller: bool = True, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default", "uid": f"uid-{name}", "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": controller}]
    return {"kind": "Pod", "metadata": meta, "spec": {"nodeName": node} if node else {}}


def names(objs: list[dict[str, Any]]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


def test_indexes_follow_replacements_and_removals() -> None:
    cache = Cache()
    cache.put("Pod", pod("a", node="n1", owner="rs1", app="web"))
    cache.put("Pod", pod("b", node="n2", owner="rs1", app="web"))
    cache.put("Pod", pod("c", owner="rs2", controller=False, app="db"))
    assert names(cache.list("Pod", selector=parse("app=web"))) == ["a", "b"]
    assert names(cache.list("Pod", owner_uid="rs1")) == ["a", "b"]
    assert names(cache.list("Pod", owner_uid="rs2")) == []  # not its controller
    assert cache.dependents("rs2") == [("Pod", "default", "c")]
    assert names(cache.list("Pod", node="n1")) == ["a"]
    cache.put("Pod", pod("a", node="n2", owner="rs1", app="api"))  # relabelled, moved
    assert names(cache.list("Pod", selector=parse("app=web"))) == ["b"]
    assert names(cache.list("Pod", node="n2")) == ["a", "b"]
    assert names(cache.list("Pod", node="n2", selector=parse("app in (api)"))) == ["a"]
    cache.remove("Pod", "default", "b")
    assert names(cache.list("Pod", owner_uid="rs1")) == ["a"]
    assert cache.by_uid("uid-b") is None and cache.by_uid("uid-a")["metadata"]["name"] == "a"
    assert cache.list("Pod", namespace="other") == []


def test_lazy_kind_merges_stored_rows_under_local_writes() -> None:
    stored = [{"metadata": {"name": n, "namespace": "default", "uid": n}, "v": "stored"} for n in "xyz"]
    loads: list[str] = []

    def loader(kind: str) -> list[dict[str, Any]]:
        loads.append(kind)
        return stored

    cache = Cache(lazy={"Event": loader})
    cache.put("Event", {"metadata": {"name": "x", "namespace": "default", "uid": "x"}, "v": "local"})
    cache.remove("Event", "default", "y")
    assert cache.peek("Event", "default", "z") is None and loads == []
    assert cache.deleted("Event", "default", "y")
    assert [(o["metadata"]["name"], o["v"]) for o in cache.list("Event")] == [("x", "local"), ("z", "stored")]
    assert loads == ["Event"] and cache.is_loaded("Event")
