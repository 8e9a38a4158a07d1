"""Custom resources through the command: a folder with a CRD and its custom resources applies in
one run, `get` resolves the CRD's names and prints its printer columns, `validate` checks custom
resources against a CRD among the files, with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "crontab"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "crontab"
    shutil.copytree(EXAMPLES, target)
    return target


def test_a_crd_and_its_resources_apply_in_one_run(run_cli: Any, folder: Path) -> None:
    assert run_cli("cluster", "create", "default").exit_code == 0
    applied = run_cli("apply", str(folder), "--wait")
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.splitlines()[:2] == [
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created",
        "crontab.stable.example.com/my-new-cron-object created",
    ]
    assert "crontabs.stable.example.com: CRD is established" in applied.stdout
    assert ("crontab.stable.example.com/my-new-cron-object: not acted on: this cluster runs no controller "
            "for CronTab objects") in applied.stdout
    again = run_cli("apply", str(folder))
    assert again.stdout.splitlines() == [
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com unchanged",
        "crontab.stable.example.com/my-new-cron-object unchanged",
    ]


def test_get_prints_the_printer_columns(run_cli: Any, folder: Path) -> None:
    run_cli("cluster", "create", "default")
    run_cli("apply", str(folder))
    for name in ("crontabs", "crontab", "ct", "crontabs.stable.example.com", "CronTab"):
        listed = run_cli("get", name)
        assert listed.exit_code == 0, listed.stderr
        header, row = listed.stdout.splitlines()
        assert header.split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
        assert row.split()[:7] == ["my-new-cron-object", "*", "*", "*", "*", "*/5", "1"]
    named = run_cli("get", "ct/my-new-cron-object", "-o", "name")
    assert named.stdout == "crontab.stable.example.com/my-new-cron-object\n"
    assert "Cron Spec:  * * * * */5" in run_cli("describe", "ct", "my-new-cron-object").stdout
    deleted = run_cli("delete", "ct", "my-new-cron-object")
    assert deleted.stdout == ('crontab.stable.example.com "my-new-cron-object" deleted from default '
                              "namespace\n")


def test_deleting_the_crd_deletes_its_resources(run_cli: Any, folder: Path) -> None:
    run_cli("cluster", "create", "default")
    run_cli("apply", str(folder))
    assert run_cli("delete", "crd", "crontabs.stable.example.com").exit_code == 0
    gone = run_cli("get", "crontabs")
    assert gone.exit_code == 1
    assert gone.stderr == 'error: the server doesn\'t have a resource type "crontabs"\n'


def test_validate_checks_custom_resources_against_the_folders_crd(run_cli: Any, folder: Path) -> None:
    (folder / "bad.yaml").write_text(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: bad\nspec:\n"
        "  cronSpec: every minute\n  replicas: 20\n")
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    pattern = r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"
    assert (f"{folder / 'bad.yaml'}:6:13: error: CronTab/default/bad: spec.cronSpec: Invalid value: "
            f"\"every minute\": spec.cronSpec in body should match '{pattern}'") in lines
    assert f"{folder / 'bad.yaml'}:7:13: error: CronTab/default/bad: spec.replicas: Invalid value: 20: " \
           "spec.replicas in body should be less than or equal to 10" in lines
    assert run_cli("validate", str(folder / "crd.yaml"), str(folder / "crontab.yaml")).exit_code == 0


def test_apply_validates_against_the_clusters_crd(run_cli: Any, folder: Path, tmp_path: Path) -> None:
    run_cli("cluster", "create", "default")
    run_cli("apply", str(folder / "crd.yaml"))
    only = tmp_path / "only"
    only.mkdir()
    (only / "ct.yaml").write_text(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: second\nspec:\n  replicas: 3\n")
    refused = run_cli("apply", str(only))
    assert refused.exit_code == 2
    assert "ct.yaml:5:1: error: CronTab/default/second: spec.cronSpec: Required value" in refused.stderr
    (only / "ct.yaml").write_text(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: second\nspec:\n"
        "  cronSpec: '0 * * * *'\n")
    assert run_cli("apply", str(only)).stdout == "crontab.stable.example.com/second created\n"


def test_a_cel_rule_the_cluster_cannot_evaluate_is_a_warning(run_cli: Any, folder: Path) -> None:
    crd = (folder / "crd.yaml").read_text().replace(
        "              required: [cronSpec]\n",
        "              required: [cronSpec]\n              x-kubernetes-validations:\n"
        "                - rule: \"quantity(self.image).isLessThan(quantity('1Gi'))\"\n")
    (folder / "crd.yaml").write_text(crd)
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0
    assert "is not evaluated by the embedded cluster (it calls isLessThan, quantity)" in \
        result.stdout + result.stderr
