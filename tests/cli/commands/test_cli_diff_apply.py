"""`kapply diff / apply / prune` as a user runs them: exit statuses and what is printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx:1}]
"""


def test_diff_of_a_change_the_server_refuses_is_an_error_exit(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    assert run_cli("apply", str(tmp_path)).exit_code == 0
    (tmp_path / "web.yaml").write_text(DEPLOYMENT.replace("{app: web}", "{app: web, v: '2'}"))
    res = run_cli("diff", str(tmp_path))
    assert "spec.selector: Invalid value" in res.stdout and "field is immutable" in res.stdout
    assert res.exit_code == 2  # kubectl diff: >1 when the server refuses, not 1 (changes)


def test_apply_prints_the_api_servers_warnings_as_kubectl_does(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n"
        "    env: [{name: A, value: '1'}, {name: A, value: '2'}]\n")
    res = run_cli("apply", str(tmp_path))
    assert res.exit_code == 0 and res.stdout == "pod/p created\n"
    assert res.stderr.startswith("Warning: ")
    assert ('pod.yaml:8:34: Pod/default/p: spec.containers[0].env[1]: hides previous definition of "A"'
            in res.stderr)


def test_diff_of_objects_the_server_would_refuse_is_an_error_exit(run_cli: Run, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: NodePort\n"
            "  selector: {app: x}\n  ports: [{port: 80, nodePort: 30080}]\n")
    res = run_cli("diff", str(tmp_path))
    assert "provided port is already allocated" in res.stderr
    assert res.exit_code == 2  # as `kubectl diff`, whose server dry run fails; apply would refuse it
    assert run_cli("apply", str(tmp_path)).exit_code == 1


def test_every_diff_error_exits_2_never_1_which_means_changes(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    res = run_cli("diff", str(tmp_path), "--cluster", "nope")
    assert 'cluster "nope" not found' in res.stderr
    assert res.exit_code == 2
