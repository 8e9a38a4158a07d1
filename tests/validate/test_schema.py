"""Schema validation: verdicts, Kubernetes-style messages and paths, unknown kinds, CRD folders,
the compiled-code cache, and agreement of the fast path with the reference `jsonschema`."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.errors import UsageError
from kapply.validate.schema import SchemaIssue, SchemaValidator, format_path
from kapply.validate.schema_compile import fast_path_schema
from kapply.validate.schema_store import find_version_dir, version_key

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> SchemaValidator:
    return SchemaValidator(cache_dir=tmp_path_factory.mktemp("cache"))


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [{
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": 1}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                    }],
                },
            },
        },
    }


def service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
                 "ports": [{"port": 8080, "targetPort": 3000, "protocol": "TCP"}]},
    }


def pod() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox",
                                                               "command": ["sh", "-c", "true"]}]}}


def replication_controller() -> dict[str, Any]:
    template = pod()
    del template["apiVersion"], template["kind"]
    template["metadata"] = {"labels": {"app": "rc"}}
    template["spec"]["restartPolicy"] = "Always"
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
            "spec": {"replicas": 2, "selector": {"app": "rc"}, "template": template}}


def configmap() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "prod"},
            "data": {"settings.json": "{}"}, "binaryData": {"blob": "aGVsbG8="}}


VALID = [deployment, service, pod, replication_controller, configmap]


@pytest.mark.parametrize("make", VALID, ids=lambda f: f.__name__)
def test_valid_objects_have_no_issues(validator: SchemaValidator, make: Any) -> None:
    assert validator.validate(make()) == []


def _with(make: Any, path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    obj = make()
    target = obj
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


_DELETE = object()
CONTAINER = ("spec", "template", "spec", "containers", 0)


@pytest.mark.parametrize(
    ("obj", "path", "message"),
    [
        (_with(deployment, ("spec", "replicas"), "three"), ("spec", "replicas"),
         'Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
        (_with(deployment, ("spec", "replicas"), True), ("spec", "replicas"),
         'Invalid value: "boolean": spec.replicas in body must be of type integer: "boolean"'),
        (_with(deployment, ("spec", "replicas"), 2.5), ("spec", "replicas"),
         'Invalid value: "number": spec.replicas in body must be of type integer: "number"'),
        (_with(deployment, (*CONTAINER, "imagePullPolice"), "Always"), (*CONTAINER, "imagePullPolice"),
         'unknown field "spec.template.spec.containers[0].imagePullPolice"'),
        (_with(deployment, ("spec", "template", "spec", "containers", 0, "ports", 0, "hostPortt"), 1),
         (*CONTAINER, "ports", 0, "hostPortt"),
         'unknown field "spec.template.spec.containers[0].ports[0].hostPortt"'),
        (_with(deployment, ("spec", "replicaz"), 1), ("spec", "replicaz"), 'unknown field "spec.replicaz"'),
        (_with(deployment, ("statuz",), {}), ("statuz",), 'unknown field "statuz"'),
        (_with(deployment, (*CONTAINER, "name"), _DELETE), (*CONTAINER, "name"), "Required value"),
        (_with(deployment, ("spec", "selector"), _DELETE), ("spec", "selector"), "Required value"),
        (_with(service, ("spec", "ports", 0, "port"), _DELETE), ("spec", "ports", 0, "port"),
         "Required value"),
        (_with(service, ("spec", "ports", 0, "targetPort"), [3000]), ("spec", "ports", 0, "targetPort"),
         'Invalid value: "array": spec.ports[0].targetPort in body must be of type string or integer: '
         '"array"'),
        (_with(deployment, ("spec", "strategy", "rollingUpdate", "maxSurge"), None),
         ("spec", "strategy", "rollingUpdate", "maxSurge"),
         'Invalid value: "null": spec.strategy.rollingUpdate.maxSurge in body must be of type string or '
         'integer: "null"'),
        (_with(deployment, (*CONTAINER, "resources", "limits", "cpu"), {"cores": 1}),
         (*CONTAINER, "resources", "limits", "cpu"),
         'Invalid value: "object": spec.template.spec.containers[0].resources.limits.cpu in body must be of '
         'type string or number: "object"'),
        (_with(deployment, ("metadata", "labels", "app.kubernetes.io/name"), 7),
         ("metadata", "labels", "app.kubernetes.io/name"),
         'Invalid value: "integer": metadata.labels[app.kubernetes.io/name] in body must be of type string: '
         '"integer"'),
        (_with(configmap, ("data",), ["a"]), ("data",),
         'Invalid value: "array": data in body must be of type object: "array"'),
        (_with(service, ("kind",), "service"), ("kind",),
         'Unsupported value: "service": supported values: "Service"'),
        (_with(pod, ("apiVersion",), _DELETE), ("apiVersion",), "Required value: apiVersion not set"),
        (_with(pod, ("kind",), ""), ("kind",), "Required value: kind not set"),
        (_with(pod, ("kind",), 5), ("kind",),
         'Invalid value: "integer": kind in body must be of type string: "integer"'),
        (["not", "an", "object"], (), 'Invalid value: "array": body must be of type object: "array"'),
    ],
)
def test_invalid_objects_report_kubernetes_messages(
    validator: SchemaValidator, obj: Any, path: tuple[str | int, ...], message: str
) -> None:
    assert validator.validate(obj) == [SchemaIssue(path, message, "schema")]


def test_every_error_is_reported_not_only_the_first(validator: SchemaValidator) -> None:
    obj = deployment()
    obj["spec"]["replicas"] = "3"
    obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolice"] = "Always"
    obj["spec"]["template"]["spec"]["containers"].append({"image": "sidecar"})
    paths = {issue.path for issue in validator.validate(obj)}
    assert paths == {("spec", "replicas"), (*CONTAINER, "imagePullPolice"),
                     ("spec", "template", "spec", "containers", 1, "name")}


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "message"),
    [
        ("example.com/v1", "Foo", ("kind",),
         'no schema for kind "Foo" in apiVersion "example.com/v1" (Kubernetes 1.34)'),
        ("extensions/v1beta1", "Deployment", ("apiVersion",),
         'no schema for kind "Deployment" in apiVersion "extensions/v1beta1": Kubernetes 1.34 does not serve '
         "Deployment in extensions/v1beta1; it is served as apps/v1"),
        ("extensions/v1beta1", "Ingress", ("apiVersion",),
         'no schema for kind "Ingress" in apiVersion "extensions/v1beta1": Kubernetes 1.34 does not serve '
         "Ingress in extensions/v1beta1; it is served as networking.k8s.io/v1"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", ("apiVersion",),
         'no schema for kind "HorizontalPodAutoscaler" in apiVersion "autoscaling/v2beta2": Kubernetes 1.34 '
         "does not serve HorizontalPodAutoscaler in autoscaling/v2beta2; it is served as autoscaling/v2, "
         "autoscaling/v1"),
        ("policy/v1beta1", "PodSecurityPolicy", ("kind",),
         'no schema for kind "PodSecurityPolicy" in apiVersion "policy/v1beta1" (Kubernetes 1.34)'),
    ],
)
def test_unknown_kind_or_api_version_is_named(
    validator: SchemaValidator, api_version: str, kind: str, path: tuple[str, ...], message: str
) -> None:
    assert not validator.has_schema(api_version, kind)
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    assert validator.validate(obj) == [SchemaIssue(path, message, "unknown-kind")]


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("apps/v1", "Deployment"), ("v1", "Service"), ("batch/v1", "CronJob"),
     ("networking.k8s.io/v1", "Ingress"),
     ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
     ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("policy/v1", "PodDisruptionBudget")],
)
def test_built_in_kinds_have_schemas(validator: SchemaValidator, api_version: str, kind: str) -> None:
    assert validator.has_schema(api_version, kind)


def test_malformed_type_meta_has_no_schema(validator: SchemaValidator) -> None:
    assert not validator.has_schema(1, "Pod")  # type: ignore[arg-type]
    assert not validator.has_schema("v1", None)  # type: ignore[arg-type]


def test_request_envelopes_are_not_manifest_kinds(validator: SchemaValidator) -> None:
    assert not validator.has_schema("apps/v1", "DeleteOptions")
    assert not validator.has_schema("extensions/v1beta1", "WatchEvent")


# --- user schema folders (CRDs) -------------------------------------------------------------

CRONTAB_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["spec"],
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "cronSpec": {"type": "string", "pattern": "^(\\S+ ){4}\\S+$"},
                "replicas": {"type": "integer", "minimum": 1},
            },
        },
    },
}


def crontab(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
            "spec": spec or {"cronSpec": "* * * * */5", "replicas": 1}}


@pytest.mark.parametrize(
    "relative",
    ["stable.example.com/crontab_v1.json", "crontab-stable-v1.json", "crontab-stable.example.com-v1.json",
     "crontab_v1.json"],
)
def test_schema_dir_layouts(tmp_path: Path, relative: str) -> None:
    target = tmp_path / "schemas" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(CRONTAB_SCHEMA))
    validator = SchemaValidator(extra_dirs=[tmp_path / "schemas"], cache_dir=tmp_path / "cache")
    assert validator.has_schema("stable.example.com/v1", "CronTab")
    assert validator.validate(crontab()) == []


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ({"cronSpec": "* * * * */5", "replicaz": 1}, ("spec", "replicaz"), 'unknown field "spec.replicaz"'),
        ({"replicas": 0}, ("spec", "replicas"),
         "Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
        ({"cronSpec": "daily"}, ("spec", "cronSpec"),
         "Invalid value: \"daily\": spec.cronSpec in body should match '^(\\S+ ){4}\\S+$'"),
        ({"replicas": "1"}, ("spec", "replicas"),
         'Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
    ],
)
def test_schema_dir_errors(tmp_path: Path, spec: dict[str, Any], path: tuple[str, ...], message: str) -> None:
    (tmp_path / "crontab_v1.json").write_text(json.dumps(CRONTAB_SCHEMA))
    validator = SchemaValidator(extra_dirs=[tmp_path], cache_dir=tmp_path / "cache")
    assert validator.validate(crontab(**spec)) == [SchemaIssue(path, message, "schema")]


def test_schema_dir_overrides_and_extends_built_ins(tmp_path: Path) -> None:
    (tmp_path / "configmap-v1.json").write_text(json.dumps({"type": "object", "required": ["immutable"]}))
    validator = SchemaValidator(extra_dirs=[tmp_path], cache_dir=tmp_path / "cache")
    assert validator.validate(configmap()) == [SchemaIssue(("immutable",), "Required value", "schema")]
    assert validator.validate(pod()) == []  # other kinds still use the built-in schemas


def test_missing_schema_dir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        SchemaValidator(extra_dirs=[tmp_path / "nope"])


def test_broken_schema_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "crontab_v1.json").write_text("{not json")
    validator = SchemaValidator(extra_dirs=[tmp_path], cache_dir=tmp_path / "cache")
    with pytest.raises(UsageError, match="cannot read schema"):
        validator.validate(crontab())


def test_schema_with_a_broken_pattern_is_a_usage_error(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "string", "pattern": "(["}}}
    (tmp_path / "crontab_v1.json").write_text(json.dumps(schema))
    validator = SchemaValidator(extra_dirs=[tmp_path], cache_dir=tmp_path / "cache")
    with pytest.raises(UsageError, match=r"invalid schema .*crontab_v1.json: .*pattern"):
        validator.validate(crontab())


@pytest.mark.parametrize("ref", ["https://example.com/defs.json#/definitions/x", "_definitions.json#/x"])
def test_schema_dir_references_are_never_fetched(tmp_path: Path, ref: str) -> None:
    schema = {"type": "object", "properties": {"spec": {"$ref": ref}}}
    (tmp_path / "crontab_v1.json").write_text(json.dumps(schema))
    validator = SchemaValidator(extra_dirs=[tmp_path], cache_dir=tmp_path / "cache")
    with pytest.raises(UsageError, match="which kapply does not fetch"):
        validator.validate(crontab())


def test_unsupported_kubernetes_version_lists_available() -> None:
    with pytest.raises(UsageError, match=r"no schemas for Kubernetes 1\.9; available: .*1\.34"):
        SchemaValidator("1.9")


def test_kapply_schemas_env_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "schemas" / "v1.34", tmp_path / "v1.34")
    monkeypatch.setenv("KAPPLY_SCHEMAS", str(tmp_path))
    assert find_version_dir("v1.34") == tmp_path / "v1.34"


@pytest.mark.parametrize("layout", ["pip-target", "prefix"])
def test_installed_data_files_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    import kapply.validate.schema_store as store

    site_dir = tmp_path / "site"
    monkeypatch.setattr(store, "__file__", str(site_dir / "kapply" / "validate" / "schema_store.py"))
    monkeypatch.delenv("KAPPLY_SCHEMAS", raising=False)
    prefix = site_dir if layout == "pip-target" else tmp_path / "prefix"
    if layout == "prefix":
        monkeypatch.setattr(sys, "prefix", str(prefix))
    shutil.copytree(REPO / "schemas" / "v1.34", prefix / "share" / "kapply" / "schemas" / "v1.34")
    assert find_version_dir("1.34") == prefix / "share" / "kapply" / "schemas" / "v1.34"


# --- compiled-code cache --------------------------------------------------------------------


def test_cache_is_written_reused_and_survives_corruption(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = _with(pod, ("spec", "containers", 0, "image"), 1)
    assert SchemaValidator(cache_dir=cache).validate(pod()) == []
    entries = list(cache.glob("*.marshal"))
    assert len(entries) == 1
    entries[0].write_bytes(b"garbage")
    fresh = SchemaValidator(cache_dir=cache)
    assert fresh.validate(pod()) == []
    assert [i.path for i in fresh.validate(bad)] == [("spec", "containers", 0, "image")]
    assert entries[0].read_bytes() != b"garbage"  # rewritten


def test_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert SchemaValidator(cache_dir=blocker / "cache").validate(service()) == []
    assert SchemaValidator(use_cache=False).validate(service()) == []


# --- fast path and reference agree ------------------------------------------------------------


def _leaves(obj: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.extend(_leaves(value, (*prefix, key)))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            out.extend(_leaves(value, (*prefix, index)))
    return out


ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False),
                       st.text(max_size=5), st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.sampled_from(["name", "x", "port"]), st.integers(), max_size=2))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_path_agrees_with_jsonschema(validator: SchemaValidator, data: st.DataObject) -> None:
    obj = data.draw(st.sampled_from(VALID))()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_leaves(obj)))
        parent = obj
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(ODD_VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "name", "spec", "ports"]))] = data.draw(ODD_VALUES)
    if not isinstance(obj.get("apiVersion"), str) or not isinstance(obj.get("kind"), str):
        return
    ref = validator.resolve(obj["apiVersion"], obj["kind"])
    if ref is None:
        return
    snapshot = copy.deepcopy(obj)
    try:
        validator._fast_check(ref)(obj)
        fast_ok = True
    except Exception:
        fast_ok = False
    reference_ok = not list(validator._reference_validator(ref).iter_errors(obj))
    assert fast_ok == reference_ok
    assert (validator.validate(obj) == []) == reference_ok
    assert obj == snapshot  # validation never mutates (no defaults filled in)


ONE_OFS = [
    [{"type": ["string", "null"]}, {"type": ["integer", "null"]}],  # int-or-string
    [{"type": ["string", "null"]}, {"type": ["number", "null"]}],  # quantity
    [{"type": "integer"}, {"type": "number"}],
    [{"type": "string"}, {"type": "string"}],
    [{"type": "boolean"}, {"type": ["array", "object"]}],
    [{"type": "string", "minLength": 2}, {"type": "integer"}],
]
SAMPLE_VALUES = [None, True, 0, 3, 3.0, 2.5, "", "25%", [], [1], {}, {"a": 1}]


@pytest.mark.parametrize("branches", ONE_OFS)
def test_fast_path_rewrite_of_one_of_keeps_every_verdict(branches: list[dict[str, Any]]) -> None:
    import jsonschema

    original = {"oneOf": branches}
    rewritten = fast_path_schema(original)
    for value in SAMPLE_VALUES:
        expected = jsonschema.Draft202012Validator(original).is_valid(value)
        assert jsonschema.Draft202012Validator(rewritten).is_valid(value) == expected, value


def test_fast_path_rewrites_int_or_string_to_a_type_list() -> None:
    assert fast_path_schema({"oneOf": ONE_OFS[0]}) == {"type": ["integer", "string"]}
    assert fast_path_schema({"oneOf": ONE_OFS[2]}) == {"oneOf": ONE_OFS[2]}  # "number, not integer"


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [((), ""), (("spec", "replicas"), "spec.replicas"),
     (("spec", "template", "spec", "containers", 0, "image"), "spec.template.spec.containers[0].image"),
     (("metadata", "labels", "app.kubernetes.io/name"), "metadata.labels[app.kubernetes.io/name]"),
     (("data", "settings.json"), "data[settings.json]")],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_version_priority_prefers_ga_then_newest() -> None:
    versions = ["v1beta1", "v2", "v1", "v1alpha1", "v2beta2", "v1beta2"]
    assert sorted(versions, key=version_key, reverse=True) == ["v2", "v1", "v2beta2", "v1beta2", "v1beta1",
                                                              "v1alpha1"]


def test_importing_the_schema_module_stays_light() -> None:
    code = ("import sys, kapply.validate.schema; "
            "print(sorted(m for m in ('jsonschema', 'fastjsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_generated_schemas_are_reproducible(tmp_path: Path) -> None:
    pytest.importorskip("kubernetes_validate")
    script = REPO / "scripts" / "gen_schemas.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    for name in ("definitions.json", "kinds.json"):
        assert (tmp_path / name).read_bytes() == (REPO / "schemas" / "v1.34" / name).read_bytes()
