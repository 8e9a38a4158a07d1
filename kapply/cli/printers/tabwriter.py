"""Go's `text/tabwriter`, the aligner behind `kubectl describe` and `kubectl events`.

kubectl writes tab-separated cells and lets tabwriter align them. The alignment is not per table
but per *column block*: consecutive lines that have a tab-terminated cell in column i share one
width for it, and a line with fewer cells ends the block. That is why `IPs:` (no tab) separates
`IP:` from the lines above it in `describe pod`, and why `Events:  <none>` lines up with
`Tolerations:`. Reproducing the algorithm (writer.go's `format`) reproduces kubectl's spacing,
including its trailing spaces. Cells are tab-terminated; the text after a line's last tab is
never padded.
"""

from __future__ import annotations


def align(text: str, minwidth: int = 0, padding: int = 2) -> str:
    """Align tab-separated text as tabwriter.NewWriter(out, minwidth, 8, padding, ' ', 0) would."""
    ends_with_newline = text.endswith("\n")
    raw = text[:-1] if ends_with_newline else text
    lines = [line.split("\t") for line in raw.split("\n")]
    out: list[str] = []
    _format(lines, 0, len(lines), [], minwidth, padding, out)
    result = "\n".join(out)
    return result + "\n" if ends_with_newline else result


def _format(lines: list[list[str]], line0: int, line1: int, widths: list[int], minwidth: int,
            padding: int, out: list[str]) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write(lines, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, [*widths, width], minwidth, padding, out)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]) -> None:
    for cells in lines[line0:line1]:
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell.ljust(widths[j]) if j < len(widths) else cell)
        out.append("".join(parts))
