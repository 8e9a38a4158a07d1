"""DefaultTolerationSeconds: the admission plugin that lets pods ride out short node outages.

As the API server's plugin of that name, every Pod created gets NoExecute tolerations for
`node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` unless it already tolerates
them; their tolerationSeconds is the cluster's `eviction_timeout` setting (Kubernetes: 300 s).
The node lifecycle controller evicts a pod from an unreachable node when that time has passed.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.helpers.taints import default_tolerations


class DefaultTolerationSeconds:
    """Admission plugin (see admission.AdmissionPlugin)."""

    kinds = ("Pod",)

    def admit(self, api: Any, op: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        spec = obj.get("spec")
        if op != "CREATE" or not isinstance(spec, dict):
            return
        tolerations = spec.get("tolerations") or []
        if not isinstance(tolerations, list) or not all(isinstance(t, dict) for t in tolerations):
            return  # validation reports the malformed list
        spec["tolerations"] = default_tolerations(tolerations, float(api.settings.eviction_timeout))

    def released(self, api: Any, obj: dict[str, Any]) -> None:
        """Nothing is allocated."""
