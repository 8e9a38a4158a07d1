"""Go tabwriter alignment: the spacing of every `kubectl describe` page depends on it."""

from __future__ import annotations

import pytest

from kapply.cli.printers.tabwriter import align


@pytest.mark.parametrize(("text", "expected"), [
    ("a:\tb\nlonger:\tc\n", "a:       b\nlonger:  c\n"),
    # a line without a tab ends the column block: IP aligns with Controlled By, not with Name
    ("Name:\tx\nIPs:\n  IP:\t10.244.0.2\nControlled By:\tReplicaSet/web\n",
     "Name:  x\nIPs:\n  IP:           10.244.0.2\nControlled By:  ReplicaSet/web\n"),
    # an empty cell still takes the padding (describe node's `Name\t\tCPU Requests`)
    ("Name\t\tAge\nweb\t\t5s\n", "Name    Age\nweb     5s\n"),
    # the text after the last tab is never padded, trailing spaces are kept
    ("  Type\tStatus\n  Ready \tTrue \n", "  Type    Status\n  Ready   True \n"),
    # nested blocks: the second column only spans lines that have one
    ("Port:\t<unset>\t80/TCP\nTargetPort:\t8080/TCP\n",
     "Port:        <unset>  80/TCP\nTargetPort:  8080/TCP\n"),
    ("no tabs at all\n", "no tabs at all\n"),
    ("", ""),
])
def test_align_like_go_tabwriter(text: str, expected: str) -> None:
    assert align(text) == expected


def test_minimum_width_and_padding_of_kubectl_tables() -> None:
    assert align("A\tBB\nC\tD\n", minwidth=6, padding=3) == "A     BB\nC     D\n"
    assert align("LAST SEEN\tTYPE\n5s\tNormal\n", minwidth=6, padding=3) == \
        "LAST SEEN   TYPE\n5s          Normal\n"
