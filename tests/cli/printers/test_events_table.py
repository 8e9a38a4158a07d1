"""The `kubectl events` table and the Events section of describe pages."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0, event

from kapply.cli.printers.describe.writer import PrefixWriter, describe_events, event_interval
from kapply.cli.printers.events import render_events

GOLDEN = Path(__file__).parent / "golden"


def _events() -> list[dict]:
    pulled = event("Pulled", "Successfully pulled image", "kubelet", at="2026-01-02T03:04:30Z", rv="12")
    created = event("SuccessfulCreate", "Created pod: web-1", "replicaset-controller", kind="ReplicaSet",
                    name="web-5f76cf6ccf", uid="rs", rv="8")
    scheduled = event("Scheduled", "Successfully assigned default/web-1 to minikube", "default-scheduler",
                      name="web-1", rv="9")
    backoff = event("BackOff", "Back-off pulling image \"web:v9\"", "kubelet", count=4, type_="Warning",
                    name="web-1", rv="20")
    return [pulled, backoff, scheduled, created]


def test_events_table_oldest_first_with_kind_as_written() -> None:
    table = render_events(_events(), NOW, all_namespaces=True)
    assert table == (GOLDEN / "events_all_namespaces.txt").read_text()
    lines = render_events(_events(), NOW).splitlines()
    assert lines[0] == ("LAST SEEN           TYPE      REASON             OBJECT"
                        "                            MESSAGE")
    assert [line.split()[0] for line in lines[1:]] == ["60s", "60s", "58s", "30s"]


def test_interval_of_repeated_events() -> None:
    assert event_interval(event("BackOff", "m", "kubelet", count=4), NOW) == "58s (x4 over 60s)"
    assert event_interval(event("Pulled", "m", "kubelet"), NOW) == "60s"
    series = event("Pulled", "m", "kubelet")
    series["series"] = {"count": 7, "lastObservedTime": "2026-01-02T03:04:50Z"}
    assert event_interval(series, NOW) == "10s (x7 over 60s)"


def test_describe_events_section() -> None:
    w = PrefixWriter()
    w.write(0, "Name:\tweb\n")
    describe_events(w, [], NOW)
    assert w.render() == "Name:    web\nEvents:  <none>\n"
    w = PrefixWriter()
    w.write(0, "A much longer label:\tx\n")
    describe_events(w, [event("Scheduled", "Successfully assigned default/x to minikube", "default-scheduler",
                              at=T0)], NOW)
    # the table is flushed apart from what precedes it: its columns do not follow the long label
    assert w.render() == (
        "A much longer label:  x\n"
        "Events:\n"
        "  Type    Reason     Age   From               Message\n"
        "  ----    ------     ----  ----               -------\n"
        "  Normal  Scheduled  60s   default-scheduler  Successfully assigned default/x to minikube\n")
