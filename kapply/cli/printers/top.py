"""`kapply top pods|nodes` as kubectl prints them (kubectl pkg/metricsutil/metrics_printer.go).

CPU in millicores (`250m`), memory in MiB (`128Mi`), node percentages of allocatable
(`CPU(%)`, `MEMORY(%)`, truncated), nodes without metrics as `<unknown>`. Sorting is by name
(namespace first with -A) unless `--sort-by cpu|memory` (largest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kapply.cli.printers.tabwriter import align
from kapply.model.quantity import QuantityError, parse_quantity

Obj = dict[str, Any]
POD_COLUMNS = ("NAME", "CPU(cores)", "MEMORY(bytes)")
NODE_COLUMNS = ("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)")
SORT_KEYS = ("cpu", "memory")


def _milli(value: Any) -> int:
    try:
        amount = parse_quantity(value if value is not None else 0) * 1000
    except QuantityError:
        return 0
    return amount.numerator // amount.denominator


def _usage(usage: Obj) -> tuple[int, int]:
    """(millicores, bytes) of a usage map."""
    return _milli(usage.get("cpu")), _milli(usage.get("memory")) // 1000


def _cells(cpu: int, memory: int) -> list[str]:
    return [f"{cpu}m", f"{memory // (1024 * 1024)}Mi"]


def pod_rows(metrics: Sequence[Obj]) -> list[tuple[str, str, str, int, int]]:
    """(namespace, pod, container, cpu, memory) per container."""
    rows = []
    for m in metrics:
        for c in m.get("containers") or ():
            cpu, memory = _usage(c.get("usage") or {})
            rows.append((m["metadata"].get("namespace", ""), m["metadata"]["name"], str(c.get("name", "")),
                         cpu, memory))
    return rows


def print_pods(metrics: Sequence[Obj], containers: bool, with_namespace: bool, no_headers: bool,
               sort_by: str, total: bool) -> str:
    """PrintPodMetrics."""
    rows = pod_rows(metrics)
    lines: list[list[str]] = []
    if not no_headers:
        lines.append([*(["NAMESPACE"] if with_namespace else []), *(["POD"] if containers else []),
                      *POD_COLUMNS])
    pods: dict[tuple[str, str], list[int]] = {}
    for ns, pod, _, cpu, memory in rows:
        sums = pods.setdefault((ns, pod), [0, 0])
        sums[0] += cpu
        sums[1] += memory

    def order(key: tuple[str, str]) -> Any:
        cpu, memory = pods[key]
        if sort_by == "cpu":
            return (-cpu,)
        if sort_by == "memory":
            return (-memory,)
        return key if with_namespace else (key[1],)

    for key in sorted(pods, key=order):
        ns, pod = key
        prefix = [ns] if with_namespace else []
        if containers:
            mine = [r for r in rows if (r[0], r[1]) == key]
            index = {"cpu": 3, "memory": 4}.get(sort_by)
            mine.sort(key=lambda r, i=index: -r[i] if i is not None else r[2])
            for _, _, name, cpu, memory in mine:
                lines.append([*prefix, pod, name, *_cells(cpu, memory)])
        else:
            lines.append([*prefix, pod, *_cells(*pods[key])])
    if total:
        width = len(POD_COLUMNS) + int(with_namespace) + int(containers)
        lines.append([""] * (width - 2) + ["________", "________"])
        cpu = sum(v[0] for v in pods.values())
        memory = sum(v[1] for v in pods.values())
        lines.append([""] * (width - 3) + ["", *_cells(cpu, memory)])
    return _table(lines)


def print_nodes(metrics: Sequence[Obj], nodes: Sequence[Obj], no_headers: bool, sort_by: str) -> str:
    """PrintNodeMetrics: measured nodes sorted, then the unmeasured ones as `<unknown>`."""
    lines: list[list[str]] = [] if no_headers else [list(NODE_COLUMNS)]
    allocatable = {n["metadata"]["name"]: (n.get("status") or {}).get("allocatable") or {} for n in nodes}

    def order(m: Obj) -> Any:
        cpu, memory = _usage(m.get("usage") or {})
        return {"cpu": (-cpu,), "memory": (-memory,)}.get(sort_by, (m["metadata"]["name"],))

    measured = set()
    for m in sorted(metrics, key=order):
        name = m["metadata"]["name"]
        measured.add(name)
        cpu, memory = _usage(m.get("usage") or {})
        avail = allocatable.get(name, {})
        cells = [name, f"{cpu}m", _percent(cpu, _milli(avail.get("cpu"))),
                 f"{memory // (1024 * 1024)}Mi", _percent(memory, _milli(avail.get("memory")) // 1000)]
        lines.append(cells)
    for node in nodes:
        if node["metadata"]["name"] not in measured:
            lines.append([node["metadata"]["name"], *["<unknown>"] * 4])
    return _table(lines)


def _percent(used: int, available: int) -> str:
    return f"{int(used / available * 100) if available else 0}%"


def _table(lines: list[list[str]]) -> str:
    """printers.GetNewTabWriter (minwidth 6, padding 3): every cell ends in a tab, as kubectl
    writes them, so each line keeps its trailing padding."""
    return align("".join("".join(f"{cell}\t" for cell in line) + "\n" for line in lines), minwidth=6,
                 padding=3)
