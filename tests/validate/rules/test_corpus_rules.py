"""The semantic rules over real-world manifests: every finding is a true Kubernetes error.

Runs `check` on every manifest of ../shared/corpus (kubernetes/examples, microservices-demo) and
pins the exact set of findings, each verified by hand against Kubernetes 1.34 behaviour:

- vttablet-pod-template.yaml is a template with `{{...}}` placeholders; as written, its name is not a
  DNS-1123 subdomain and three label values are not label values: the API server rejects it.
- sysdig-rc.yaml: a ReplicationController with no selector and no template labels, so defaulting
  cannot fill the selector in: `spec.selector: Required value`.
- aws-ebs-web.yaml, cinder-web.yaml: `protocol: tcp`; protocols are case-sensitive (TCP, UDP, SCTP).

Warnings (accepted, but the API server answers with a `Warning:` line) are pinned separately: the
archived examples use in-tree volume plugins Kubernetes has deprecated or made non-functional.

Skipped where the corpus is absent (a user's machine).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kapply.validate.rules import check

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"

_LABEL_VALUE_DETAIL = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
    "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_VTTABLET = "kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml#0"

EXPECTED = {
    f'{_VTTABLET}: metadata.name: Invalid value: "vttablet-{{{{uid}}}}": a lowercase RFC 1123 subdomain '
    "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    f'{_VTTABLET}: metadata.labels: Invalid value: "{{{{keyspace}}}}": {_LABEL_VALUE_DETAIL}',
    f'{_VTTABLET}: metadata.labels: Invalid value: "{{{{shard_label}}}}": {_LABEL_VALUE_DETAIL}',
    f'{_VTTABLET}: metadata.labels: Invalid value: "{{{{alias}}}}": {_LABEL_VALUE_DETAIL}',
    "kubernetes-examples/_archived/sysdig-cloud/sysdig-rc.yaml#0: spec.selector: Required value",
    "kubernetes-examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml#0: spec.containers[0].ports[0].protocol: "
    'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
    "kubernetes-examples/_archived/volumes/cinder/cinder-web.yaml#0: spec.containers[0].ports[0].protocol: "
    'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
}


_W = "deprecated in v1.{}, non-functional in v1.{}+"
EXPECTED_WARNINGS = {
    "kubernetes-examples/_archived/spark/spark-gluster/spark-master-controller.yaml#0: "
    "spec.template.spec.volumes[0].glusterfs: " + _W.format(25, 26),
    "kubernetes-examples/_archived/spark/spark-gluster/spark-worker-controller.yaml#0: "
    "spec.template.spec.volumes[0].glusterfs: " + _W.format(25, 26),
    "kubernetes-examples/_archived/volumes/cephfs/cephfs-with-secret.yaml#0: spec.volumes[0].cephfs: "
    + _W.format(28, 31),
    "kubernetes-examples/_archived/volumes/cephfs/cephfs.yaml#0: spec.volumes[0].cephfs: "
    + _W.format(28, 31),
    "kubernetes-examples/_archived/volumes/flocker/flocker-pod-with-rc.yml#1: "
    "spec.template.spec.volumes[0].flocker: " + _W.format(22, 25),
    "kubernetes-examples/_archived/volumes/flocker/flocker-pod.yml#0: spec.volumes[0].flocker: "
    + _W.format(22, 25),
    "kubernetes-examples/_archived/volumes/glusterfs/glusterfs-pod.yaml#0: spec.volumes[0].glusterfs: "
    + _W.format(25, 26),
    "kubernetes-examples/_archived/volumes/quobyte/quobyte-pod.yaml#0: spec.volumes[0].quobyte: "
    + _W.format(22, 25),
    "kubernetes-examples/_archived/volumes/rbd/rbd-with-secret.yaml#0: spec.volumes[0].rbd: "
    + _W.format(28, 31),
    "kubernetes-examples/_archived/volumes/rbd/rbd.yaml#0: spec.volumes[0].rbd: " + _W.format(28, 31),
    "kubernetes-examples/_archived/volumes/scaleio/pod.yaml#0: spec.volumes[0].scaleIO: " + _W.format(16, 22),
    "kubernetes-examples/_archived/volumes/storageos/storageos-pod.yaml#0: spec.volumes[0].storageOS: "
    + _W.format(22, 25),
}


def _manifests(root: Path):  # type: ignore[no-untyped-def]
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or path.name == "verdicts.json":
            continue
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        for index, doc in enumerate(docs):
            if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
                continue
            items = doc.get("items") if doc.get("kind") == "List" else [doc]
            for obj in items if isinstance(items, list) else ():
                if isinstance(obj, dict):
                    yield f"{path.relative_to(root).as_posix()}#{index}", obj


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_findings_are_exactly_the_verified_true_errors_and_warnings() -> None:
    found = [
        (f"{where}: {finding}", finding.severity)
        for where, obj in _manifests(CORPUS.resolve())
        for finding in check(obj)
    ]
    assert {text for text, severity in found if severity == "error"} == EXPECTED
    assert {text for text, severity in found if severity == "warning"} == EXPECTED_WARNINGS


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_microservices_demo_is_clean() -> None:
    root = CORPUS.resolve() / "microservices-demo"
    assert [str(f) for _, obj in _manifests(root) for f in check(obj)] == []
