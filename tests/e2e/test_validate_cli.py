"""`kapply validate` through the installed command: exit statuses and output a CI job relies on."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n"
BAD = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n    - port: 70000\n"


def test_example_manifests_are_valid(run_kapply) -> None:
    res = run_kapply("validate", str(REPO / "manifests"))
    assert res.exit_code == 0, res.stdout + res.stderr
    assert res.stdout.strip().endswith("2 resources in 2 files: 2 valid, 0 invalid")


def test_invalid_exits_1_with_location(run_kapply, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    res = run_kapply("validate", str(tmp_path))
    assert res.exit_code == 1
    assert "bad.yaml:7:13: error: Service/default/svc: spec.ports[0].port: Invalid value: 70000" in res.stdout
    assert res.stdout.strip().splitlines()[-1] == "2 resources in 2 files: 1 valid, 1 invalid"


def test_missing_path_is_usage_error(run_kapply, tmp_path: Path) -> None:
    res = run_kapply("validate", str(tmp_path / "nope"))
    assert res.exit_code == 2
    assert "nope" in res.stderr
    assert "Traceback" not in res.stderr


def test_yaml_error_is_invalid_not_a_crash(run_kapply, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bad: [\n")
    res = run_kapply("validate", str(tmp_path))
    assert res.exit_code == 1
    assert "broken.yaml:" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr


def test_stdin_and_json_output(run_kapply) -> None:
    res = run_kapply("validate", "-", "-o", "json", input=BAD)
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["summary"]["invalid"] == 1
    assert data["diagnostics"][0]["field"] == "spec.ports[0].port"


def test_strict_warnings(run_kapply, tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    assert run_kapply("validate", "--skip-unknown", str(tmp_path)).exit_code == 0
    assert run_kapply("validate", "--skip-unknown", "--strict-warnings", str(tmp_path)).exit_code == 1


def test_bad_output_format_is_usage_error(run_kapply, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    res = run_kapply("validate", "-o", "xml", str(tmp_path))
    assert res.exit_code == 2
    assert "--output" in res.stderr


def test_an_unreadable_file_is_an_io_error_exit_2(run_kapply, tmp_path: Path) -> None:
    import pytest

    if not Path("/proc/self/mem").exists():
        pytest.skip("needs /proc/self/mem, a file whose read fails")
    (tmp_path / "good.yaml").write_text(GOOD)
    res = run_kapply("validate", str(tmp_path), "/proc/self/mem")
    assert "/proc/self/mem:1:1: error: cannot read file" in res.stdout
    assert res.exit_code == 2  # I/O error, as documented; the other files are still reported


WRONG_TYPES = {  # the inputs that crashed the semantic rules with an internal error (exit 3)
    "selector.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector:\n"
                      "    matchLabels: app=a\n  template:\n    metadata: {labels: {app: a}}\n"
                      "    spec: {containers: [{name: a, image: a}]}\n"),
    "volume.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n"
                    "    - {name: b, image: b, volumeMounts: [{name: [v], mountPath: /v}]}\n"
                    "  volumes: [{name: [v], emptyDir: {}}]\n"),
    "port.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec:\n  ports: [{port: {n: 80}}]\n",
    "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: d}\ntype: [Opaque]\n",
    "replicas.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: e}\nspec:\n  replicas: "
                      + "9" * 5000 + "\n  selector: {matchLabels: {app: e}}\n  template:\n"
                      "    metadata: {labels: {app: e}}\n    spec: {containers: [{name: e, image: e}]}\n"),
    "cpu.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: f}\nspec:\n  containers:\n"
                 "    - {name: f, image: f, resources: {requests: {cpu: 1e999999}, limits: {cpu: 1}}}\n"),
}


def test_values_of_the_wrong_type_are_invalid_not_a_crash(run_kapply, tmp_path: Path) -> None:
    for name, text in WRONG_TYPES.items():
        (tmp_path / name).write_text(text)
    res = run_kapply("validate", str(tmp_path))
    assert res.exit_code == 1, res.stdout + res.stderr
    assert "internal error" not in res.stdout + res.stderr and "Traceback" not in res.stderr
    errors = [line for line in res.stdout.splitlines() if ": error: " in line]
    assert {line.split(":")[0].rsplit("/", 1)[-1] for line in errors} == set(WRONG_TYPES)
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in errors)
    assert res.stdout.strip().splitlines()[-1] == "6 resources in 6 files: 0 valid, 6 invalid"
    cpu = next(line for line in errors if "cpu.yaml" in line)
    assert cpu.endswith('requests: Invalid value: "1e999999": must be less than or equal to cpu limit of 1')
