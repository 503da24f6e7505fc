"""A progress line for long work, on a terminal only: output to a file or a pipe (a log, CI) stays plain."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
AFTER = 1.0  # seconds of work before a line is shown: quick runs print nothing extra
EVERY = 0.1  # seconds between updates of the line


def progress(items: Iterable[T], what: str, stream: TextIO | None = None, after: float = AFTER,
             total: int | None = None) -> Iterator[T]:
    """Yield the items; on a terminal, once `after` seconds have passed, keep one line `what: n of total (p%)`
    up to date, and erase it when done. `total` is how many there are, when `items` cannot say."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield from items
        return
    total, shown = len(items) if total is None else total, False  # type: ignore[arg-type]
    due = time.monotonic() + after
    try:
        for done, item in enumerate(items):
            if time.monotonic() >= due:
                stream.write(f"\r{what}: {done:,} of {total:,} ({done * 100 // max(total, 1)}%)\x1b[K")
                stream.flush()
                due, shown = time.monotonic() + EVERY, True
            yield item
    finally:
        if shown:
            stream.write("\r\x1b[K")  # back to the start of an empty line, for what is printed next
            stream.flush()
