"""Field paths -> file positions: what a diagnostic's `file:line:col` points at."""

from __future__ import annotations

import pytest

from kapply.load.document import Document, Position, format_path
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    app.kubernetes.io/name: x
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args: [a, "b"]
        ports:
          - containerPort: 80
            name: http
      - name: side
        image: busybox
        env:
"""


def _documents(text: str, name: str = "app.yaml") -> list[Document]:
    documents, issues = parse_source(SourceText(name, text.encode()))
    assert issues == []
    return documents


C = ("spec", "template", "spec", "containers")


@pytest.mark.parametrize(
    "path, line, column",
    [
        ((), 1, 1),
        (("metadata", "name"), 4, 9),
        (("metadata", "labels"), 5, 3),  # a block mapping: its key
        (("metadata", "labels", "app.kubernetes.io/name"), 7, 29),
        (("spec", "replicas"), 9, 13),
        (("spec", "selector"), 10, 13),  # a flow mapping: where it is written
        (("spec", "selector", "matchLabels", "app"), 10, 33),
        ((*C, 0), 14, 9),  # a list item: after its dash
        ((*C, 0, "image"), 15, 16),
        ((*C, 0, "args", 1), 16, 19),
        ((*C, 0, "ports", 0, "containerPort"), 18, 28),
        ((*C, 1, "env"), 22, 9),  # an empty value: its key
        # absent paths fall back to the nearest ancestor that exists
        ((*C, 0, "resources", "limits", "cpu"), 14, 9),
        (("spec", "strategy", "type"), 8, 1),
        ((*C, 5, "image"), 13, 7),
        (("spec", "replicas", "deeper"), 9, 13),
        (("metadata", 0), 3, 1),
    ],
)
def test_position_of_field_path(path: tuple[str | int, ...], line: int, column: int) -> None:
    (document,) = _documents(DEPLOYMENT)
    assert document.position(path) == Position("app.yaml", line, column)


MULTI = """\
# leading comment
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
---
---
apiVersion: v1
kind: Service
metadata:
  name: two
spec:
  ports:
  - port: 80
"""


@pytest.mark.parametrize(
    "index, doc_index, path, line, column",
    [
        (0, 0, (), 2, 1),
        (0, 0, ("metadata", "name"), 4, 18),
        (1, 2, (), 7, 1),
        (1, 2, ("metadata", "name"), 10, 9),
        (1, 2, ("spec", "ports", 0, "port"), 13, 11),
    ],
)
def test_positions_in_multi_document_files(
    index: int, doc_index: int, path: tuple[str | int, ...], line: int, column: int
) -> None:
    documents = _documents(MULTI)
    assert len(documents) == 2  # the empty document between them is skipped
    assert documents[index].doc_index == doc_index
    assert documents[index].position(path) == Position("app.yaml", line, column)


LIST = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: first
- apiVersion: v1
  kind: Service
  metadata:
    name: second
  spec:
    ports: [{port: 80}]
"""


@pytest.mark.parametrize(
    "item, path, line, column",
    [
        (0, (), 4, 3),
        (0, ("metadata", "name"), 7, 11),
        (1, (), 8, 3),
        (1, ("kind",), 9, 9),
        (1, ("spec", "ports", 0, "port"), 13, 20),
        (1, ("spec", "missing"), 12, 3),
    ],
)
def test_positions_of_list_items_are_relative_to_the_item(
    item: int, path: tuple[str | int, ...], line: int, column: int
) -> None:
    documents = _documents(LIST)
    assert [d.obj["metadata"]["name"] for d in documents] == ["first", "second"]
    assert documents[item].item_index == item
    if path == ():
        assert (documents[item].line, documents[item].column) == (line, column)
    assert documents[item].position(path) == Position("app.yaml", line, column)


def test_position_through_a_merge_key_points_at_the_anchor() -> None:
    text = """\
base: &base
  image: nginx
  name: web
container:
  <<: *base
  name: override
"""
    (document,) = _documents(text)
    assert document.obj["container"] == {"image": "nginx", "name": "override"}
    assert document.position(("container", "image")) == Position("app.yaml", 2, 10)
    assert document.position(("container", "name")) == Position("app.yaml", 6, 9)


def test_position_in_json_file() -> None:
    text = (
        '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"spec": {\n'
        '\t\t"containers": [\n\t\t\t{"name": "a"}\n\t\t]\n\t}\n}\n'
    )
    (document,) = _documents(text, "pod.json")
    assert document.obj["spec"]["containers"] == [{"name": "a"}]
    assert document.position(("spec", "containers", 0, "name")) == Position("pod.json", 6, 13)


def test_position_without_source_is_the_document_start() -> None:
    document = Document({"kind": "Pod"}, "x.yaml", 0, None, 3, 1)
    assert document.position(("spec", "containers")) == Position("x.yaml", 3, 1)


def test_positions_stay_right_after_cache_eviction() -> None:
    files = [_documents(DEPLOYMENT, f"f{i}.yaml")[0] for i in range(10)]
    for _ in range(2):
        for document in files:
            assert document.position((*C, 0, "image")) == Position(document.file, 15, 16)


@pytest.mark.parametrize(
    "path, text",
    [
        (("spec", "containers", 0, "image"), "spec.containers[0].image"),
        ((), ""),
        ((0,), "[0]"),
        (("metadata", "labels", "app.kubernetes.io/name"), "metadata.labels[app.kubernetes.io/name]"),
        (("spec", "template", "metadata", "labels", "run"), "spec.template.metadata.labels.run"),
        (("data", "config.yaml"), "data[config.yaml]"),
        (("spec", "ports", 1, "nodePort"), "spec.ports[1].nodePort"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text
