"""`kapply load set|clear`: record a workload's simulated resource use in the cluster settings.

The load is read by the simulated metrics-server (`metrics.py`) at every autoscaler pass and
`kapply top`; setting it wakes the namespace's autoscalers, so their next pass (on its usual
15-second beat) counts for `cluster advance --until-idle`.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.controllers.hpa.controller import NAME as HPA_CONTROLLER
from kapply.cluster.sim.controllers.hpa.controller import wake_key
from kapply.cluster.sim.metrics import Load, load_key


def set_load(cluster: Any, kind: str, namespace: str, name: str, load: Load | None) -> bool:
    """Set (or with None clear) the load of one object; whether anything changed. Setting needs
    the object to exist (NotFoundError as the API server words it)."""
    with cluster.session() as rt:
        if load is not None:
            rt.api.read(kind, namespace, name)
        loads = dict(cluster.settings.loads)
        key = load_key(kind, namespace, name)
        before = loads.get(key)
        if load is None:
            loads.pop(key, None)
        else:
            loads[key] = load.to_setting()
        if loads.get(key) == before:
            return False
        cluster.update_settings(loads=loads)
        rt.enqueue(HPA_CONTROLLER, wake_key(namespace))
    return True


def loads_of(cluster: Any) -> dict[str, Load]:
    """Every recorded load by `Kind/namespace/name`."""
    return {key: Load.from_setting(value) for key, value in sorted(cluster.settings.loads.items())}
