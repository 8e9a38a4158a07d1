"""Running one function over chunks of work on several cores, results in chunk order.

Used by `loader` to parse many files at once. The work is split into contiguous chunks; this
process takes chunks from the front while forked workers take them from the back, each claiming
the next chunk under a shared lock, so a worker slowed by a busy machine simply ends up doing
fewer chunks instead of holding everyone up (a fixed split was slower than no split at all when
the other core was taken). Workers send their results back pickled in one message at the end.

A worker that dies or fails loses nothing: whatever chunk has no result is done here afterwards
(where a real error then surfaces normally). Fork only: the workers inherit the chunks and the
function, so nothing but results crosses a pipe.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def split_by_size(items: Sequence[T], sizes: Sequence[int], count: int) -> list[list[T]]:
    """At most `count` contiguous, non-empty chunks of about equal total size."""
    total = sum(sizes)
    if total == 0:
        sizes, total = [1] * len(items), len(items)
    chunks: list[list[T]] = [[]]
    unit = total / max(count, 1)
    filled = 0
    for item, size in zip(items, sizes, strict=True):
        if chunks[-1] and filled >= unit * len(chunks) and len(chunks) < count:
            chunks.append([])
        chunks[-1].append(item)
        filled += size
    return [chunk for chunk in chunks if chunk]


def _claim(bounds: Any, from_front: bool) -> int | None:
    with bounds.get_lock():
        front, back = bounds[0], bounds[1]
        if front >= back:
            return None
        if from_front:
            bounds[0] = front + 1
            return front
        bounds[1] = back - 1
        return back - 1


def _serve(
    work: Callable[[list[T]], list[R]], chunks: list[list[T]], bounds: Any, sender: Connection
) -> None:
    done: dict[int, list[R]] = {}
    try:
        while (index := _claim(bounds, from_front=False)) is not None:
            done[index] = work(chunks[index])
    except Exception:
        pass  # the parent redoes the unfinished chunk, and reports the error itself
    try:
        sender.send_bytes(pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        sender.close()


def map_chunks(work: Callable[[list[T]], list[R]], chunks: list[list[T]], processes: int) -> list[R]:
    """`work` over every chunk, on up to `processes` processes; results concatenated in order.

    Raises OSError only if not even one worker process could be started.
    """
    context = multiprocessing.get_context("fork")
    bounds = context.Array("i", [0, len(chunks)])
    workers: list[tuple[Any, Connection]] = []
    for _ in range(processes - 1):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_serve, args=(work, chunks, bounds, sender), daemon=True)
        try:
            process.start()
        except OSError:
            receiver.close()
            sender.close()
            if not workers:
                raise
            break
        sender.close()
        workers.append((process, receiver))
    done: dict[int, list[R]] = {}
    while (index := _claim(bounds, from_front=True)) is not None:
        done[index] = work(chunks[index])
    for process, receiver in workers:
        try:
            done.update(pickle.loads(receiver.recv_bytes()))
        except (EOFError, OSError, pickle.UnpicklingError):
            pass  # the worker died: its chunks are done below
        finally:
            receiver.close()
            process.join()
    results: list[R] = []
    for index, chunk in enumerate(chunks):
        results.extend(done[index] if index in done else work(chunk))
    return results
