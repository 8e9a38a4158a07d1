"""`kapply completion bash|zsh|fish`: the shell completion script.

The script calls kapply back with `_KAPPLY_COMPLETE` set (typer's protocol; `app.main` switches
the shells on only then, so ordinary runs pay nothing); `kapply.cli.completers` says what kinds,
names, clusters and namespaces are offered.
"""

from __future__ import annotations

import sys

import typer

from kapply.cli.completers import COMPLETE_VAR
from kapply.cli.exits import ExitStatus, handle_errors

SHELLS = ("bash", "zsh", "fish")


def register(app: typer.Typer) -> None:
    app.command(name="completion")(completion)


def completion(shell: str = typer.Argument(..., help="bash, zsh or fish.",
                                           autocompletion=lambda: list(SHELLS))) -> None:
    """Print the shell completion script: `source <(kapply completion bash)`.

    bash: add `source <(kapply completion bash)` to ~/.bashrc; zsh: `source <(kapply completion
    zsh)` in ~/.zshrc (after compinit); fish: `kapply completion fish >
    ~/.config/fish/completions/kapply.fish`.
    """
    with handle_errors():
        from typer.completion import get_completion_script

        from kapply.errors import UsageError

        if shell not in SHELLS:
            raise UsageError(f"unsupported shell {shell!r}: use one of {', '.join(SHELLS)}")
        script = get_completion_script(prog_name="kapply", complete_var=COMPLETE_VAR, shell=shell)
        sys.stdout.write(script + "\n")
        raise typer.Exit(ExitStatus.OK)
