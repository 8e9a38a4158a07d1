"""One API request as the handlers see it (`Call`), what they answer (`Reply`), and the
request options every write shares (dryRun, fieldManager, fieldValidation).

Handlers are plain functions run on the cluster thread: they get a `Call`, use the cluster only
through its protocol and abilities, and return a `Reply` whose body is already encoded, so the
event loop only moves bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from kapply.cluster.fieldmanager.apiserver import manager_from_user_agent
from kapply.serve.negotiate import Output
from kapply.serve.routing import Query, Target
from kapply.serve.status import ApiError, bad_request

Obj = dict[str, Any]
FIELD_VALIDATION = ("Ignore", "Warn", "Strict")


@dataclass
class Call:
    cluster: Any
    method: str
    target: Target
    query: Query
    output: Output
    body: bytes = b""
    content_type: str = ""
    user_agent: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def dry_run(self) -> bool:
        """`?dryRun=All`; any other value is the API server's 422."""
        values = [v for v in self.query.all("dryRun") if v]
        for value in values:
            if value != "All":
                raise ApiError(
                    422,
                    "Invalid",
                    f'{self._options_kind()}.meta.k8s.io "" is invalid: dryRun: '
                    f'Unsupported value: "{value}": supported values: "All"',
                    {
                        "group": "meta.k8s.io",
                        "kind": self._options_kind(),
                        "causes": [
                            {
                                "reason": "FieldValueNotSupported",
                                "field": "dryRun",
                                "message": f'Unsupported value: "{value}": supported values: "All"',
                            }
                        ],
                    },
                )
        return bool(values)

    def _options_kind(self) -> str:
        return {
            "POST": "CreateOptions",
            "PUT": "UpdateOptions",
            "PATCH": "PatchOptions",
            "DELETE": "DeleteOptions",
        }.get(self.method, "CreateOptions")

    @property
    def field_manager(self) -> str:
        """`?fieldManager=`, else the client's user agent before its first "/" (as the API server);
        the cluster checks it (length, printable characters)."""
        if self.query.has("fieldManager"):
            return self.query.get("fieldManager")
        return manager_from_user_agent(self.user_agent)

    @property
    def force(self) -> bool:
        """`?force=true`: an apply takes over conflicting fields."""
        return self.query.flag("force")

    @property
    def field_validation(self) -> str:
        """`?fieldValidation=Strict|Warn|Ignore` (the API server's default is Warn)."""
        value = self.query.get("fieldValidation") or "Warn"
        if value not in FIELD_VALIDATION:
            raise bad_request(
                f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", "Strict", "Warn"'
            )
        return value


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def encode(doc: Any, output: Output | None = None) -> bytes:
    """JSON (orjson) or YAML bytes of a document."""
    if output is not None and output.format == "yaml":
        import yaml

        return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False).encode()
    try:
        return orjson.dumps(doc)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(doc, separators=(",", ":")).encode()


def reply(status: int, doc: Any, output: Output | None = None, warnings: list[str] | None = None) -> Reply:
    headers = {}
    if warnings:
        headers["Warning"] = ", ".join(warning_header(w) for w in warnings)
    return Reply(status, encode(doc, output), output.content_type if output else "application/json", headers)


def warning_header(text: str) -> str:
    """An RFC 7234 warning as the API server sends it: `299 - "text"`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
