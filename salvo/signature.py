"""When a file is known unchanged without reading it: its signature, and when a signature can be trusted.

A file's signature is what git's index keeps: its size, inode, and modification and change times (the change
time moves on every write and rename, and no tool can set it back); a folder's changes too when a file is added
to it, removed or renamed. A signature shows a later change only if the
clock moved between the two: a file that changed again in the same clock tick as the signed change would keep its
signature. So a signature is trusted only for a file that last changed before a reference moment that came after
it: for the files a build reads, two seconds before the build began (file systems keep times as coarse as that);
for the files a build writes, the change time of a file written after them on the same file system (the output's
marker), by the file system's own clock, as git compares with its index's time.

Standard library only: the up-to-date stamp uses it before importing the rest of Salvo.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

SETTLED_NS = 2_000_000_000
# Size, inode, modification and change times (ns): a plain tuple, cheap to make, compare, pickle and load by the
# ten thousand.
Signature = tuple[int, int, int, int]


def signature_of(info: os.stat_result) -> Signature:
    """The signature in a stat result."""
    return info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns


def signature(path: str) -> Signature | None:
    """The signature of the file at the end of any links, or None if there is none."""
    try:
        return signature_of(os.stat(path))
    except OSError:
        return None


def settled(signed: Signature, before_ns: int) -> bool:
    """Whether the file last changed before this moment, so that any later change shows in its signature."""
    return signed[3] < before_ns


def signed_path(path: str, signed: Signature) -> str:
    """A path and its signature as one string, for digests and keys."""
    return f"{path}\0{signed[0]}\0{signed[1]}\0{signed[2]}\0{signed[3]}"


def folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder on the way to these relative paths, the top one ("") included: a file added to or removed from
    a folder changes the folder's signature."""
    folders = {""}
    for path in paths:
        while (path := path.rpartition("/")[0]) and path not in folders:
            folders.add(path)
    return folders


def two_seconds_ago() -> int:
    """The reference moment for files a build reads: signatures of files that changed after it are not trusted."""
    return time.time_ns() - SETTLED_NS
