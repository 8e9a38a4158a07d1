"""One exit-status mapping: every exit of every command goes through ExitStatus (kapply/cli/exits.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kapply import errors
from kapply.cli.exits import ExitStatus, exit_status
from kapply.cluster.sim.controllers.deployment.rollback import RollbackError

PACKAGE = Path(__file__).resolve().parents[2] / "kapply"
EXITS = {("typer", "Exit"), ("sys", "exit"), ("os", "_exit"), ("", "SystemExit"), ("", "exit")}


def _named(node: ast.expr) -> bool:
    """An ExitStatus member, exit_status(...), or a choice between such."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "ExitStatus"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "exit_status"
    if isinstance(node, ast.IfExp):
        return _named(node.body) and _named(node.orelse)
    return False


def _raw_exits() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                name = (func.value.id if isinstance(func.value, ast.Name) else "?", func.attr)
            else:
                name = ("", func.id if isinstance(func, ast.Name) else "?")
            if name in EXITS and not (len(node.args) == 1 and not node.keywords and _named(node.args[0])):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_command_exits_with_a_bare_number() -> None:
    assert _raw_exits() == []


@pytest.mark.parametrize(("error", "status"), [
    (errors.UsageError("x"), ExitStatus.ERROR),
    (errors.LoadError("x"), ExitStatus.ERROR),
    (errors.ValidationError("x"), ExitStatus.ERROR),
    (errors.StateError("x"), ExitStatus.ERROR),
    (errors.ReadOnlyError("/k/default.db"), ExitStatus.ERROR),
    (errors.PruneRefusedError("x"), ExitStatus.ERROR),
    (errors.OwnershipError("x"), ExitStatus.ERROR),
    (errors.NothingAppliedError("x"), ExitStatus.FAILURE),
    (errors.KapplyError("x"), ExitStatus.FAILURE),
    (errors.NotFoundError("x"), ExitStatus.FAILURE),
    (errors.BadRequestError("x"), ExitStatus.FAILURE),
    (RollbackError("x"), ExitStatus.FAILURE),
])
def test_error_classes_map_to_one_status(error: errors.KapplyError, status: ExitStatus) -> None:
    assert exit_status(error) is status


def test_an_instance_may_raise_its_status() -> None:
    error = errors.NotFoundError("x")
    error.exit_code = ExitStatus.ERROR  # kubectl diff: 1 means changes, so its errors exit 2
    assert exit_status(error) is ExitStatus.ERROR


@pytest.mark.parametrize(("args", "status"), [
    (("--version",), ExitStatus.OK),
    (("get", "pods", "--timeout"), ExitStatus.ERROR),  # click's own usage error
    (("rollout", "status", "deploy/web", "--timeout", "soon"), ExitStatus.ERROR),
    (("get", "deploy", "nope"), ExitStatus.FAILURE),
    (("validate", "/nonexistent/manifests"), ExitStatus.ERROR),
])
def test_commands_exit_with_the_mapped_status(run_cli, args: tuple[str, ...], status: ExitStatus) -> None:
    assert run_cli(*args).exit_code == status
