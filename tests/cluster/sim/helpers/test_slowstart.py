"""Pacing arithmetic of the replica manager: slowStartBatch and the client's token bucket."""

from __future__ import annotations

import pytest

from kapply.cluster.sim.helpers import slowstart
from kapply.cluster.sim.helpers.slowstart import refill_seconds, slow_start_batch, step_size


class Limited:
    """The upstream test's fn: fails every call after the first `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit, self.calls = limit, 0

    def __call__(self) -> Exception | None:
        self.calls += 1
        return ValueError("fake error") if self.calls > self.limit else None


# pkg/controller/replicaset/replica_set_test.go TestSlowStartBatch, then kapply's own cases.
@pytest.mark.parametrize(("count", "limit", "successes", "failed", "calls"), [
    (10, 0, 0, True, 1),     # callLimit = 0 (all fail): called once
    (10, 10, 10, False, 10),  # callLimit = count (all succeed): 1 + 2 + 4 + 3
    (10, 5, 5, True, 7),     # callLimit < count (some succeed): 1 + 2 + 4, the third batch fails
    (0, 0, 0, False, 0),     # nothing to do: no call
    (500, 500, 500, False, 500),  # a full burst: 1 + 2 + ... + 256 + 245
    (30, 1, 1, True, 3),     # the second batch (2 calls) completes although its first call failed
])
def test_slow_start_batch(count: int, limit: int, successes: int, failed: bool, calls: int) -> None:
    fn = Limited(limit)
    done, error = slow_start_batch(count, 1, fn)
    assert (done, error is not None, fn.calls) == (successes, failed, calls)


def test_slow_start_batch_returns_the_first_failure() -> None:
    errors = iter([None, ValueError("first"), ValueError("second")])
    assert slow_start_batch(3, 1, lambda: next(errors))[1].args == ("first",)  # type: ignore[union-attr]


@pytest.mark.parametrize(("diff", "step"), [
    (0, 0), (1, 1), (29, 29), (30, 30), (31, 30), (5000, 30), (1_000_000_000, 30),
])
def test_step_is_what_a_full_client_bucket_lets_through(diff: int, step: int) -> None:
    assert step_size(diff) == step


def test_step_never_exceeds_the_burst_replicas() -> None:
    assert step_size(10**9) <= slowstart.BURST_REPLICAS


@pytest.mark.parametrize(("requests", "seconds"), [(30, 1.5), (20, 1.0), (1, 0.05)])
def test_refill_at_the_controller_managers_qps(requests: int, seconds: float) -> None:
    assert refill_seconds(requests) == pytest.approx(seconds)
