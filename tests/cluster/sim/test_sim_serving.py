"""The embedded cluster's abilities for a long-running API front end (kapply.cluster.sim.serving)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.protocol import (
    ChangeFeed,
    CheckedDeletes,
    ContinueExpiredError,
    ControlPlane,
    PagedLists,
    ResourceExpiredError,
    Subresources,
)
from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.serving import decode_continue, encode_continue
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import BadRequestError, ClusterError, ConflictError, NotFoundError


def cm(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
    }


def pod(name: str, node: str | None = "minikube", **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "nginx"}], **extra}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def second_reader(cluster: SimCluster) -> SimCluster:
    """Another process's view of the same file: nothing loaded, reads go to the file."""
    return SimCluster(cluster.name, Store.open(cluster.store.path), cluster.clock)


def test_the_embedded_cluster_has_every_serving_ability(cluster: SimCluster) -> None:
    for ability in (PagedLists, ChangeFeed, ControlPlane, Subresources, CheckedDeletes):
        assert isinstance(cluster, ability)


def walk(cluster: SimCluster, limit: int, **kw: Any) -> tuple[list[list[str]], list[str]]:
    pages, versions, token = [], [], ""
    while True:
        page = cluster.list_page("ConfigMap", limit=limit, continue_token=token, **kw)
        pages.append([f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in page.items])
        versions.append(page.resource_version)
        token = page.continue_token
        if not token:
            return pages, versions


@pytest.mark.parametrize("reader", ["cache", "file"])
def test_pages_walk_the_whole_list_in_order_at_the_first_pages_version(
    cluster: SimCluster, reader: str
) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}})
    for name in ("c1", "c2", "c3", "c4"):
        cluster.create(cm(name, "b"))
    cluster.create(cm("z1"))
    target = cluster if reader == "cache" else second_reader(cluster)
    pages, versions = walk(target, 2)
    assert pages == [["b/c1", "b/c2"], ["b/c3", "b/c4"], ["default/z1"]]
    assert len(set(versions)) == 1
    first = target.list_page("ConfigMap", limit=2)
    assert first.remaining == 3
    assert target.list_page("ConfigMap", namespace="b", limit=3).remaining == 1
    assert target.list_page("ConfigMap").continue_token == ""


@pytest.mark.parametrize("reader", ["cache", "file"])
def test_a_filtered_page_is_filled_up_to_the_limit(cluster: SimCluster, reader: str) -> None:
    for i in range(7):
        cluster.create(cm(f"c{i}", app="web" if i % 2 else "db"))
    target = cluster if reader == "cache" else second_reader(cluster)
    pages, _ = walk(target, 2, label_selector="app=web")
    assert pages == [["default/c1", "default/c3"], ["default/c5"]]
    assert target.list_page("ConfigMap", label_selector="app=web", limit=1).remaining is None
    pages, _ = walk(target, 3, field_selector="metadata.name!=c0")
    assert [len(p) for p in pages] == [3, 3]


def test_a_continue_page_sees_later_changes_after_the_last_key(cluster: SimCluster) -> None:
    for name in ("a", "b", "c"):
        cluster.create(cm(name))
    first = cluster.list_page("ConfigMap", limit=1)
    cluster.delete("ConfigMap", "default", "b")
    cluster.create(cm("d"))
    rest = cluster.list_page("ConfigMap", continue_token=first.continue_token)
    assert [o["metadata"]["name"] for o in rest.items] == ["c", "d"]
    assert rest.resource_version == first.resource_version


@pytest.mark.parametrize("token", ["garbage", encode_continue(1, ("", "x"))[:-3], "e30"])
def test_a_malformed_continue_token_is_a_bad_request(cluster: SimCluster, token: str) -> None:
    with pytest.raises(BadRequestError, match="continue key is not valid"):
        cluster.list_page("ConfigMap", continue_token=token)


def test_continue_tokens_round_trip() -> None:
    assert decode_continue(encode_continue(42, ("ns", "name-1"))) == (42, ("ns", "name-1"))


def test_a_continue_token_older_than_the_change_log_is_expired(cluster: SimCluster) -> None:
    cluster.create(cm("a"))
    cluster.create(cm("b"))
    token = cluster.list_page("ConfigMap", limit=1).continue_token
    with cluster.store.transaction():
        cluster.store.set_meta({"changelog_floor": 10_000})
    cluster._drop()
    with pytest.raises(ContinueExpiredError, match="continue parameter is too old"):
        cluster.list_page("ConfigMap", continue_token=token)


def test_changes_since_reads_every_kind_in_order_and_expires(cluster: SimCluster) -> None:
    start = int(cluster.resource_version())
    cluster.create(cm("a"))
    cluster.delete("ConfigMap", "default", "a")
    changes = [c for c in cluster.changes_since(start) if c.kind == "ConfigMap"]
    assert [(c.type, c.object["metadata"]["name"]) for c in changes] == [("ADDED", "a"), ("DELETED", "a")]
    assert changes[0].resource_version < changes[1].resource_version
    assert len(cluster.changes_since(start, limit=1)) == 1
    with cluster.store.transaction():
        cluster.store.set_meta({"changelog_floor": start + 1})
    with pytest.raises(ResourceExpiredError, match=f"too old resource version: {start}"):
        cluster.changes_since(start)


def test_changed_elsewhere_notices_only_other_processes(cluster: SimCluster) -> None:
    other = second_reader(cluster)
    assert cluster.changed_elsewhere() is False  # the first call sets the baseline
    cluster.create(cm("mine"))
    assert cluster.changed_elsewhere() is False
    other.create(cm("theirs"))
    assert cluster.changed_elsewhere() is True
    assert cluster.changed_elsewhere() is False


def test_run_due_fires_timers_in_real_time_and_says_when_the_next_is(tmp_path: Path) -> None:
    clock = FakeClock()
    cluster = new_test_cluster(tmp_path, clock=clock, manual_clock=False, pod_startup=2.0)
    cluster.create(pod("p"))
    wait = cluster.run_due()
    assert wait is not None and 0 < wait <= 2.0
    clock.advance(wait)
    cluster.run_due()
    assert cluster.get("Pod", "default", "p")["status"]["phase"] == "Running"


def test_run_due_picks_up_another_processes_writes_into_memory(cluster: SimCluster) -> None:
    cluster.run_due()
    second_reader(cluster).create(cm("theirs"))
    cluster.run_due()
    assert cluster._cache is not None and cluster._cache.get("ConfigMap", "default", "theirs")


def test_run_due_says_none_on_a_manual_clock(cluster: SimCluster) -> None:
    cluster.create(pod("p"))
    assert cluster.run_due() is None


def test_status_writes_change_only_the_status(cluster: SimCluster) -> None:
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 80}], "selector": {"app": "x"}},
        }
    )
    live = cluster.get("Service", "default", "s")
    live["spec"]["ports"] = [{"port": 81}]
    live["status"] = {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}
    stored = cluster.write_status(live)
    assert stored["spec"]["ports"][0]["port"] == 80
    assert stored["status"]["loadBalancer"]["ingress"] == [{"ip": "1.2.3.4"}]
    with pytest.raises(ConflictError):
        cluster.write_status(live)  # its resourceVersion is stale now
    patched = cluster.patch_status(
        "Service", "default", "s", {"status": {"loadBalancer": {}}, "spec": {"type": "NodePort"}}
    )
    assert patched["status"] == {"loadBalancer": {}} and patched["spec"]["type"] == "ClusterIP"
    dry = cluster.patch_status("Service", "default", "s", {"status": {"x": 1}}, dry_run=True)
    assert dry["status"] == {"loadBalancer": {}, "x": 1}
    assert cluster.get("Service", "default", "s")["status"] == {"loadBalancer": {}}


def test_pod_log_needs_a_container_name_when_there_are_several(cluster: SimCluster) -> None:
    two = pod("two")
    two["spec"]["containers"].append({"name": "side", "image": "busybox"})
    cluster.create(two)
    with pytest.raises(ClusterError, match=r"choose one of: \[c side\]") as refused:
        cluster.pod_log("default", "two")
    assert refused.value.code == 400
    with pytest.raises(NotFoundError):
        cluster.pod_log("default", "missing")
    cluster.advance_until_idle()
    assert "(image busybox) in pod two" in cluster.pod_log("default", "two", "side")


def test_evict_deletes_gracefully(cluster: SimCluster) -> None:
    cluster.create(pod("p", terminationGracePeriodSeconds=5))
    cluster.evict("default", "p", dry_run=True)
    assert not cluster.get("Pod", "default", "p")["metadata"].get("deletionTimestamp")
    cluster.evict("default", "p")
    assert cluster.get("Pod", "default", "p")["metadata"]["deletionTimestamp"]
    cluster.advance(6)
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", "p")


def test_delete_checked_compares_uid_and_resource_version(cluster: SimCluster) -> None:
    live = cluster.create(cm("a"))
    with pytest.raises(ConflictError, match='configmaps "a": Precondition failed: UID in precondition: no'):
        cluster.delete_checked("ConfigMap", "default", "a", uid="nope")
    with pytest.raises(ConflictError, match="ResourceVersion in precondition: 1, ResourceVersion in object"):
        cluster.delete_checked("ConfigMap", "default", "a", resource_version="1")
    assert (
        cluster.delete_checked(
            "ConfigMap",
            "default",
            "a",
            uid=live["metadata"]["uid"],
            resource_version=live["metadata"]["resourceVersion"],
        )
        is None
    )
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "a")


def test_delete_collection_deletes_the_matching_objects_at_once(cluster: SimCluster) -> None:
    for i in range(4):
        cluster.create(cm(f"c{i}", app="web" if i < 3 else "db"))
    assert len(cluster.delete_collection("ConfigMap", "default", "app=web", dry_run=True)) == 3
    gone = cluster.delete_collection("ConfigMap", "default", "app=web", field_selector="metadata.name!=c0")
    assert sorted(o["metadata"]["name"] for o in gone) == ["c1", "c2"]
    assert [o["metadata"]["name"] for o in cluster.list("ConfigMap", "default")] == ["c0", "c3"]
