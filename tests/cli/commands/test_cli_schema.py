"""`kapply schema export`: self-contained schemas an editor can use, choosing the kind by apiVersion/kind."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from referencing import Registry, Resource


def test_exported_schemas_check_documents_as_validate_does(run_cli, tmp_path: Path) -> None:
    res = run_cli("schema", "export", str(tmp_path / "s"))
    assert res.exit_code == 0 and res.stdout.startswith("wrote 176 schemas")
    base = tmp_path / "s"
    deployment = json.loads((base / "apps" / "v1" / "Deployment.json").read_text())
    assert "io.k8s.api.apps.v1.DeploymentSpec" in deployment["$defs"]  # self-contained
    every = json.loads((base / "all.json").read_text())
    registry = Registry().with_resources(
        (p.relative_to(base).as_posix(), Resource.from_contents(json.loads(p.read_text())))
        for p in [base / "apps" / "v1" / "Deployment.json", base / "core" / "v1" / "ConfigMap.json"])
    validator = jsonschema.Draft202012Validator(every, registry=registry)
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
           "spec": {"replicas": "lots", "bogus": 1, "selector": {}, "template": {}}}
    messages = [e.message for e in validator.iter_errors(bad)]
    assert any("'bogus' was unexpected" in m for m in messages)
    assert any("'lots' is not of type 'integer'" in m for m in messages)
    good = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}
    assert list(validator.iter_errors(good)) == []
