"""The Deployment controller (pkg/controller/deployment), split by strategy as Kubernetes does.

`controller.py` (watches, syncDeployment) -> `sync.py` (new ReplicaSet, scale, status,
cleanup) -> `rolling.py` / `recreate.py` (one step per pass) -> `progress.py` (Progressing
condition, deadline timer). Pure arithmetic: `util.py`, `revisions.py`, `conditions.py`;
`rollback.py` is kubectl's client-side `rollout undo`.
"""
