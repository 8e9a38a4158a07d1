#!/usr/bin/env python3
"""Generate the protobuf field table `kapply serve` decodes request bodies with.

kubectl's typed clients (`kubectl create deployment`, the evictions of `kubectl drain`) send
`application/vnd.kubernetes.protobuf` bodies. Decoding them needs, for every API struct, each
field's protobuf number, its JSON name, its Go type (pointer or not, slice, map) and its JSON
tag options (omitempty, inline): the wire-format facts Kubernetes declares in the struct tags of
k8s.io/api and k8s.io/apimachinery. This script reads those tags once from checkouts of the two
repositories and writes them as data:

    .venv/bin/python scripts/gen_protobuf.py --api ../api --apimachinery ../apimachinery --ref v0.34.9

(`--ref`: the tag of both repositories for the shipped Kubernetes version; k8s.io/api v0.34.x is
Kubernetes 1.34.)

Output: `kapply/serve/protobuf.json.gz`, `{"types": {"apps/v1.Deployment": [[number, json name,
type, flags], ...]}}` where type is `string`, `bytes`, `bool`, `int32`, `int64`, `float64`,
`msg:<pkg>.<Struct>`, `map:<key>:<value>` or one of the special messages (`time`, `microtime`,
`duration`, `quantity`, `intorstring`, `raw`, `fieldsv1`); flags: p pointer, r repeated,
o omitempty, i inline. Written reproducibly (sorted keys, gzip mtime 0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "kapply" / "serve" / "protobuf.json.gz"
# The group versions kapply serves (plus the ones of its request envelopes).
API_PACKAGES = (
    "core/v1",
    "apps/v1",
    "batch/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "policy/v1",
    "networking/v1",
    "rbac/v1",
    "storage/v1",
    "scheduling/v1",
    "coordination/v1",
    "discovery/v1",
    "node/v1",
    "admissionregistration/v1",
    "certificates/v1",
    "events/v1",
)
SPECIAL = {
    "meta/v1.Time": "time",
    "meta/v1.MicroTime": "microtime",
    "meta/v1.Duration": "duration",
    "resource.Quantity": "quantity",
    "intstr.IntOrString": "intorstring",
    "runtime.RawExtension": "raw",
    "meta/v1.FieldsV1": "fieldsv1",
}
SCALARS = {
    "string": "string",
    "bool": "bool",
    "int32": "int32",
    "int64": "int64",
    "int": "int64",
    "float64": "float64",
    "byte": "bytes",
    "uint32": "int64",
    "uint64": "int64",
    "int16": "int32",
}
_STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.S | re.M)
_NAMED = re.compile(r"^type (\w+) ([^\s{=][^\n]*)$", re.M)
_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.*\[\]]+(?:\[[\w.*]+\][\w.*\[\]]+)?)\s+`([^`]*)`", re.M)
_IMPORT = re.compile(r'^\s*(\w+)?\s*"(k8s\.io/[^"]+)"', re.M)


def package_key(path: str) -> str:
    if path.startswith("k8s.io/api/"):
        return path.removeprefix("k8s.io/api/")
    if path == "k8s.io/apimachinery/pkg/apis/meta/v1":
        return "meta/v1"
    return path.rsplit("/", 1)[-1]  # resource, intstr, types, runtime


def tag(tags: str, key: str) -> str:
    found = re.search(rf'{key}:"([^"]*)"', tags)
    return found.group(1) if found else ""


def read(repo: Path, ref: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{ref}:{path}"], check=True, capture_output=True, text=True
    ).stdout


class Package:
    def __init__(self, key: str, sources: list[str]) -> None:
        self.key = key
        self.imports: dict[str, str] = {}
        self.structs: dict[str, list[tuple[str, str, str]]] = {}  # name -> (field, go type, tags)
        self.named: dict[str, str] = {}
        for text in sources:
            for alias, path in _IMPORT.findall(text):
                self.imports[alias or path.rsplit("/", 1)[-1]] = package_key(path)
            body_free = re.sub(r"//[^\n]*", "", text)
            for name, body in _STRUCT.findall(body_free):
                self.structs[name] = [(f or "", t, g) for f, t, g in _FIELD.findall(body)]
            for name, definition in _NAMED.findall(body_free):
                self.named[name] = definition.strip()


def resolve(pkg: Package, go_type: str, packages: dict[str, Package]) -> tuple[str, str]:
    """(type code, flags p/r) of a Go type in `pkg`."""
    flags = ""
    while True:
        if go_type.startswith("*"):
            flags += "p"
            go_type = go_type[1:]
        elif go_type.startswith("[]") and go_type != "[]byte":
            flags += "r"
            go_type = go_type[2:]
        else:
            break
    if go_type == "[]byte":
        return "bytes", flags
    if go_type.startswith("map["):
        key, value = go_type[4:].split("]", 1)
        key_code, _ = resolve(pkg, key, packages)
        value_code, value_flags = resolve(pkg, value, packages)
        return f"map:{key_code}:{value_code}{'[]' if 'r' in value_flags else ''}", flags
    if go_type in SCALARS:
        return SCALARS[go_type], flags
    if "." in go_type:
        alias, name = go_type.split(".", 1)
        owner = pkg.imports.get(alias, alias)
    else:
        owner, name = pkg.key, go_type
    full = f"{owner}.{name}"
    if full in SPECIAL:
        return SPECIAL[full], flags
    target = packages.get(owner)
    if target is None:
        if owner == "types":
            return "string", flags  # types.UID, types.NodeName
        raise ValueError(f"{pkg.key}: unknown type {go_type}")
    if name in target.structs:
        return f"msg:{full}", flags
    if name in target.named:
        code, more = resolve(target, target.named[name], packages)
        return code, flags + more
    raise ValueError(f"{pkg.key}: unknown type {go_type}")


def generate(api: Path, apimachinery: Path, ref: str) -> dict:
    packages: dict[str, Package] = {}
    files = subprocess.run(
        ["git", "-C", str(api), "ls-tree", "-r", "--name-only", ref],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for key in API_PACKAGES:
        sources = [
            read(api, ref, f)
            for f in files
            if f.startswith(f"{key}/")
            and f.count("/") == 2
            and f.endswith(".go")
            and not f.endswith("_test.go")
            and "generated" not in f
            and not f.startswith(f"{key}/zz_")
        ]
        packages[key] = Package(key, sources)
    meta = [
        read(apimachinery, ref, f"pkg/apis/meta/v1/{name}")
        for name in ("types.go", "time.go", "micro_time.go", "duration.go")
    ]
    packages["meta/v1"] = Package("meta/v1", meta)
    types: dict[str, list] = {}
    for key, pkg in packages.items():
        for name, fields in sorted(pkg.structs.items()):
            if f"{key}.{name}" in SPECIAL:
                continue  # decoded by hand (kapply/serve/protobuf.py)
            out = []
            for _field, go_type, tags in fields:
                proto = tag(tags, "protobuf")
                if not proto:
                    continue  # TypeMeta and other fields protobuf does not carry
                parts = proto.split(",")
                number = int(parts[1])
                json_tag = tag(tags, "json").split(",")
                code, flags = resolve(pkg, go_type, packages)
                json_name = json_tag[0]
                if json_name == "":
                    flags += "i"  # embedded with `json:",inline"`: its fields are the parent's
                if "omitempty" in json_tag[1:]:
                    flags += "o"
                out.append([number, json_name, code, "".join(sorted(set(flags)))])
            if out:
                types[f"{key}.{name}"] = sorted(out)
    return {"types": types}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=Path, required=True, help="a git checkout of k8s.io/api")
    parser.add_argument(
        "--apimachinery", type=Path, required=True, help="a git checkout of k8s.io/apimachinery"
    )
    parser.add_argument("--ref", default="v0.34.9", help="the tag of both checkouts (default v0.34.9)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    table = generate(args.api, args.apimachinery, args.ref)
    data = json.dumps(table, separators=(",", ":"), sort_keys=True).encode()
    args.out.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"{args.out}: {len(table['types'])} messages, {len(data)} bytes of JSON")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
