"""Map a function over items on every core, in order, so the output is identical to a serial run.

Workers are forked after the site is assembled, so they share it without pickling it; only the items
and the results cross between processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from salvo.progress import progress

MIN_ITEMS = 48
_task: Callable[[Any], Any] | None = None


def _run(item: Any) -> Any:
    """Run the task the parent set before forking."""
    assert _task is not None
    return _task(item)


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent and end at once on SIGTERM, whatever handlers the parent set."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parallel_map(task: Callable[[Any], Any], items: Sequence[Any], what: str) -> list[Any]:
    """[task(i) for i in items], spread over forked workers when there is enough work to pay for them; on a
    terminal, a line says how far `what` has got once it takes more than a second."""
    return list(parallel_results(task, items, what))


def parallel_results(task: Callable[[Any], Any], items: Sequence[Any], what: str) -> Iterator[Any]:
    """task(i) for each of the items in order, as parallel_map, each yielded as soon as it is there (so that the
    caller can write it and let it go)."""
    global _task
    count = workers()
    if len(items) < MIN_ITEMS or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (task(item) for item in progress(items, what))
        return
    _task = task
    # Frozen objects are never scanned by the collector, so the workers do not copy the parent's memory by
    # touching it (copy-on-write) nor spend time walking it.
    gc.freeze()
    try:
        # An executor, not a Pool: a worker that dies raises BrokenProcessPool instead of hanging the build.
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_worker_signals) as pool:
            results = pool.map(_run, items, chunksize=max(1, min(len(items) // (count * 4), 64)))  # forks, submits
            try:
                yield from progress(results, what, total=len(items))
            except BaseException:  # the caller failed or stopped asking: the build has failed
                pool.shutdown(cancel_futures=True)  # what has not started never will
                raise
    finally:
        _task = None
        gc.unfreeze()
