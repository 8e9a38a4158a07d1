"""How a replica manager paces its pod creates and deletes on the virtual clock.

Kubernetes (pkg/controller/replicaset/replica_set.go, `manageReplicas`): one sync creates or
deletes at most `BurstReplicas` (500) pods. Creates go out in `slowStartBatch` batches of 1, 2,
4, ... (SlowStartInitialBatchSize 1, doubling after every batch that fully succeeded), so a
template every create fails for costs one request, not 500; deletes go out at once. Every
request passes kube-controller-manager's client rate limiter (client-go's token bucket,
`--kube-api-qps` 20 and `--kube-api-burst` 30 by default): 30 requests at once, then 20 a
second. With those defaults the limiter, not the 500, sets the pace: a burst of 500 creates
takes 23.5 s, during which the pods appear about 20 a second.

The simulation runs, at one virtual instant, the requests the client lets through then
(`step_size`: at most a full bucket), and continues `refill_seconds` later, when the bucket
is full again; until then the manager's expectations are unsatisfied and it only posts status.
So a command that asks for a billion replicas creates 30 pods, and catching up a minute creates
about 1,200: the work of a catch-up is proportional to the pods it makes, never to the count
asked for. Pure functions, tested with tables (upstream's TestSlowStartBatch among them).
"""

from __future__ import annotations

from collections.abc import Callable

BURST_REPLICAS = 500  # replica_set.go BurstReplicas: creates or deletes per sync
SLOW_START_INITIAL_BATCH_SIZE = 1  # controller_utils.go SlowStartInitialBatchSize
CLIENT_QPS = 20.0  # kube-controller-manager --kube-api-qps default
CLIENT_BURST = 30  # kube-controller-manager --kube-api-burst default


def slow_start_batch(count: int, initial_batch_size: int,
                     fn: Callable[[], Exception | None]) -> tuple[int, Exception | None]:
    """Call `fn` up to `count` times in batches of initial, 2x, 4x...; stop after a batch with a
    failure. Returns (successes, the first failure or None); `fn` returns its failure, if any.

    A batch's calls run concurrently in Kubernetes, so a failing batch still completes.
    """
    remaining, successes = count, 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        errors = [err for err in (fn() for _ in range(batch)) if err is not None]
        successes += batch - len(errors)
        if errors:
            return successes, errors[0]
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


def step_size(diff: int) -> int:
    """How many of `diff` needed creates (or deletes) run now: a burst, as far as the client's
    full token bucket lets it go."""
    return max(0, min(diff, BURST_REPLICAS, CLIENT_BURST))


def refill_seconds(requests: int) -> float:
    """Virtual seconds until the client's bucket has `requests` tokens back (the next step)."""
    return requests / CLIENT_QPS
