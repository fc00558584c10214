"""Measuring what a step costs: the fastest wall time and the transient memory.

Used by the practice chapter and by ``benchmarks/step_cost.py``, so that both
measure the same way.

>>> import numpy as np
>>> from descent import SGD
>>> params, grads = {"w": np.zeros(1000)}, {"w": np.ones(1000)}
>>> step = lambda: SGD(lr=0.1).update(params, grads)
>>> best_time(step, repeat=3) > 0, transient_bytes(step) >= 8000   # lr * g: one temporary
(True, True)
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable

__all__ = ["best_time", "transient_bytes"]


def best_time(step: Callable[[], object], repeat: int = 5) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``step``, after one warm-up call.

    The warm-up call also lets an optimizer create its state, so that the timed
    calls measure steady-state steps. The minimum is the least disturbed run.
    """
    step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def transient_bytes(step: Callable[[], object]) -> int:
    """Peak bytes that one call of ``step`` allocates beyond what existed before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before
