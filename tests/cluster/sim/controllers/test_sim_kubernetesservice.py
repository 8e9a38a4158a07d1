"""The API server's `kubernetes` Service reconciler: deleting default/kubernetes brings it back."""

from __future__ import annotations

from pathlib import Path

from kapply.cluster.sim.testing import new_test_cluster


def test_the_kubernetes_service_comes_back_after_a_delete(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    cluster.delete("Service", "default", "kubernetes")  # as `kubectl delete svc --all` does
    cluster.advance(1)
    assert cluster.list("Service", "default") == []
    cluster.advance(10)  # the reconciler runs every 10 s
    svc = cluster.get("Service", "default", "kubernetes")
    assert svc["spec"]["clusterIP"] == "10.96.0.1"
    assert svc["spec"]["ports"][0]["port"] == 443
    eps = cluster.get("Endpoints", "default", "kubernetes")
    assert eps["subsets"][0]["addresses"] == [{"ip": "192.168.49.2"}]


def test_deleted_kubernetes_endpoints_come_back(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.delete("Endpoints", "default", "kubernetes")
    cluster.advance(11)
    assert cluster.get("Endpoints", "default", "kubernetes")["subsets"][0]["ports"][0]["port"] == 8443
