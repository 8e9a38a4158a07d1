"""Every field of the example manifests, set to every wrong type: a diagnostic, never a crash.

Each value of manifests/ (and of a sample of ../shared/corpus, when present) is replaced in turn by
a string, an int, a negative int, a float, a bool, null, a list, a map, a 5000-digit int, 2^63 and
`1e999999`, and the result goes through `kapply validate` in-process and through the embedded API
server's admission (a server-side dry run). Neither may fail with an internal error or take more
than `typefuzz.TIME_BOUND`; a refusal names file, line, column and a field path near the value
(see typefuzz.py). The exhaustive run over the whole corpus and a coverage-guided campaign are in
tests/bench/fuzz_validate.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from typefuzz import CORPUS, REPO, Admission, cases, check_case, check_text, manifest_documents, yaml_text

CORPUS_SAMPLE = 4  # documents of the corpus, spread over it
CORPUS_CASE_STRIDE = 7  # of their cases, every 7th (the bench runs them all)


@pytest.fixture(scope="module")
def admission(tmp_path_factory: pytest.TempPathFactory) -> Admission:
    return Admission(tmp_path_factory.mktemp("fuzz-home"))


def test_the_originals_are_valid(admission: Admission) -> None:
    for source, doc in manifest_documents(REPO / "manifests"):
        assert check_text(source, yaml_text(doc), admission) == []
        assert admission.cluster.create(doc, dry_run=True)["metadata"]["uid"]  # admission ran through
        assert admission.cluster.apply(doc, field_manager="kapply", dry_run=True)["kind"] == doc["kind"]


def test_every_field_of_the_example_manifests(admission: Admission) -> None:
    docs = manifest_documents(REPO / "manifests")
    assert {d["kind"] for _, d in docs} == {"Deployment", "Service"}
    failures = {case.name: problems for source, doc in docs for case in cases(source, doc)
                if (problems := check_case(case, admission))}
    assert failures == {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_a_sample_of_the_corpus(admission: Admission) -> None:
    docs = manifest_documents(CORPUS)
    sample = docs[:: max(1, len(docs) // CORPUS_SAMPLE)][:CORPUS_SAMPLE]
    failures = {}
    for source, doc in sample:
        for case in list(cases(source, doc))[::CORPUS_CASE_STRIDE]:
            if problems := check_case(case, admission):
                failures[case.name] = problems
    assert failures == {}
