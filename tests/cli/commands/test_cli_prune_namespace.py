"""Pruning a Namespace deletes what is inside it: the plan lists it, and refuses when the source needs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx:1}]
"""


def setup(run_cli: Run, folder: Path) -> None:
    (folder / "ns.yaml").write_text(NAMESPACE)
    (folder / "web.yaml").write_text(DEPLOYMENT)
    assert run_cli("cluster", "create", "default", "--manual-clock").exit_code == 0
    assert run_cli("apply", str(folder), "--wait").exit_code == 0
    assert run_cli("apply", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes, "
                   "namespace: team}\ndata: {a: b}\n").exit_code == 0  # not the folder's


def test_a_namespace_still_used_by_the_source_is_not_pruned(run_cli: Run, tmp_path: Path) -> None:
    setup(run_cli, tmp_path)
    (tmp_path / "ns.yaml").unlink()
    for command in (["diff", "--prune"], ["apply", "--prune"], ["prune"]):
        res = run_cli(command[0], str(tmp_path), *command[1:])
        assert res.exit_code == 2, command
        assert ("namespace/team still holds objects of the source, which would be deleted with it: "
                "deployment.apps/web") in res.stderr
    assert "Active" in run_cli("get", "namespace", "team").stdout  # nothing was written


def test_what_goes_with_a_pruned_namespace_is_listed_never_unchanged(run_cli: Run, tmp_path: Path) -> None:
    setup(run_cli, tmp_path)
    (tmp_path / "ns.yaml").unlink()
    (tmp_path / "web.yaml").unlink()
    pods = run_cli("get", "pods", "-n", "team", "-o", "name").stdout.split()
    assert len(pods) == 2
    res = run_cli("diff", str(tmp_path), "--prune", "--allow-empty")
    assert res.exit_code == 1
    for pod in pods:
        assert f"{pod} -n team deleted with namespace/team" in res.stdout
    assert "configmap/notes -n team deleted with namespace/team" in res.stdout
    assert ", 2 to prune, 4 deleted with their namespace, 0 unchanged," in res.stdout  # 2 pods, rs, cm
    plan = json.loads(run_cli("diff", str(tmp_path), "--prune", "--allow-empty", "-o", "json").stdout)
    cascaded = {c["ref"] for c in plan["changes"] if c["action"] == "cascade"}
    assert set(pods) <= cascaded and "configmap/notes" in cascaded
    assert plan["summary"]["cascade"] == len(cascaded) and plan["summary"]["unchanged"] == 0
    res = run_cli("apply", str(tmp_path), "--prune", "--allow-empty")
    assert res.exit_code == 0
    assert "namespace/team pruned" in res.stdout
    assert "configmap/notes deleted with namespace/team" in res.stdout
    assert run_cli("get", "configmap", "notes", "-n", "team").exit_code == 1
