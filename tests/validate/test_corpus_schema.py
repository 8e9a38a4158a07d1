"""Real-world check: our schema verdict on every document of `../shared/corpus` equals the official
Kubernetes 1.34 strict schemas' verdict recorded in its `verdicts.json`.

`valid` documents must have no issue, `invalid` ones must have schema issues at the places the
official validator names, `no-schema` ones exactly one `unknown-kind` issue naming kind and
apiVersion, and `not-a-manifest` ones must be told they lack apiVersion and kind. Skipped where
the corpus is absent (a user's machine); `yaml-error` files are the loader's business.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from kapply.validate.schema import SchemaValidator

CORPUS = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "corpus"

if not (CORPUS / "verdicts.json").is_file():
    pytest.skip("the shared corpus is not present", allow_module_level=True)

VERDICTS: list[dict[str, Any]] = json.loads((CORPUS / "verdicts.json").read_text())
CHECKED = [e for e in VERDICTS if e["verdict"] in ("valid", "invalid", "no-schema", "not-a-manifest")]


@cache
def documents(file: str) -> list[Any]:
    return list(yaml.safe_load_all((CORPUS / file).read_text()))


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> SchemaValidator:
    return SchemaValidator(cache_dir=tmp_path_factory.mktemp("cache"))


def test_corpus_covers_every_verdict() -> None:
    verdicts = {e["verdict"] for e in CHECKED}
    assert verdicts == {"valid", "invalid", "no-schema", "not-a-manifest"}


@pytest.mark.parametrize("entry", CHECKED, ids=[f"{e['file']}#{e['doc']}" for e in CHECKED])
def test_schema_verdict_matches_official(validator: SchemaValidator, entry: dict[str, Any]) -> None:
    obj = documents(entry["file"])[entry["doc"]]
    issues = validator.validate(obj)
    verdict = entry["verdict"]
    ref = validator.resolve(obj.get("apiVersion"), obj.get("kind"))
    if ref is not None:  # the fast path and the reference implementation agree on real documents
        reference_ok = not list(validator._reference_validator(ref).iter_errors(obj))
        assert reference_ok == (verdict == "valid")
    if verdict == "valid":
        assert issues == []
    elif verdict == "invalid":
        assert issues and {i.rule for i in issues} == {"schema"}
        for official in entry["errors"]:
            where = tuple(int(p) if p.isdigit() else p for p in official["path"].split("/") if p)
            assert any(i.path[: len(where)] == where for i in issues), (official, issues)
    elif verdict == "no-schema":
        assert len(issues) == 1 and issues[0].rule == "unknown-kind"
        assert f'kind "{entry["kind"]}"' in issues[0].message
        assert f'apiVersion "{entry["apiVersion"]}"' in issues[0].message
    else:
        assert {i.path for i in issues} == {("apiVersion",), ("kind",)}


def test_verdicts_hold_for_documents_loaded_by_kapply(validator: SchemaValidator) -> None:
    """The same verdicts when kapply's own loader (positions, strict YAML) builds the objects.

    Documents it refuses to load (duplicate keys, which Kubernetes' strict decoding rejects too)
    are the loader's findings and are not compared here.
    """
    loader = pytest.importorskip("kapply.load.loader")
    by_place = {(e["file"], e["doc"]): e["verdict"] for e in VERDICTS}
    compared = 0
    for document in loader.load_paths([str(CORPUS)]).documents:
        place = (Path(document.file).resolve().relative_to(CORPUS.resolve()).as_posix(), document.doc_index)
        verdict = by_place.get(place)
        if document.item_index is not None or verdict not in ("valid", "invalid", "no-schema"):
            continue
        issues = validator.validate(document.obj)
        mine = "valid" if not issues else "no-schema" if issues[0].rule == "unknown-kind" else "invalid"
        assert mine == verdict, (place, issues)
        compared += 1
    assert compared >= len([e for e in CHECKED if e["verdict"] != "not-a-manifest"]) - 10
