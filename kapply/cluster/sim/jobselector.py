"""The Job selector the API server generates (pkg/registry/batch/job strategy, generateSelector).

A Job created without `manualSelector: true` gets `spec.selector` matching
`batch.kubernetes.io/controller-uid: <its uid>`, and its pod template the labels
`batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`, `controller-uid` and
`job-name`, so its pods are found by uid and never adopted by another Job of the same name.
"""

from __future__ import annotations

from typing import Any

from kapply.model.shapes import mapping

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"


class JobSelector:
    """Admission plugin (see admission.AdmissionPlugin)."""

    kinds = ("Job",)

    def admit(self, api: Any, op: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        spec = obj.get("spec")
        meta = obj.get("metadata") or {}
        if op != "CREATE" or not isinstance(spec, dict) or spec.get("manualSelector") is True:
            return
        template = spec.get("template")
        if not isinstance(template, dict) or not meta.get("uid"):
            return
        uid, name = str(meta["uid"]), str(meta.get("name", ""))
        t_meta = template.setdefault("metadata", {})
        if not isinstance(t_meta, dict):
            return
        labels = mapping(t_meta, "labels")
        labels = dict(labels)
        labels.update({LEGACY_CONTROLLER_UID: uid, LEGACY_JOB_NAME: name,
                       CONTROLLER_UID: uid, JOB_NAME: name})
        t_meta["labels"] = labels
        if not spec.get("selector"):
            spec["selector"] = {"matchLabels": {CONTROLLER_UID: uid}}

    def released(self, api: Any, obj: dict[str, Any]) -> None:
        """Nothing is allocated."""
