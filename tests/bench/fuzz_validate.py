"""Coverage-guided fuzzing of `kapply validate` and the embedded API server's admission.

Each input drives a structured mutation of a real manifest (manifests/ and ../shared/corpus): one
to four changes, each replacing a value (by a string, a boundary int, a float, a bool, null, a list,
a map, a subtree from elsewhere in the document, or a raw YAML token such as a 5000-digit int or
`1e999999`) or deleting it; sometimes a few raw characters are spliced into the YAML text. The text
goes through loading and validation in-process and, when it loads, through a server-side dry run of
the embedded cluster (`tests/validate/typefuzz.py` says what counts as a failure: an internal
error, a case over the time bound, a refusal without position or field). Failures are recorded by
signature, not raised, so the campaign runs its whole budget.

The engine is atheris (libFuzzer, coverage of the kapply package; `pip install -e '.[fuzz]'`);
without it the same target runs under hypothesis with a large example budget, uninstrumented.

`--engine types` runs instead the exhaustive form of tests/validate/test_fuzz_types.py: every wrong
type in every field of every document of manifests/ and the corpus (about 77,000 cases).

Prints one JSON line: engine, executions, seconds, exec/s, distinct crashes (0 is the pass) and
their signatures. Run: .venv/bin/python tests/bench/fuzz_validate.py [--seconds 300] [--engine E]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "validate"))

INTERESTING_STRINGS = [
    "", "0", "-1", "1e999999", "1e-999999", "100m", "1.5Gi", "9Ei", "0.1", "1e3", "a=b", "x in ()",
    "true", "null", "0x1F", "0755", "1_000", ".inf", "12:30", "2024-01-01", "*", "-", "%", "50%", "101%",
    "TCP", "None", "Always", "a" * 64, "a" * 254, "A_B", "-a-", "a--b", "::1", "127.0.0.1", "/", "..",
    "9" * 30, "é", "\t", "a b", "k8s.io/x", "app.kubernetes.io/name",
]
INTERESTING_INTS = [0, 1, -1, 2, 10, 80, 65535, 65536, 30000, 32767, 32768, 2**31 - 1, 2**31, -(2**31),
                    -(2**31) - 1, 2**32, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), 2**64 - 1]
INTERESTING_FLOATS = [0.5, 1.5, -0.0, 1e-7, 3e9, 1e20, 1e21, 1e300, 2.0, float("inf"), float("nan")]


class Raw(str):
    """A YAML token written as it is (a number too long for JSON, a tag, an exponent)."""


class Chooser:
    """The decisions a mutation takes, from the fuzzer's bytes (libFuzzer's FuzzedDataProvider)."""

    def __init__(self, provider: Any) -> None:
        self.p = provider

    def int_in(self, low: int, high: int) -> int:
        return int(self.p.ConsumeIntInRange(low, high))

    def boolean(self) -> bool:
        return bool(self.p.ConsumeBool())

    def text(self, size: int) -> str:
        return str(self.p.ConsumeUnicodeNoSurrogates(size))

    def pick(self, values: list[Any]) -> Any:
        return values[self.int_in(0, len(values) - 1)]


class BytesProvider:
    """FuzzedDataProvider's few methods over plain bytes, for the hypothesis fallback."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def ConsumeIntInRange(self, low: int, high: int) -> int:  # libFuzzer's names
        span = high - low
        value = 0
        for _ in range((span.bit_length() + 7) // 8):
            value = value << 8 | self._byte()
        return low + (value % (span + 1) if span else 0)

    def ConsumeBool(self) -> bool:
        return bool(self._byte() & 1)

    def ConsumeUnicodeNoSurrogates(self, size: int) -> str:
        return "".join(chr(self.ConsumeIntInRange(32, 0x2FF)) for _ in range(self.ConsumeIntInRange(0, size)))


def _scalar(c: Chooser) -> Any:
    kind = c.int_in(0, 5)
    if kind == 0:
        return c.pick(INTERESTING_STRINGS) if c.boolean() else c.text(24)
    if kind == 1:
        return c.pick(INTERESTING_INTS) if c.boolean() else c.int_in(-(2**40), 2**40)
    if kind == 2:
        return c.pick(INTERESTING_FLOATS)
    if kind == 3:
        return c.boolean()
    if kind == 4:
        return None
    return _raw(c)


def _raw(c: Chooser) -> Raw:
    kind = c.int_in(0, 6)
    if kind == 0:
        return Raw("9" * c.int_in(1, 6000))
    if kind == 1:
        return Raw(f"1e{c.pick([999999, -999999, 2147483647, 2147483648, 4294967296, 400, 20])}")
    if kind == 2:
        return Raw(c.pick([".nan", ".inf", "-.inf", "0o777", "0x7fffffffffffffff", "0b101", "1_000", "~"]))
    if kind == 3:
        return Raw(f"!!int {'9' * c.int_in(1, 5000)}")
    if kind == 4:
        return Raw(c.pick(["!!binary aGVsbG8=", "!!str 5", "!!float 1", "!!bool yes", "!!null ''"]))
    if kind == 5:
        return Raw(f"-0.{'0' * c.int_in(0, 40)}1")
    return Raw(c.pick(["y", "n", "on", "off", "yes", "NO", "12:30:00"]))


def _value(c: Chooser, doc: dict[str, Any], paths: list[tuple[str | int, ...]]) -> Any:
    kind = c.int_in(0, 4)
    if kind == 0:
        return _scalar(c)
    if kind == 1:
        return [] if c.boolean() else [_scalar(c) if c.boolean() else _subtree(c, doc, paths)]
    if kind == 2:
        return {} if c.boolean() else {c.pick(["name", "a", "port", "", "spec"]): _scalar(c)}
    return _subtree(c, doc, paths)  # a realistic structure in the wrong place


def _subtree(c: Chooser, doc: dict[str, Any], paths: list[tuple[str | int, ...]]) -> Any:
    value: Any = doc
    for element in c.pick(paths):
        value = value[element]
    return copy.deepcopy(value)


def mutate(c: Chooser, docs: list[dict[str, Any]]) -> str:
    """One mutated manifest, as YAML text."""
    from typefuzz import field_paths

    doc = copy.deepcopy(c.pick(docs))
    for _ in range(c.int_in(1, 4)):
        paths = list(field_paths(doc))
        if not paths:
            break
        path = c.pick(paths)
        parent: Any = doc
        for element in path[:-1]:
            parent = parent[element]
        if c.int_in(0, 9) == 0:
            del parent[path[-1]]
        else:
            parent[path[-1]] = _value(c, doc, paths)
    text = _to_yaml(doc)
    if c.int_in(0, 15) == 0:
        at = c.int_in(0, len(text))
        text = text[:at] + c.text(8) + text[at:]
    return text


def _to_yaml(doc: Any) -> str:
    raws: list[str] = []

    def encode(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(str(value))
            return f"\0raw{len(raws) - 1}\0"
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        return value

    text = json.dumps(encode(doc), indent=2, ensure_ascii=False, default=str)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\0raw{i}\0"), raw)
    return text


def _documents() -> list[dict[str, Any]]:
    from typefuzz import CORPUS, REPO, manifest_documents

    docs = [d for _, d in manifest_documents(REPO / "manifests")]
    if CORPUS.is_dir():
        docs += [d for _, d in manifest_documents(CORPUS)]
    return docs


def _signature(problem: str) -> str:
    """What makes two failures the same: where an internal error happened, which check failed."""
    if "internal error" in problem:
        return ": ".join(problem.split(": ")[:3])
    if " took " in problem:
        return problem.split(" took ")[0] + " over the time bound"
    return problem.split(": ")[0]


class Target:
    """The function the engine calls per input; failures go to `crash_file`, one JSON line each."""

    def __init__(self, crash_file: Path, home: Path) -> None:
        from typefuzz import Admission

        self.docs = _documents()
        self.admission = Admission(home)
        self.crash_file = crash_file
        self.seen: set[str] = set()
        self.executions = 0

    def __call__(self, provider: Any) -> None:
        from typefuzz import check_text

        self.executions += 1
        text = mutate(Chooser(provider), self.docs)
        for problem in check_text("fuzz.yaml", text, self.admission):
            signature = _signature(problem)
            if signature not in self.seen:
                self.seen.add(signature)
                with self.crash_file.open("a") as out:
                    out.write(json.dumps({"signature": signature, "problem": problem[:500],
                                          "input": text[:4000]}) + "\n")


def _child(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["kapply"]):
        import kapply.cluster.sim.admission
        import kapply.cluster.sim.api
        import kapply.cluster.sim.defaults
        import kapply.load.construct
        import kapply.load.parse
        import kapply.model.quantity
        import kapply.model.selector_parse
        import kapply.validate.accepted
        import kapply.validate.decoding
        import kapply.validate.pipeline
        import kapply.validate.rules
        import kapply.validate.schema
        import kapply.validate.schema_messages  # noqa: F401

    target = Target(Path(os.environ["FUZZ_CRASHES"]), Path(os.environ["FUZZ_HOME"]))
    atheris.Setup(argv, lambda data: target(atheris.FuzzedDataProvider(data)))
    atheris.Fuzz()


def _crashes(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _run_atheris(seconds: int, work: Path) -> dict[str, Any]:
    crash_file = work / "crashes.jsonl"
    env = {**os.environ, "FUZZ_CRASHES": str(crash_file), "FUZZ_HOME": str(work / "home")}
    (work / "home").mkdir()
    (work / "inputs").mkdir()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(work / "inputs"), f"-max_total_time={seconds}",
         "-timeout=20", "-rss_limit_mb=3072", "-print_final_stats=1", "-close_fd_mask=1"],
        env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", proc.stderr)
    crashes = _crashes(crash_file)
    if proc.returncode != 0:  # libFuzzer stopped on a timeout, an out-of-memory or a real crash
        tail = proc.stderr.strip().splitlines()[-12:]
        crashes.append({"signature": f"engine stopped (exit {proc.returncode})", "problem": "\n".join(tail)})
    executions = int(runs.group(1)) if runs else 0
    coverage = re.findall(r"cov: (\d+)", proc.stderr)
    return {"engine": "atheris", "executions": executions, "seconds": round(wall, 1),
            "exec_per_s": round(executions / wall, 1) if wall else 0.0,
            "coverage_edges": int(coverage[-1]) if coverage else None,
            "distinct_crashes": len(crashes), "crashes": [c["signature"] for c in crashes]}


def _run_hypothesis(seconds: int, work: Path) -> dict[str, Any]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    (work / "home").mkdir()
    target = Target(work / "crashes.jsonl", work / "home")
    deadline = time.perf_counter() + seconds

    @settings(max_examples=10**9, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=512))
    def run(data: bytes) -> None:
        if time.perf_counter() > deadline:
            raise TimeoutError
        target(BytesProvider(data))

    start = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        run()
    wall = time.perf_counter() - start
    crashes = _crashes(work / "crashes.jsonl")
    return {"engine": "hypothesis", "executions": target.executions, "seconds": round(wall, 1),
            "exec_per_s": round(target.executions / wall, 1) if wall else 0.0, "coverage_edges": None,
            "distinct_crashes": len(crashes), "crashes": [c["signature"] for c in crashes]}


def _run_types(work: Path) -> dict[str, Any]:
    """The exhaustive variant of tests/validate/test_fuzz_types.py: every field of every document."""
    from typefuzz import CORPUS, REPO, Admission, cases, check_case, manifest_documents

    (work / "home").mkdir()
    admission = Admission(work / "home")
    docs = manifest_documents(REPO / "manifests") + (manifest_documents(CORPUS) if CORPUS.is_dir() else [])
    start, count, failures = time.perf_counter(), 0, {}
    for source, doc in docs:
        for case in cases(source, doc):
            count += 1
            if problems := check_case(case, admission):
                failures[case.name] = problems
    wall = time.perf_counter() - start
    return {"engine": "type-substitution", "documents": len(docs), "executions": count,
            "seconds": round(wall, 1), "exec_per_s": round(count / wall, 1) if wall else 0.0,
            "distinct_crashes": len({_signature(p) for ps in failures.values() for p in ps}),
            "crashes": sorted(failures)[:20]}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child([sys.argv[0], *sys.argv[2:]])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="fuzzing budget (default 300)")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis", "types"], default="auto",
                        help="types: every wrong type in every field of every document, no budget")
    args = parser.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if engine == "types":
            result = _run_types(work)
        else:
            result = (_run_atheris if engine == "atheris" else _run_hypothesis)(args.seconds, work)
        if result["distinct_crashes"]:
            kept = HERE / "fuzz_validate_crashes.jsonl"
            source = work / "crashes.jsonl"
            if source.exists():
                kept.write_text(source.read_text())
                result["details"] = str(kept)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
