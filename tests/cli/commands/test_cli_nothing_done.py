"""Nothing done is said, and is not exit 0: empty sources, every object skipped, nothing to wait for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {x: '1'}\n"


def test_an_empty_source_is_kubectls_no_objects_passed(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a manifest\n")
    res = run_cli("apply", str(tmp_path))
    assert (res.exit_code, res.stderr) == (1, "error: no objects passed to apply\n")
    res = run_cli("diff", str(tmp_path))
    assert (res.exit_code, res.stderr) == (2, "error: no objects passed to diff\n")  # 1 would mean changes
    res = run_cli("apply", "-", input="")
    assert (res.exit_code, res.stderr) == (1, "error: no objects passed to apply\n")


def test_an_empty_source_that_is_meant_says_so(run_cli: Run, tmp_path: Path) -> None:
    res = run_cli("apply", str(tmp_path), "--allow-empty")
    assert (res.exit_code, res.stdout) == (0, "the source holds no objects: nothing to apply\n")
    res = run_cli("apply", str(tmp_path), "--allow-empty", "--prune")
    assert res.exit_code == 0
    assert res.stdout == "the source holds no objects, and nothing applied from it is left to prune\n"
    res = run_cli("apply", str(tmp_path), "--prune")
    assert res.exit_code == 2 and "--allow-empty" in res.stderr  # pruning everything needs saying so


def test_every_object_skipped_is_a_failure_with_one_summary_line(run_cli: Run, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(CM % name)
        assert run_cli("apply", "-", "--inventory", "someone-else", input=CM % name).exit_code == 0
    res = run_cli("apply", str(tmp_path))
    assert res.exit_code == 1
    assert res.stdout.count(' skipped: exists and is managed by kapply inventory "someone-else"') == 2
    assert res.stderr == ("error: nothing was applied: all 2 objects of the source were skipped "
                          "(reasons above)\n")
    res = run_cli("diff", str(tmp_path))
    assert res.exit_code == 2
    assert "nothing would be applied: all 2 objects of the source would be skipped" in res.stderr
    res = run_cli("apply", str(tmp_path), "-o", "json")
    assert res.exit_code == 1 and '"result": "skipped"' in res.stdout
    (tmp_path / "c.yaml").write_text(CM % "c")  # one object applied: the skips are visible, not fatal
    res = run_cli("apply", str(tmp_path))
    assert res.exit_code == 0 and "configmap/c created" in res.stdout and res.stdout.count("skipped") == 2


def test_one_skipped_object_reads_naturally(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM % "a")
    assert run_cli("apply", "-", input=CM % "a").exit_code == 0  # standard input, no inventory
    res = run_cli("apply", str(tmp_path))
    assert "exists and was applied by kapply from standard input without --inventory" in res.stdout
    assert res.stderr == ("error: nothing was applied: the only object of the source was skipped "
                          "(reasons above)\n")


def test_wait_with_nothing_to_wait_for_says_so(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM % "a")
    assert run_cli("apply", str(tmp_path)).exit_code == 0
    (tmp_path / "a.yaml").unlink()
    res = run_cli("apply", str(tmp_path), "--prune", "--allow-empty", "--wait")
    assert res.exit_code == 0
    assert res.stdout == "configmap/a pruned\nnothing to wait for: no object of the source was applied\n"
    assert "all 0 objects ready" not in res.stdout


def test_prune_with_nothing_to_prune_says_so(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM % "a")
    res = run_cli("prune", str(tmp_path))
    assert (res.exit_code, res.stdout) == (0, "nothing to prune: nothing was applied from this source yet\n")
    assert run_cli("apply", str(tmp_path)).exit_code == 0
    res = run_cli("prune", str(tmp_path))
    assert (res.exit_code, res.stdout) == (
        0, "nothing to prune: every object applied from this source is still in it\n")
