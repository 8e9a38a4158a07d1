#!/usr/bin/env python3
"""Generate kapply's compact strict JSON Schemas from the `kubernetes-validate` package.

Run once per Kubernetes version (a generation-time dependency only, `pip install '.[schemas]'`):

    .venv/bin/python scripts/gen_schemas.py            # writes schemas/v1.34/
    .venv/bin/python scripts/gen_schemas.py --version 1.35

The source is kubernetes-validate's `v1.34.0-local-strict` tree: OpenAPI-derived schemas in
which every object of a built-in type has `additionalProperties: false` (Kubernetes' strict
decoding rejects unknown fields), one file per definition plus `_definitions.json`.
Output, read lazily by `kapply.validate.schema`:

- `definitions.json`: `{name: schema}` for every definition, `$ref`s rewritten to `#/$defs/<name>`.
- `kinds.json`: `{apiVersion: {kind: root schema}}` for every (apiVersion, kind) Kubernetes serves,
  taken from the per-kind root files (their root properties differ slightly from the definitions,
  e.g. in nullability; the official validator uses the root files, so we do too).

- `docs.json.gz`: what the strict files leave out and `kapply serve`'s OpenAPI v3 needs (so
  `kubectl explain` can explain): `{"descriptions": {name: {"": the definition's, field: the
  field's}}, "gvk": {name: [[group, version, kind], ...]}}`, gzip-compressed.

Descriptions, `$schema`/`$id` and annotations no consumer needs are stripped; types, enums,
formats (int-or-string, quantity, int32...) and the list/merge annotations used for
strategic-merge diffs are kept as in the source. Files are minified with sorted keys (and gzip
without a timestamp) so regeneration is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REF_PREFIX = "/api/_definitions.json#/$defs/"
# Request/response envelopes (DeleteOptions, Status, WatchEvent...) carry a GVK in every group but
# are not manifests; the official validator has no root schema for them under those apiVersions.
META_PREFIX = "io.k8s.apimachinery.pkg.apis.meta.v1."
KEPT_ANNOTATIONS = frozenset(
    {
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
        "x-kubernetes-patch-strategy",
        "x-kubernetes-patch-merge-key",
    }
)
DROPPED_KEYWORDS = frozenset({"description", "$schema", "$id", "x-kubernetes-group-version-kind"})
SUBSCHEMA_LIST_KEYWORDS = ("oneOf", "anyOf", "allOf")
SUBSCHEMA_KEYWORDS = ("items", "additionalProperties", "not")


def source_dir(version: str) -> Path:
    """Locate the strict schema tree for `version` (e.g. "1.34") inside kubernetes-validate."""
    try:
        import kubernetes_validate
    except ImportError:
        sys.exit("kubernetes-validate is not installed: pip install '.[schemas]'")
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    candidate = base / f"v{version}.0-local-strict"
    if not candidate.is_dir():
        available = sorted(p.name for p in base.iterdir() if p.name.endswith("-strict"))
        sys.exit(f"no strict schemas for Kubernetes {version} in {base}; available: {available}")
    return candidate


def clean(schema: Any) -> Any:
    """Return `schema` without descriptions and unused annotations, with local `$ref`s.

    Schema-aware: the keys of a `properties` mapping are field names (a field may be called
    `description` or `format`) and are never stripped.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED_KEYWORDS or (key.startswith("x-") and key not in KEPT_ANNOTATIONS):
            continue
        if key == "$ref":
            if not value.startswith(REF_PREFIX) and not value.startswith("#/$defs/"):
                raise ValueError(f"unexpected $ref {value!r}")
            out[key] = "#/$defs/" + value.rsplit("/", 1)[1]
        elif key == "properties":
            out[key] = {name: clean(sub) for name, sub in value.items()}
        elif key in SUBSCHEMA_KEYWORDS:
            out[key] = clean(value)
        elif key in SUBSCHEMA_LIST_KEYWORDS:
            out[key] = [clean(sub) for sub in value]
        else:
            out[key] = value
    return out


def root_file_name(definition: str) -> str:
    """Name of kubernetes-validate's per-kind root file for a definition name.

    `io.k8s.api.apps.v1.Deployment` -> `deployment-apps-v1.json`; the core group is omitted
    (`io.k8s.api.core.v1.Pod` -> `pod-v1.json`).
    """
    *_, group, version, kind = definition.split(".")
    if group == "core":
        return f"{kind.lower()}-{version}.json"
    return f"{kind.lower()}-{group}-{version}.json"


def api_version(group: str, version: str) -> str:
    """`apps`, `v1` -> `apps/v1`; the core group has no prefix (`v1`)."""
    return f"{group}/{version}" if group else version


def generate(src: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Build (definitions, kinds) from a kubernetes-validate strict schema tree."""
    raw = json.loads((src / "_definitions.json").read_text())["$defs"]
    definitions = {name: clean(schema) for name, schema in raw.items()}
    kinds: dict[str, dict[str, Any]] = {}
    for name, schema in raw.items():
        if name.startswith(META_PREFIX):
            continue
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            root_path = src / root_file_name(name)
            root = json.loads(root_path.read_text()) if root_path.exists() else schema
            served = kinds.setdefault(api_version(gvk["group"], gvk["version"]), {})
            served[gvk["kind"]] = clean(root)
    return definitions, kinds


def docs(src: Path) -> dict[str, Any]:
    """The descriptions and group-version-kinds of every definition (for OpenAPI v3)."""
    raw = json.loads((src / "_definitions.json").read_text())["$defs"]
    descriptions: dict[str, dict[str, str]] = {}
    gvks: dict[str, list[list[str]]] = {}
    for name, schema in raw.items():
        found = {"": schema["description"]} if schema.get("description") else {}
        for field, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("description"):
                found[field] = sub["description"]
        if found:
            descriptions[name] = found
        kinds = schema.get("x-kubernetes-group-version-kind")
        if kinds:
            gvks[name] = [[g["group"], g["version"], g["kind"]] for g in kinds]
    return {"descriptions": descriptions, "gvk": gvks}


def dump(path: Path, data: Any) -> None:
    """Write minified JSON with sorted keys (reproducible bytes)."""
    path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="1.34", help="Kubernetes minor version (default 1.34)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default schemas/vX.Y)")
    args = parser.parse_args(argv)
    out = args.out or REPO / "schemas" / f"v{args.version}"
    definitions, kinds = generate(source_dir(args.version))
    out.mkdir(parents=True, exist_ok=True)
    dump(out / "definitions.json", definitions)
    dump(out / "kinds.json", kinds)
    text = json.dumps(docs(source_dir(args.version)), separators=(",", ":"), sort_keys=True).encode()
    (out / "docs.json.gz").write_bytes(gzip.compress(text, 9, mtime=0))
    count = sum(len(v) for v in kinds.values())
    print(f"{out}: {len(definitions)} definitions, {count} kinds in {len(kinds)} apiVersions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
