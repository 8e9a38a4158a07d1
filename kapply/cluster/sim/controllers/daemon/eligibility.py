"""Which nodes run a DaemonSet's pod, and the pod it runs there (pure functions).

NodeShouldRunDaemonPod: a node is eligible when the template's nodeName (if any) is the node,
its nodeSelector and required node affinity match, and every NoSchedule / NoExecute taint is
tolerated by the template's tolerations plus the ones every daemon pod gets
(AddOrUpdateDaemonPodTolerations: not-ready and unreachable NoExecute, disk-, memory-, pid-pressure
and unschedulable NoSchedule, network-unavailable for host-network pods). A pod already there
may keep running when only NoSchedule taints are untolerated (should_continue).

The pod is the template with those tolerations, the revision hash label, and its required node
affinity replaced by `matchFields metadata.name In [node]`, so the default scheduler binds it to
that node (ReplaceDaemonSetPodNodeNameNodeAffinity).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers import taints as tt
from kapply.cluster.sim.helpers.history import HASH_LABEL
from kapply.cluster.sim.helpers.podtemplate import pod_from_template
from kapply.cluster.sim.helpers.schedfit import matches_node_affinity

_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", tt.NO_EXECUTE),
    ("node.kubernetes.io/unreachable", tt.NO_EXECUTE),
    ("node.kubernetes.io/disk-pressure", tt.NO_SCHEDULE),
    ("node.kubernetes.io/memory-pressure", tt.NO_SCHEDULE),
    ("node.kubernetes.io/pid-pressure", tt.NO_SCHEDULE),
    ("node.kubernetes.io/unschedulable", tt.NO_SCHEDULE),
)
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"


class Eligibility(NamedTuple):
    should_run: bool
    should_continue: bool


def daemon_tolerations(pod_spec: Obj) -> list[dict[str, Any]]:
    """The template's tolerations plus the daemon ones it does not already carry."""
    tolerations = [dict(t) for t in pod_spec.get("tolerations") or ()]
    wanted = list(_DAEMON_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        wanted.append((NETWORK_UNAVAILABLE, tt.NO_SCHEDULE))
    for key, effect in wanted:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        if toleration not in tolerations:
            tolerations.append(toleration)
    return tolerations


def node_name(node: Obj) -> str:
    return str(node["metadata"]["name"])


def should_run(node: Obj, pod_spec: Obj, tolerations: list[dict[str, Any]]) -> Eligibility:
    """NodeShouldRunDaemonPod for a template spec and its daemon tolerations."""
    name = node_name(node)
    wanted_node = pod_spec.get("nodeName")
    if wanted_node and wanted_node != name:
        return Eligibility(False, False)
    labels = node["metadata"].get("labels") or {}
    if not matches_node_affinity(pod_spec, labels, name):
        return Eligibility(False, False)
    taints = list((node.get("spec") or {}).get("taints") or ())
    if tt.first_untolerated(taints, tolerations) is not None:
        keeps = tt.first_untolerated(taints, tolerations, effects=(tt.NO_EXECUTE,)) is None
        return Eligibility(False, keeps)
    return Eligibility(True, True)


def pin_to_node(affinity: Obj | None, name: str) -> Obj:
    """ReplaceDaemonSetPodNodeNameNodeAffinity."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [name]}]}
    affinity = dict(affinity or {})
    node_affinity = dict(affinity.get("nodeAffinity") or {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}
    affinity["nodeAffinity"] = node_affinity
    return affinity


def target_node(pod: Obj) -> str:
    """GetTargetNodeName: the pod's node, or the node its affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or ():
        for field in term.get("matchFields") or ():
            values = field.get("values") or ()
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and len(values) == 1:
                return str(values[0])
    return ""


def daemon_pod(ds: Obj, template: Obj, node: str, hash_: str) -> Obj:
    """The pod a DaemonSet creates for `node` at revision `hash_` (no name yet: generateName)."""
    pod = pod_from_template(ds, template, labels={HASH_LABEL: hash_})
    pod["metadata"]["generateName"] = f"{ds['metadata']['name']}-"
    spec = pod["spec"]
    spec["tolerations"] = daemon_tolerations(spec)
    spec["affinity"] = pin_to_node(spec.get("affinity"), node)
    return pod
