"""YAML as `kubectl get -o yaml` prints it (sigs.k8s.io/yaml, which is go-yaml v2 underneath).

go-yaml v2 sorts map keys naturally (`a2` before `a10`, see `natural_key`), writes a string
unquoted when it reads back as a string, double-quotes one that would read back as something
else (`"9797"`, `"true"`, `""`, a timestamp such as `"2026-11-28T09:19:38Z"`, `"12:30"`), writes
a multi-line string as a literal block (`|`, `|-`), and leaves the rest to its emitter, a port of
libyaml: single quotes where a plain scalar cannot be written (`'*/5 * * * *'`, `': x'`), lines
folded at 80 columns, sequences not indented under their key. PyYAML's emitter is a port of
libyaml too, so it is driven here with go-yaml's choices of style and key order.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

from kapply.load.syntax import STR, plain_tag
from kapply.model.jsonpath import go_float

_TIMESTAMPS = (
    re.compile(r"\d{4}-\d{1,2}-\d{1,2}\Z"),
    re.compile(r"\d{4}-\d{1,2}-\d{1,2}[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?(?:Z|[+-]\d{1,2}:\d{2})\Z"),
    re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?\Z"),
)
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")


def reads_as_string(text: str) -> bool:
    """Whether go-yaml v2 would read `text`, unquoted, back as this string."""
    if plain_tag(text) != STR or _BASE60.match(text):
        return False
    return not any(p.match(text) for p in _TIMESTAMPS)


def natural_key(text: str) -> list[tuple[int, Any]]:
    """go-yaml v2's key order (sorter.go): runs of digits compare as numbers, letters after others."""
    out: list[tuple[int, Any]] = []
    for run in re.finditer(r"\d+|.", text, re.DOTALL):
        part = run.group()
        if part.isdigit():
            out.append((1, (int(part), len(part))))
        elif unicodedata.category(part).startswith("L"):
            out.append((2, part))
        else:
            out.append((0, part))
    return out


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            if value in ("true", "false"):
                return "tag:yaml.org,2002:bool"
            if value == "null":
                return "tag:yaml.org,2002:null"
            tag = plain_tag(value)
            if tag != STR:
                return tag
        return super().resolve(kind, value, implicit)


class _Dumper(yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.BaseRepresenter,
              _Resolver):
    def __init__(self, stream: Any, **kwargs: Any) -> None:
        yaml.emitter.Emitter.__init__(self, stream, indent=2, width=80, allow_unicode=True)
        yaml.serializer.Serializer.__init__(self)
        yaml.representer.BaseRepresenter.__init__(self, default_flow_style=False, sort_keys=False)
        _Resolver.__init__(self)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # go-yaml writes every value where it is, never an anchor


def _string(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else (None if reads_as_string(value) else '"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _mapping(dumper: _Dumper, value: dict[Any, Any]) -> yaml.MappingNode:
    items = sorted(value.items(), key=lambda kv: natural_key(str(kv[0])))
    return dumper.represent_mapping("tag:yaml.org,2002:map", items)


def _float(dumper: _Dumper, value: float) -> yaml.ScalarNode:
    text = go_float(value)
    text = {"NaN": ".nan", "+Inf": ".inf", "-Inf": "-.inf"}.get(text, text)
    return dumper.represent_scalar(plain_tag(text), text)  # 2.0 is written `2`, as Go formats it


_Dumper.add_representer(str, _string)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v))
_Dumper.add_representer(bool, lambda d, v: d.represent_scalar("tag:yaml.org,2002:bool", str(v).lower()))
_Dumper.add_representer(int, lambda d, v: d.represent_scalar("tag:yaml.org,2002:int", str(v)))
_Dumper.add_representer(float, _float)
_Dumper.add_representer(type(None), lambda d, v: d.represent_scalar("tag:yaml.org,2002:null", "null"))


def dump(value: Any) -> str:
    """`value` (decoded JSON) as kubectl prints it with `-o yaml`."""
    return yaml.dump(value, Dumper=_Dumper)
