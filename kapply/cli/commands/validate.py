"""`kapply validate`: the CI gate. Loads and validates, prints a report, maps it to an exit status."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors


def register(app: typer.Typer) -> None:
    app.command(name="validate")(validate)


def validate(
    paths: list[str] | None = options.PATHS,
    filename: list[str] = options.FILENAMES,
    kustomize: list[str] = options.KUSTOMIZE,
    output: str = typer.Option("text", "--output", "-o", help="text, json, junit or github."),
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    kubernetes_version: str = typer.Option("1.34", "--kubernetes-version",
                                           help="Kubernetes version whose schemas to use."),
    strict_warnings: bool = typer.Option(False, "--strict-warnings", help="Warnings fail too."),
) -> None:
    """Validate manifests against Kubernetes' schemas and semantic rules (no cluster needed).

    Exit status: 0 all valid, 1 anything invalid, 2 usage or I/O error.
    """
    with handle_errors():
        from kapply.cli.paths import source_paths
        from kapply.errors import UsageError
        from kapply.validate.formats import FORMATS, render
        from kapply.validate.pipeline import ValidateOptions, validate_paths

        paths = source_paths(paths, filename, kustomize)
        if output not in FORMATS:
            raise UsageError(f"--output must be one of {', '.join(FORMATS)}, not {output!r}")
        for d in schema_dir:
            if not d.is_dir():
                raise UsageError(f"--schema-dir {d}: not a directory")
        options = ValidateOptions(skip_unknown=skip_unknown, schema_dirs=tuple(schema_dir),
                                  kubernetes_version=kubernetes_version)
        result = validate_paths(paths, options, stdin=sys.stdin)
        sys.stdout.write(render(result.report, output))
        failed = not result.report.ok or (strict_warnings and result.report.warnings)
        if any(d.rule == "io" for d in result.report.errors):
            raise typer.Exit(ExitStatus.ERROR)  # an I/O error, not an invalid manifest
        raise typer.Exit(ExitStatus.FAILURE if failed else ExitStatus.OK)
