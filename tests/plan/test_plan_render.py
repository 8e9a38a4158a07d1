"""Rendering: a unified YAML diff of only what changes, and the JSON plan."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from kapply.model.keys import ResourceKey
from kapply.plan.inventory import Inventory, ownership_labels
from kapply.plan.plan import Plan, make_plan
from kapply.plan.render import render_json, render_text

INV = "manifests-1a2b3c4d"


def plan(desired: list[dict], live: dict | None = None, **kw: object) -> Plan:
    kw.setdefault("prune", False)
    return make_plan(desired, live or {}, kw.pop("inventory", None), inventory_id=INV, **kw)  # type: ignore


def live_after(p: Plan, cluster: Callable) -> dict:
    return {c.key: cluster(c.desired) for c in p.changes if c.desired is not None}


def test_update_shows_only_changed_lines_with_context(hello_deployment: dict, cluster: Callable) -> None:
    live = live_after(plan([hello_deployment]), cluster)
    hello_deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "hello-node:v2"
    text = render_text(plan([hello_deployment], live), colour=False)
    lines = text.splitlines()
    assert lines[0] == "--- live/Deployment/default/hello-node"
    assert lines[1] == "+++ desired/Deployment/default/hello-node"
    assert lines[2].startswith("@@ ")
    assert "-      - image: hello-node:v1" in lines and "+      - image: hello-node:v2" in lines
    changed = [line for line in lines[3:] if line[:1] in "+-"]
    assert changed == ["-      - image: hello-node:v1", "+      - image: hello-node:v2"]
    # server-set and defaulted fields are never shown, not even as context
    for noise in ("uid", "resourceVersion", "status", "imagePullPolicy", "revisionHistoryLimit",
                  "kapply.io/last-applied", "managed-by"):
        assert noise not in text
    assert lines[-1] == "Plan: 0 to create, 1 to update, 0 to replace, 0 to prune, 0 unchanged, 0 skipped."


def test_unchanged_objects_are_only_counted(hello_service: dict, cluster: Callable) -> None:
    live = live_after(plan([hello_service]), cluster)
    assert render_text(plan([hello_service], live), colour=False) == (
        "Plan: 0 to create, 0 to update, 0 to replace, 0 to prune, 1 unchanged, 0 skipped.\n")


def test_create_and_prune_diff_against_dev_null(configmap: dict) -> None:
    old = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "old", "namespace": "default", "labels": ownership_labels(INV),
                        "uid": "u1"}, "data": {"k": "v"}}
    key = ResourceKey.of(old)
    text = render_text(plan([configmap], {key: old}, prune=True, inventory=Inventory(INV, {key})),
                       colour=False)
    assert "--- /dev/null\n+++ desired/ConfigMap/default/settings\n" in text
    assert "+  mode: fast" in text
    assert "--- live/ConfigMap/default/old\n+++ /dev/null\n" in text
    assert "-  k: v" in text and "uid" not in text
    assert text.index("settings") < text.index("live/ConfigMap/default/old")


def test_skip_and_refused_lines(hello_deployment: dict, configmap: dict, cluster: Callable) -> None:
    foreign = cluster(copy.deepcopy(configmap))
    live = live_after(plan([hello_deployment]), cluster)
    live[ResourceKey.of(foreign)] = foreign
    hello_deployment["spec"]["selector"]["matchLabels"] = {"app": "x"}
    text = render_text(plan([hello_deployment, configmap], live), colour=False)
    assert ("configmap/settings -n default skipped: exists and is not managed by kapply "
            "(use --adopt to take it over)") in text
    assert 'error: The Deployment "hello-node" is invalid: spec.selector:' in text
    assert text.rstrip().endswith("1 skipped, 1 refused.")


def test_colour_only_when_asked(hello_deployment: dict, cluster: Callable) -> None:
    live = live_after(plan([hello_deployment]), cluster)
    hello_deployment["spec"]["replicas"] = 2
    p = plan([hello_deployment], live)
    plain, coloured = render_text(p, colour=False), render_text(p, colour=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m-  replicas: 1\x1b[0m" in coloured and "\x1b[32m+  replicas: 2\x1b[0m" in coloured


def test_bookkeeping_only_update_shows_the_annotation(hello_deployment: dict, cluster: Callable) -> None:
    live = live_after(plan([hello_deployment]), cluster)
    hello_deployment["spec"]["revisionHistoryLimit"] = 10
    text = render_text(plan([hello_deployment], live), colour=False)
    assert text.splitlines() == [
        "deployment.apps/hello-node -n default: no field changes; kapply's last-applied record is updated",
        "Plan: 0 to create, 1 to update, 0 to replace, 0 to prune, 0 unchanged, 0 skipped."]


def test_adoption_shows_the_ownership_labels(configmap: dict, cluster: Callable) -> None:
    foreign = cluster(copy.deepcopy(configmap))
    text = render_text(plan([configmap], {ResourceKey.of(foreign): foreign}, adopt=True), colour=False)
    assert "+    app.kubernetes.io/managed-by: kapply" in text
    assert f"+    kapply.io/inventory: {INV}" in text


def test_render_json_is_the_plan_json(hello_service: dict) -> None:
    p = plan([hello_service])
    assert json.loads(render_json(p)) == json.loads(json.dumps(p.to_json()))


def test_replace_is_announced(hello_deployment: dict, cluster: Callable) -> None:
    live = live_after(plan([hello_deployment]), cluster)
    hello_deployment["spec"]["selector"]["matchLabels"] = {"app": "x"}
    hello_deployment["spec"]["template"]["metadata"]["labels"] = {"app": "x"}
    text = render_text(plan([hello_deployment], live, force_replace=True), colour=False)
    assert "+      app: x" in text
    assert ("deployment.apps/hello-node -n default will be deleted and re-created "
            "(immutable field changed: spec.selector)") in text
    assert text.rstrip().endswith("0 to update, 1 to replace, 0 to prune, 0 unchanged, 0 skipped.")


def test_removing_a_user_annotation_is_a_field_change_not_bookkeeping(configmap: dict,
                                                                     cluster: Callable) -> None:
    configmap["metadata"]["annotations"] = {"team": "a"}
    live = live_after(plan([configmap]), cluster)
    del configmap["metadata"]["annotations"]
    text = render_text(plan([configmap], live), colour=False)
    assert "-    team: a" in text
    assert "no field changes" not in text


def test_secret_values_are_masked_as_kubectl_diff_masks_them(cluster: Callable) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "data": {"user": "YWRtaW4=", "password": "b2xk"}}
    live = live_after(plan([secret]), cluster)
    changed = copy.deepcopy(secret)
    changed["data"]["password"] = "bmV3"
    text = render_text(plan([changed], live), colour=False)
    assert "b2xk" not in text and "bmV3" not in text and "YWRtaW4=" not in text
    assert "-  password: '*** (before)'" in text and "+  password: '*** (after)'" in text
    created = render_text(plan([{**secret, "metadata": {"name": "t"}}], live), colour=False)
    assert "YWRtaW4=" not in created and "user: '***'" in created
