"""`get` columns of Ingress, HPA, PVC, PV and EndpointSlice, as kubectl prints them."""

from __future__ import annotations

from kapply.model.columns import GENERIC, columns_for

NOW = 1_800_000_000.0
META = {"name": "x", "creationTimestamp": "2027-01-15T07:59:00Z"}  # 60 s before NOW


def row(obj: dict) -> list[str]:
    return columns_for(obj["kind"]).row(obj, NOW)


def test_ingress() -> None:
    ing = {"kind": "Ingress", "metadata": META, "spec": {
        "ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"]}],
        "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]}}
    assert columns_for("Ingress").headers == ("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE")
    assert row(ing) == ["x", "nginx", "a.example.com,b.example.com", "", "80, 443", "60s"]
    assert row({"kind": "Ingress", "metadata": META, "spec": {"defaultBackend": {}}})[1:5] == \
        ["<none>", "*", "", "80"]


def test_hpa_before_and_after_its_first_pass() -> None:
    hpa = {"kind": "HorizontalPodAutoscaler", "metadata": META, "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}}
    assert row(hpa) == ["x", "Deployment/web", "cpu: <unknown>/50%", "<unset>", "10", "0", "60s"]
    synced = {**hpa, "spec": {**hpa["spec"], "minReplicas": 1},
              "status": {"currentReplicas": 4, "desiredReplicas": 4, "currentMetrics": [
                  {"type": "Resource", "resource": {"name": "cpu", "current": {
                      "averageUtilization": 250, "averageValue": "500m"}}}]}}
    assert row(synced) == ["x", "Deployment/web", "cpu: 250%/50%", "1", "10", "4", "60s"]


def test_pvc_pending_and_pv() -> None:
    pvc = {"kind": "PersistentVolumeClaim", "metadata": META, "status": {"phase": "Pending"},
           "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard"}}
    assert row(pvc) == ["x", "Pending", "", "", "", "standard", "<unset>", "60s"]
    deleting = {**pvc, "metadata": {**META, "deletionTimestamp": "2027-01-15T07:59:30Z"}}
    assert row(deleting)[1] == "Terminating"  # printPersistentVolumeClaim
    pv = {"kind": "PersistentVolume", "metadata": META,
          "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                   "persistentVolumeReclaimPolicy": "Delete", "claimRef": {"namespace": "d", "name": "c"}},
          "status": {"phase": "Bound"}}
    assert row(pv) == ["x", "5Gi", "RWO,ROX", "Delete", "Bound", "d/c", "", "<unset>", "", "60s"]


def test_endpoint_slices() -> None:
    eps = {"kind": "EndpointSlice", "metadata": META, "addressType": "IPv4",
           "ports": [{"name": "", "port": 8080, "protocol": "TCP"}, {"name": "metrics", "port": None}],
           "endpoints": [{"addresses": [f"10.244.0.{i}"]} for i in range(1, 6)]}
    assert columns_for("EndpointSlice").headers == ("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE")
    assert row(eps) == ["x", "IPv4", "8080,metrics", "10.244.0.1,10.244.0.2,10.244.0.3 + 2 more...", "60s"]
    empty = {"kind": "EndpointSlice", "metadata": META, "addressType": "IPv4", "ports": None,
             "endpoints": None}
    assert row(empty) == ["x", "IPv4", "<unset>", "<unset>", "60s"]


def test_storage_class_marks_the_default() -> None:
    sc = {"kind": "StorageClass", "metadata": {**META, "annotations": {
        "storageclass.kubernetes.io/is-default-class": "true"}}, "provisioner": "k8s.io/minikube-hostpath"}
    assert columns_for("StorageClass").headers == (
        "NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE")
    assert row(sc) == ["x (default)", "k8s.io/minikube-hostpath", "Delete", "Immediate", "false", "60s"]


def test_other_kinds_fall_back_to_name_and_age() -> None:
    assert columns_for("Lease") is GENERIC
