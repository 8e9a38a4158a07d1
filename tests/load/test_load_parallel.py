"""Chunked parallel map: order, balance, and surviving a dead worker."""

from __future__ import annotations

import os

import pytest

from kapply.load.parallel import map_chunks, split_by_size


@pytest.mark.parametrize(
    "sizes, count, expected",
    [
        ([1] * 8, 4, [[0, 1], [2, 3], [4, 5], [6, 7]]),
        ([10, 1, 1, 1, 1, 1], 2, [[0], [1, 2, 3, 4, 5]]),
        ([1, 1, 1], 8, [[0], [1], [2]]),
        ([5], 3, [[0]]),
        ([], 3, []),
        ([0, 0, 0], 2, [[0, 1], [2]]),
    ],
)
def test_split_by_size(sizes: list[int], count: int, expected: list[list[int]]) -> None:
    assert split_by_size(list(range(len(sizes))), sizes, count) == expected


def _square_with_pid(chunk: list[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in chunk]


def test_results_come_back_in_chunk_order_from_several_processes() -> None:
    chunks = [list(range(i * 50, (i + 1) * 50)) for i in range(16)]
    results = map_chunks(_square_with_pid, chunks, 2)
    assert [value for value, _ in results] == [n * n for n in range(800)]


def _die_in_workers(chunk: list[int], parent: int = os.getpid()) -> list[int]:
    if os.getpid() != parent:
        os._exit(3)  # a worker killed mid-chunk
    return [n + 1 for n in chunk]


def test_a_dead_worker_loses_no_chunk() -> None:
    chunks = [[i] for i in range(10)]
    assert map_chunks(_die_in_workers, chunks, 3) == [i + 1 for i in range(10)]


def _fail_in_workers(chunk: list[int], parent: int = os.getpid()) -> list[int]:
    if os.getpid() != parent:
        raise ValueError("worker trouble")
    return chunk


def test_a_failing_worker_loses_no_chunk() -> None:
    chunks = [[i] for i in range(6)]
    assert map_chunks(_fail_in_workers, chunks, 2) == list(range(6))
