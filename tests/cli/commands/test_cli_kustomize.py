"""Kustomizations through the commands: -f and -k, one inventory per kustomization, watch's rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kapply.load.kustomize import find_renderer

pytestmark = pytest.mark.skipif(find_renderer() is None,
                                reason="no kustomize renderer (kustomize or kubectl) on PATH")


def _repo(tmp_path: Path) -> Path:
    """base/ (a ConfigMap) and two overlays naming it with their own prefix."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
                                               "data:\n  a: '1'\n")
    for name in ("blue", "green"):
        (tmp_path / "overlays" / name).mkdir(parents=True)
        (tmp_path / "overlays" / name / "kustomization.yaml").write_text(
            f"resources:\n- ../../base\nnamePrefix: {name}-\n")
    return tmp_path


def _inventories(run_cli: Callable[..., object]) -> dict[str, str]:
    out = run_cli("get", "configmaps", "-o", "json")
    items = json.loads(out.stdout)["items"]
    return {i["metadata"]["name"]: i["metadata"]["labels"].get("kapply.io/inventory", "") for i in items}


def test_each_overlay_is_its_own_source_with_its_own_inventory(run_cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    applied = run_cli("apply", "overlays")
    assert applied.exit_code == 0, applied.stderr
    assert "configmap/blue-cfg created" in applied.stdout and "configmap/green-cfg created" in applied.stdout
    assert "kustomize: 2 kustomizations rendered by" in applied.stderr
    owners = _inventories(run_cli)
    assert owners["blue-cfg"] != owners["green-cfg"]
    assert owners["blue-cfg"].startswith("blue-") and owners["green-cfg"].startswith("green-")
    # the same overlay named alone, with -k or as a folder, finds its inventory: nothing to do
    for args in (["-k", "overlays/blue"], ["overlays/blue"], ["-f", "overlays/blue"]):
        assert run_cli("diff", *args, "--prune").exit_code == 0
    # pruning one overlay's source never touches the other's objects
    (tmp_path / "overlays" / "green" / "kustomization.yaml").write_text("resources: []\n")
    pruned = run_cli("apply", "-k", "overlays/green", "--prune", "--allow-empty")
    assert "configmap/green-cfg pruned" in pruned.stdout
    assert {n for n in _inventories(run_cli) if n.endswith("-cfg")} == {"blue-cfg"}


def test_several_sources_diff_as_a_plan_list_and_refuse_one_inventory(
        run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    diff = run_cli("diff", "overlays", "-o", "json")
    assert diff.exit_code == 1
    plans = json.loads(diff.stdout)
    assert plans["kind"] == "PlanList" and len(plans["items"]) == 2
    text = run_cli("diff", "overlays")
    assert "# overlays/blue: inventory blue-" in text.stdout
    refused = run_cli("apply", "overlays", "--inventory", "mine")
    assert refused.exit_code == 2
    assert "--inventory names one inventory, but these paths hold 2 sources" in refused.stderr


def test_kubectl_usage_errors(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    both = run_cli("apply", "-f", "base", "-k", "overlays/blue")
    assert (both.exit_code, both.stderr) == (2, "error: only one of -f or -k can be specified\n")
    none = run_cli("validate")
    assert none.exit_code == 2 and "must specify one of -f and -k" in none.stderr
    plain = run_cli("validate", "-k", "overlays")
    assert plain.exit_code == 2
    assert plain.stderr == ("error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                            f"'Kustomization' in directory '{tmp_path / 'overlays'}'\n")
    several = run_cli("watch", "overlays")
    assert several.exit_code == 2 and "watch follows one source" in several.stderr


def test_repeated_f_validates_every_path(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    result = run_cli("validate", "-f", "overlays/blue", "-f", "base/cm.yaml", "-o", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["summary"]["resources"] == 2
    assert report["kustomize"]["kustomizations"] == ["overlays/blue/kustomization.yaml"]
    assert report["kustomize"]["renderer"] in ("kustomize", "kubectl kustomize")
