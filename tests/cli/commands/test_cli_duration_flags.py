"""Every duration flag of every command is read by one helper: bad values are refused naming the flag.

The flags are found by walking the real command tree (an option whose default is a duration, plus
the required ones listed in REQUIRED), so a new duration flag with a default that is not listed
here fails `test_every_duration_flag_is_covered`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from kapply.cli.app import app
from kapply.errors import UsageError
from kapply.model.durations import parse_duration

# command path -> (arguments it needs before the flag, the duration flags it has)
COMMANDS: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("apply",): (("{tmp}",), ("--timeout",)),
    ("watch",): (("{tmp}",), ("--interval", "--prune-after")),
    ("rollout", "status"): (("deployment/web",), ("--timeout",)),
    ("cluster", "create"): (("x",), ("--pod-startup", "--image-pull", "--node-grace", "--eviction-timeout",
                                     "--job-duration", "--hpa-sync-period", "--hpa-downscale-stabilization")),
    ("cluster", "advance"): (("--until-idle",), ("--max",)),
    ("node", "drain"): (("minikube",), ("--timeout",)),
}
REQUIRED: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {  # no default to detect
    ("image", "run"): (("perl:5.34",), ("--duration",)),
}


def _duration_default(param: Any) -> bool:
    if param.param_type_name != "option" or not isinstance(param.default, str):
        return False
    try:
        parse_duration(param.default)
    except UsageError:
        return False
    return True


def _duration_flags(command: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], set[str]]:
    """{command path: its duration flags} (typer vendors click: commands are duck-typed)."""
    found: dict[tuple[str, ...], set[str]] = {}
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            found.update(_duration_flags(sub, (*path, name)))
        return found
    flags = {max(p.opts, key=len) for p in command.params if _duration_default(p)}
    if flags:
        found[path] = flags
    return found


def test_every_duration_flag_is_covered() -> None:
    tree: Any = typer.main.get_command(app)
    assert _duration_flags(tree) == {path: set(flags) for path, (_, flags) in COMMANDS.items()}


CASES = [(path, flag, value) for path, (_, flags) in {**COMMANDS, **REQUIRED}.items() for flag in flags
         for value in ("soon", "-5s")]


@pytest.mark.parametrize(("path", "flag", "value"), CASES)
def test_bad_duration_is_refused_naming_the_flag(run_cli: Any, tmp_path: Path, path: tuple[str, ...],
                                                 flag: str, value: str) -> None:
    before = tuple(a.format(tmp=tmp_path) for a in {**COMMANDS, **REQUIRED}[path][0])
    res = run_cli(*path, *before, f"{flag}={value}")
    assert res.exit_code == 2, res.stderr
    assert res.stderr.startswith(f'error: invalid argument "{value}" for "{flag}" flag: '), res.stderr
    assert "Traceback" not in res.stderr
