"""The kubelet's pod state machine, driven from timer to timer like the runtime does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.helpers.podstatus import (
    Timings,
    backoff,
    go_duration,
    pull_attempt,
    step_pod,
)

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
FAST = Timings(pod_startup=2.0, image_pull=0.0)


@pytest.mark.parametrize(("n", "seconds"),
                         [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 300), (40, 300)])
def test_backoff_doubles_to_five_minutes(n: int, seconds: float) -> None:
    assert backoff(n) == seconds


@pytest.mark.parametrize(("now", "expected"), [
    (0, (1, 0, 10)), (9, (1, 0, 10)), (10, (2, 10, 30)), (29, (2, 10, 30)), (30, (3, 30, 70)),
    (310, (6, 310, 610)), (609, (6, 310, 610)), (610, (7, 610, 910)), (3000, (14, 2710, 3010)),
])
def test_pull_attempts_from_the_first_failure(now: float, expected: tuple[int, float, float]) -> None:
    assert pull_attempt(0, now) == expected


@pytest.mark.parametrize(("seconds", "text"), [(1.2, "1.2s"), (2, "2s"), (0.523, "523ms"), (10, "10s"),
                                                (80, "1m20s"), (300, "5m0s"), (0, "0s")])
def test_go_durations(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def _pod(image: str = "hello-node:v1", readiness: int | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "hello-node", "image": image}
    if readiness is not None:
        container["readinessProbe"] = {"httpGet": {"port": 3000}, "initialDelaySeconds": readiness}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-abc", "namespace": "default", "uid": "u-1"},
            "spec": {"nodeName": "minikube", "containers": [container]},
            "status": {"phase": "Pending"}}


class Driver:
    """Runs step_pod at each due time, as the runtime's timers would."""

    def __init__(self, pod: dict[str, Any], faults: dict[str, Any] | None = None,
                 timings: Timings = FAST) -> None:
        self.pod, self.faults, self.timings = pod, faults or {}, timings
        self.events: list[tuple[float, str, str]] = []
        self.due: float | None = T0
        self.now = T0

    def step(self, now: float | None = None) -> dict[str, Any]:
        self.now = self.due if now is None else now
        assert self.now is not None
        status, self.due, events, _ = step_pod(self.pod, self.now, self.timings, self.faults, "192.168.49.2",
                                            "10.244.0.2")
        self.pod = dict(self.pod, status=status)
        self.events += [(self.now - T0, reason, message) for _, reason, message in events]
        return status

    def container(self) -> dict[str, Any]:
        return self.pod["status"]["containerStatuses"][0]

    def condition(self, type_: str) -> str:
        return next(c["status"] for c in self.pod["status"]["conditions"] if c["type"] == type_)


def test_healthy_pod_creates_then_runs_and_is_ready() -> None:
    d = Driver(_pod())
    status = d.step()
    assert status["phase"] == "Pending"
    assert d.container()["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert status["podIP"] == "10.244.0.2" and status["hostIP"] == "192.168.49.2"
    assert status["startTime"] == "2026-01-01T00:00:00Z"
    assert d.condition("Ready") == "False" and d.condition("PodScheduled") == "True"
    assert d.due == T0 + 2
    status = d.step()
    assert status["phase"] == "Running"
    assert d.container()["ready"] is True and d.container()["state"]["running"]
    assert d.condition("Ready") == "True" and d.condition("ContainersReady") == "True"
    assert d.due is None
    assert [e[1:] for e in d.events] == [
        ("Pulling", 'Pulling image "hello-node:v1"'),
        ("Pulled", 'Successfully pulled image "hello-node:v1" in 2s (2s including waiting). Image size: '
                   f"{d.events[1][2].split('Image size: ')[1]}"),
        ("Created", "Created container: hello-node"),
        ("Started", "Started container hello-node"),
    ]
    again, due, events, pulled = step_pod(d.pod, T0 + 100, FAST, {}, "192.168.49.2", "10.244.0.2")
    assert (again, due, events, pulled) == (d.pod["status"], None, [], [])  # level-triggered: nothing more


def test_readiness_waits_for_initial_delay() -> None:
    d = Driver(_pod(readiness=5), timings=Timings(pod_startup=1.0, image_pull=2.0))
    d.step()
    d.step()
    assert d.now == T0 + 3 and d.pod["status"]["phase"] == "Running"
    assert d.condition("Ready") == "False" and d.due == T0 + 8
    msg = next(c["message"] for c in d.pod["status"]["conditions"] if c["type"] == "Ready")
    assert msg == "containers with unready status: [hello-node]"
    d.step()
    assert d.condition("Ready") == "True"


def test_err_image_pull_backs_off_and_recovers_at_the_next_attempt() -> None:
    faults = {"hello-node:v1": {"reason": "ErrImagePull"}}
    d = Driver(_pod(), faults)
    d.step()
    d.step()
    assert d.container()["state"]["waiting"]["reason"] == "ErrImagePull"
    assert d.pod["status"]["phase"] == "Pending"
    d.step()
    assert d.now == T0 + 3
    assert d.container()["state"]["waiting"]["reason"] == "ImagePullBackOff"
    assert d.container()["state"]["waiting"]["message"].startswith('Back-off pulling image "hello-node:v1"')
    assert d.due == T0 + 12  # first attempt at +2, back-off 10s
    d.step()
    assert d.container()["state"]["waiting"]["reason"] == "ErrImagePull"
    d.step()
    assert d.due == T0 + 32  # second back-off 20s
    reasons = [e[1] for e in d.events]
    assert reasons == ["Pulling", "Failed", "Failed", "BackOff", "Failed",
                       "Pulling", "Failed", "Failed", "BackOff", "Failed"]
    assert ("BackOff", 'Back-off pulling image "hello-node:v1"') in [e[1:] for e in d.events]
    d.faults = {}  # kapply image ok: nothing changes before the next attempt...
    d.step(T0 + 20)
    assert d.container()["state"]["waiting"]["reason"] == "ImagePullBackOff"
    assert d.due == T0 + 32
    d.step()  # ...which succeeds
    assert d.container()["ready"] is True and d.pod["status"]["phase"] == "Running"
    assert d.container()["restartCount"] == 0


def test_crash_loop_restarts_with_growing_back_off() -> None:
    faults = {"hello-node:v1": {"reason": "CrashLoopBackOff"}}
    d = Driver(_pod(), faults)
    d.step()
    d.step()  # +2 started, never ready
    assert d.container()["state"]["running"] and d.container()["ready"] is False
    d.step()  # +3 crash 1: restarted at once
    assert d.container()["restartCount"] == 1 and d.container()["state"]["running"]
    assert d.container()["lastState"]["terminated"]["exitCode"] == 1
    d.step()  # +4 crash 2: back-off 10s
    assert d.now == T0 + 4
    waiting = d.container()["state"]["waiting"]
    assert waiting["reason"] == "CrashLoopBackOff"
    assert waiting["message"] == \
        "back-off 10s restarting failed container=hello-node pod=web-abc_default(u-1)"
    assert d.pod["status"]["phase"] == "Running"
    restarts = []
    for _ in range(10):
        d.step()
        if d.container()["state"].get("running"):
            restarts.append((d.now - T0, d.container()["restartCount"]))
    assert restarts[:4] == [(14, 2), (35, 3), (76, 4), (157, 5)]
    assert ("BackOff", "Back-off restarting failed container hello-node in pod web-abc_default(u-1)") in \
        [e[1:] for e in d.events]
    d.faults = {}  # image ok: the next restart stays up
    while not d.container()["state"].get("running"):
        d.step()
    assert d.container()["ready"] is True and d.due is None
    assert d.container()["restartCount"] == 7


@given(st.lists(st.tuples(st.floats(0, 400), st.sampled_from([None, "ErrImagePull", "CrashLoopBackOff"])),
                max_size=6),
       st.integers(0, 5), st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_state_machine_invariants_under_fault_toggles(toggles: list[tuple[float, str | None]], startup: int,
                                                      readiness: int) -> None:
    """Whatever faults come and go: time moves forward, restarts never go down, and without a fault
    the pod ends Running and ready within the back-off cap."""
    d = Driver(_pod(readiness=readiness), timings=Timings(pod_startup=float(startup), image_pull=0.0))
    schedule = sorted(((T0 + at, fault) for at, fault in toggles), key=lambda t: t[0])
    restarts = 0
    for _ in range(300):
        if schedule and (d.due is None or schedule[0][0] <= d.due):
            at, fault = schedule.pop(0)  # the fault changes; a spurious sync at that moment
            d.faults = {"hello-node:v1": {"reason": fault}} if fault else {}
            if at < d.now:
                continue
            before = d.now
            d.step(at)
        elif d.due is not None:
            before = d.now
            d.step()
        else:
            break
        assert d.now >= before
        assert d.container()["restartCount"] >= restarts
        restarts = d.container()["restartCount"]
        assert d.due is None or d.due > d.now
    if not d.faults:
        for _ in range(20):
            if d.due is None:
                break
            d.step()
        assert d.pod["status"]["phase"] == "Running" and d.container()["ready"] is True


def test_restart_policy_never_fails_the_pod_instead_of_restarting() -> None:
    pod = _pod()
    pod["spec"]["restartPolicy"] = "Never"
    d = Driver(pod, {"hello-node:v1": {"reason": "CrashLoopBackOff"}})
    d.step()
    d.step()
    d.step()  # crashes after a second and is not restarted
    state = d.container()["state"]
    assert state["terminated"]["exitCode"] == 1 and state["terminated"]["reason"] == "Error"
    assert d.container()["restartCount"] == 0 and d.container()["lastState"] == {}
    assert d.pod["status"]["phase"] == "Failed" and d.due is None


@pytest.mark.parametrize(("policy", "fault", "pulls"), [
    ("IfNotPresent", None, False),
    ("Always", None, True),
    ("IfNotPresent", "ErrImagePull", True),  # a failing image counts as gone from the node
])
def test_an_image_already_on_the_node_is_not_pulled(policy: str, fault: str | None, pulls: bool) -> None:
    pod = _pod()
    pod["spec"]["containers"][0]["imagePullPolicy"] = policy
    faults = {"hello-node:v1": {"reason": fault}} if fault else {}
    timings = Timings(pod_startup=2.0, image_pull=3.0)
    present = {"hello-node:v1"}
    first = step_pod(pod, T0, timings, faults, "192.168.49.2", "10.244.0.2", present)
    assert first.due == T0 + (5 if pulls else 2)
    assert [e[1] for e in first.events] == (["Pulling"] if pulls else [])
    pod = dict(pod, status=first.status)
    second = step_pod(pod, first.due, timings, faults, "192.168.49.2", "10.244.0.2", present)
    messages = [e[2] for e in second.events if e[1] == "Pulled"]
    if fault:
        assert second.status["containerStatuses"][0]["state"]["waiting"]["reason"] == "ErrImagePull"
    elif pulls:
        assert messages[0].startswith('Successfully pulled image "hello-node:v1" in 5s')
        assert second.pulled == ["hello-node:v1"]
    else:
        assert messages == ['Container image "hello-node:v1" already present on machine']
        assert second.pulled == [] and second.status["phase"] == "Running"
