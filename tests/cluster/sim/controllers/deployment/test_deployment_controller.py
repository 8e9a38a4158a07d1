"""Deployment scenarios through the real runtime (scheduler, kubelet, replica manager, GC)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kapply.cluster.sim.controllers.deployment.rollback import rollback
from kapply.model.rollout import deployment_status

Kit = Any


def _conditions(d: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in d["status"]["conditions"]}


def _replica_sets(cluster: Any) -> dict[str, dict[str, Any]]:
    return {rs["metadata"]["name"]: rs for rs in cluster.list("ReplicaSet", "default")}


def test_three_replicas_on_three_nodes_become_running(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=3))
    cluster.advance(10)
    d = cluster.get("Deployment", "default", "web")
    [rs] = cluster.list("ReplicaSet", "default")
    name = rs["metadata"]["name"]
    template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert re.fullmatch(r"web-[456789bcdf]{1,10}", name) and name == f"web-{template_hash}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": template_hash}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == template_hash
    ref = rs["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["controller"]) == ("Deployment", "web", True)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    pods = kit.live_pods(cluster)
    assert [p["status"]["phase"] for p in pods] == ["Running"] * 3
    assert len({p["spec"]["nodeName"] for p in pods}) == 3
    assert all(p["metadata"]["labels"]["pod-template-hash"] == template_hash for p in pods)
    status = d["status"]
    assert (status["replicas"], status["updatedReplicas"], status["readyReplicas"],
            status["availableReplicas"], status["observedGeneration"]) == (3, 3, 3, 3, 1)
    assert "unavailableReplicas" not in status
    assert _conditions(d) == {
        "Available": ("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        "Progressing": ("True", "NewReplicaSetAvailable",
                        f'ReplicaSet "{name}" has successfully progressed.'),
    }
    assert kit.scaling_events(cluster) == [f"Scaled up replica set {name} from 0 to 3"]


def test_image_change_rolls_step_by_step(tmp_path: Path, kit: Kit) -> None:
    observer = kit.PodObserver()
    cluster = kit.new_cluster(tmp_path, observer=observer)
    cluster.create(kit.deployment(replicas=3))
    cluster.advance(10)
    old = next(iter(_replica_sets(cluster)))
    observer.arm()
    kit.set_image(cluster, "nginx:1.26")
    while kit.step(cluster, limit=60):
        if deployment_status(cluster.get("Deployment", "default", "web")).done:
            break
    assert deployment_status(cluster.get("Deployment", "default", "web")).done
    rss = _replica_sets(cluster)
    [new] = [n for n in rss if n != old]
    assert kit.scaling_events(cluster) == [
        f"Scaled up replica set {old} from 0 to 3",
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 3 to 2",
        f"Scaled up replica set {new} from 1 to 2",
        f"Scaled down replica set {old} from 2 to 1",
        f"Scaled up replica set {new} from 2 to 3",
        f"Scaled down replica set {old} from 1 to 0",
    ]
    # 3 replicas at 25%/25%: surge 1, unavailable 0
    assert observer.max_total <= 4 and observer.min_ready >= 3
    assert rss[new]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert rss[old]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert [p["spec"]["containers"][0]["image"] for p in kit.live_pods(cluster)] == ["nginx:1.26"] * 3


def test_failing_image_stalls_then_undo_recovers(tmp_path: Path, kit: Kit) -> None:
    observer = kit.PodObserver()
    cluster = kit.new_cluster(tmp_path, observer=observer)
    cluster.create(kit.deployment(replicas=4, progressDeadlineSeconds=60))
    cluster.advance(10)
    cluster.update_settings(image_faults={"nginx:broken": {"reason": "ErrImagePull"}})
    observer.arm()
    kit.set_image(cluster, "nginx:broken")
    start = cluster.now()
    while cluster.now() < start + 300 and kit.step(cluster, limit=300):
        pass
    d = cluster.get("Deployment", "default", "web")
    new = next(rs for rs in cluster.list("ReplicaSet", "default")
               if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:broken")
    message = f'ReplicaSet "{new["metadata"]["name"]}" has timed out progressing.'
    assert _conditions(d)["Progressing"] == ("False", "ProgressDeadlineExceeded", message)
    assert _conditions(d)["Available"][0] == "True"
    assert deployment_status(d).error == 'deployment "web" exceeded its progress deadline'
    # 4 replicas: surge 1, unavailable 1 -> never fewer than 3 ready, never more than 5 pods
    assert observer.min_ready >= 3 and observer.max_total <= 5
    assert kit.counts(cluster)[1] == 3
    result = rollback(d, cluster.list("ReplicaSet", "default"))
    assert result.message == "rolled back"
    cluster.update(result.deployment)
    cluster.advance(30)
    d = cluster.get("Deployment", "default", "web")
    assert deployment_status(d).done
    assert {p["spec"]["containers"][0]["image"] for p in kit.live_pods(cluster)} == {"nginx:1.25"}
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_scaling_during_a_stuck_rollout_is_proportional(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=10))
    cluster.advance(10)
    cluster.update_settings(image_faults={"nginx:broken": {"reason": "ErrImagePull"}})
    kit.set_image(cluster, "nginx:broken")
    cluster.advance(20)
    sizes = sorted(rs["spec"]["replicas"] for rs in cluster.list("ReplicaSet", "default"))
    assert sizes == [5, 8]  # 10 replicas: surge 3, unavailable 2 -> old 8 + new 5 = 13
    d = cluster.get("Deployment", "default", "web")
    d["spec"]["replicas"] = 20
    cluster.update(d)
    cluster.advance(1)
    sizes = sorted(rs["spec"]["replicas"] for rs in cluster.list("ReplicaSet", "default"))
    assert sizes == [10, 15]  # 25 allowed: 8 * 25 / 13 -> 15, 5 * 25 / 13 -> 10


def test_recreate_removes_old_pods_before_creating_new(tmp_path: Path, kit: Kit) -> None:
    observer = kit.PodObserver()
    cluster = kit.new_cluster(tmp_path, observer=observer)
    cluster.create(kit.deployment(replicas=3, strategy={"type": "Recreate"}))
    cluster.advance(10)
    kit.set_image(cluster, "nginx:1.26")
    assert len(cluster.list("ReplicaSet", "default")) == 1  # no new ReplicaSet while old pods exist
    assert all(p["metadata"].get("deletionTimestamp") for p in cluster.list("Pod", "default"))
    for _ in range(200):
        if deployment_status(cluster.get("Deployment", "default", "web")).done or not kit.step(cluster, 60):
            break
    assert deployment_status(cluster.get("Deployment", "default", "web")).done
    assert observer.max_images == 1  # never an old pod (even terminating) next to a new one
    assert [p["spec"]["containers"][0]["image"] for p in kit.live_pods(cluster)] == ["nginx:1.26"] * 3


def test_paused_deployment_does_not_roll_out_until_resumed(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=2))
    cluster.advance(10)
    cluster.patch("Deployment", "default", "web", {"spec": {"paused": True}}, patch_type="merge")
    kit.set_image(cluster, "nginx:1.26")
    cluster.advance(30)
    d = cluster.get("Deployment", "default", "web")
    assert len(cluster.list("ReplicaSet", "default")) == 1
    assert _conditions(d)["Progressing"] == ("Unknown", "DeploymentPaused", "Deployment is paused")
    cluster.patch("Deployment", "default", "web", {"spec": {"paused": None}}, patch_type="merge")
    cluster.advance(30)
    d = cluster.get("Deployment", "default", "web")
    assert len(cluster.list("ReplicaSet", "default")) == 2
    assert deployment_status(d).done


def test_history_beyond_the_limit_is_cleaned_up(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=1, revisionHistoryLimit=1))
    cluster.advance(10)
    for version in ("1.26", "1.27", "1.28"):
        kit.set_image(cluster, f"nginx:{version}")
        cluster.advance(20)
    revisions = sorted(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                       for rs in cluster.list("ReplicaSet", "default"))
    assert revisions == ["3", "4"]


def test_min_ready_seconds_delays_progress(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=2, minReadySeconds=20))
    cluster.advance(10)
    d = cluster.get("Deployment", "default", "web")
    assert d["status"].get("readyReplicas") == 2 and "availableReplicas" not in d["status"]
    cluster.advance(20)
    assert deployment_status(cluster.get("Deployment", "default", "web")).done


def test_deleting_a_deployment_removes_its_replica_sets_and_pods(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=3))
    cluster.advance(10)
    kit.set_image(cluster, "nginx:1.26")
    cluster.advance(2)
    cluster.delete("Deployment", "default", "web")
    cluster.advance(60)
    assert cluster.list("ReplicaSet", "default") == []
    assert cluster.list("Pod", "default") == []


def test_matching_orphan_replica_set_is_adopted(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "orphan", "labels": {"app": "web"}},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}}
    cluster.create(rs)
    cluster.create(kit.deployment(replicas=1))
    adopted = cluster.get("ReplicaSet", "default", "orphan")
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"


def test_hash_collision_bumps_collision_count(tmp_path: Path, kit: Kit) -> None:
    from kapply.cluster.sim.controllers.deployment.revisions import pod_template_hash

    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=1, paused=True))
    template = cluster.get("Deployment", "default", "web")["spec"]["template"]
    squatter = f"web-{pod_template_hash(template)}"
    cluster.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": squatter},
                    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "other"}},
                             "template": {"metadata": {"labels": {"app": "other"}},
                                          "spec": {"containers": [{"name": "x", "image": "busybox:1.36"}]}}}})
    cluster.patch("Deployment", "default", "web", {"spec": {"paused": None}}, patch_type="merge")
    cluster.advance(10)
    d = cluster.get("Deployment", "default", "web")
    assert d["status"]["collisionCount"] == 1
    owned = [rs for rs in cluster.list("ReplicaSet", "default") if rs["metadata"].get("ownerReferences")]
    assert [rs["metadata"]["name"] for rs in owned] == [f"web-{pod_template_hash(template, 1)}"]
    assert deployment_status(d).done


def test_scaling_a_paused_deployment(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=2))
    cluster.advance(10)
    body = {"spec": {"paused": True, "replicas": 5}}
    cluster.patch("Deployment", "default", "web", body, patch_type="merge")
    cluster.advance(10)
    [rs] = cluster.list("ReplicaSet", "default")
    assert rs["spec"]["replicas"] == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
    assert kit.scaling_events(cluster)[-1] == f"Scaled up replica set {rs['metadata']['name']} from 2 to 5"
    assert len(kit.live_pods(cluster)) == 5


def test_pods_of_a_failed_node_are_replaced_elsewhere(tmp_path: Path, kit: Kit) -> None:
    from kapply.cluster.sim.nodeops import fail_node

    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=3))
    cluster.advance(10)
    victim = kit.live_pods(cluster)[0]
    fail_node(cluster, victim["spec"]["nodeName"])
    cluster.advance(60)  # past the node grace period: the pod is not ready any more
    d = cluster.get("Deployment", "default", "web")
    assert (d["status"]["availableReplicas"], d["status"]["unavailableReplicas"]) == (2, 1)
    # 3 replicas at 25%: maxUnavailable rounds down to 0, so 2 available is below the minimum
    assert _conditions(d)["Available"] == ("False", "MinimumReplicasUnavailable",
                                           "Deployment does not have minimum availability.")
    cluster.advance(310)  # past the eviction timeout: a replacement runs on a healthy node
    live = kit.live_pods(cluster)
    assert len(live) == 3 and victim["metadata"]["name"] not in {p["metadata"]["name"] for p in live}
    assert victim["spec"]["nodeName"] not in {p["spec"]["nodeName"] for p in live}
    assert deployment_status(cluster.get("Deployment", "default", "web")).done


def test_recreated_deployment_adopts_orphaned_replica_set(tmp_path: Path, kit: Kit) -> None:
    cluster = kit.new_cluster(tmp_path)
    cluster.create(kit.deployment(replicas=2))
    cluster.advance(10)
    pods = sorted(p["metadata"]["name"] for p in kit.live_pods(cluster))
    cluster.delete("Deployment", "default", "web", propagation="Orphan")
    cluster.advance(5)
    [orphan] = cluster.list("ReplicaSet", "default")
    assert "ownerReferences" not in orphan["metadata"]
    cluster.create(kit.deployment(replicas=2))
    cluster.advance(5)
    [adopted] = cluster.list("ReplicaSet", "default")
    assert adopted["metadata"]["name"] == orphan["metadata"]["name"]
    assert adopted["metadata"]["ownerReferences"][0]["uid"] == \
        cluster.get("Deployment", "default", "web")["metadata"]["uid"]
    assert sorted(p["metadata"]["name"] for p in kit.live_pods(cluster)) == pods  # the same pods kept running
    assert deployment_status(cluster.get("Deployment", "default", "web")).done
