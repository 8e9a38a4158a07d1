"""`kapply schema export DIR`: kapply's schemas as files an editor's YAML language server can use.

kapply ships its strict schemas compactly (one file of kinds, one of shared definitions). An
editor needs one self-contained JSON Schema per document, so this writes `DIR/<group>/<version>/
<Kind>.json` (each with the definitions it needs) and `DIR/all.json`, which picks the kind's
schema by a document's apiVersion and kind. Point the YAML language server at `all.json`
(`yaml.schemas` in VS Code) and it flags unknown fields and wrong types as you type, with the
schemas `kapply validate` uses (the semantic rules still need `kapply validate`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import typer

from kapply.cli.exits import ExitStatus, handle_errors

schema_app = typer.Typer(help="kapply's JSON Schemas, for editors.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")


@schema_app.command("export")
def export(
    folder: Path = typer.Argument(..., help="Where to write the schemas (created if missing)."),
    kubernetes_version: str = typer.Option("1.34", "--kubernetes-version", help="Which shipped schemas."),
) -> None:
    """Write one self-contained JSON Schema per kind, and all.json choosing among them."""
    with handle_errors():
        from kapply.validate.schema_store import DEFINITIONS_FILE, KINDS_FILE, find_version_dir

        source = find_version_dir(kubernetes_version)
        kinds = json.loads((source / KINDS_FILE).read_text())
        definitions = json.loads((source / DEFINITIONS_FILE).read_text())
        folder.mkdir(parents=True, exist_ok=True)
        choices = []
        for group_version, by_kind in sorted(kinds.items()):
            for kind, schema in sorted(by_kind.items()):
                relative = Path(*group_version.split("/"), f"{kind}.json") if "/" in group_version \
                    else Path("core", group_version, f"{kind}.json")
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(_standalone(schema, definitions), separators=(",", ":")))
                choices.append({"if": {"properties": {"apiVersion": {"const": group_version},
                                                      "kind": {"const": kind}},
                                       "required": ["apiVersion", "kind"]},
                                "then": {"$ref": relative.as_posix()}})
        everything = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                      "title": f"Kubernetes {kubernetes_version} objects (kapply)", "allOf": choices}
        (folder / "all.json").write_text(json.dumps(everything, indent=1))
        sys.stdout.write(f"wrote {len(choices)} schemas and all.json to {folder}\n")
        raise typer.Exit(ExitStatus.OK)


def _standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The kind's schema with the definitions it reaches, transitively, under `$defs`."""
    needed: dict[str, Any] = {}
    todo = _refs(schema)
    while todo:
        name = todo.pop()
        if name in needed or name not in definitions:
            continue
        needed[name] = definitions[name]
        todo |= _refs(definitions[name])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "$defs": needed}


def _refs(value: Any) -> set[str]:
    return set(re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(value)))
