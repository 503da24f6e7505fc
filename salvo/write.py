"""The file map -> a folder built beside the output, then swapped in whole.

A failed or killed build never leaves a half-written site: the new folder is complete before one atomic
exchange puts it in place (renameat2 RENAME_EXCHANGE on Linux), and files of removed notes simply are not
in it. Nothing is written outside the destination: every path is checked first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from salvo.cache import digest
from salvo.errors import Problem, SiteError

MARKER = ".salvo-build"
MARKER_TEXT = "Written by Salvo. The whole folder is replaced on every build.\n"
TEMP_PREFIX = ".salvo-tmp-"
INPUT_FOLDERS = ("content", "templates", "static")
_RENAME_EXCHANGE = 2


def safe_relative(path: str) -> PurePosixPath:
    """An output path that stays inside the output folder, or ValueError."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or "\x00" in path or any(p in ("..", ".", "") for p in
                                                                                 path.split("/")):
        raise ValueError(f"unsafe output path {path!r}")
    return pure


def check_destination(source: Path, destination: Path) -> None:
    """Refuse a destination that holds the site's sources or a folder Salvo did not write."""
    source, destination = source.resolve(), destination.resolve()
    if source == destination or source.is_relative_to(destination):
        raise SiteError([Problem(str(destination), 1, "", "the destination contains the site's sources: "
                                 "choose a folder of its own, such as public/")])
    if destination.exists() and not destination.is_dir():
        raise SiteError([Problem(str(destination), 1, "", "the destination is a file, not a folder: "
                                 "choose a folder of its own, such as public/")])
    for name in INPUT_FOLDERS:
        if destination.is_relative_to(source / name):
            raise SiteError([Problem(str(destination), 1, "", f"the destination is inside the site's {name}/ "
                                     "folder, which the build reads: choose a folder of its own, such as public/")])
    if destination.is_dir() and any(destination.iterdir()) and not (destination / MARKER).is_file():
        raise SiteError([Problem(str(destination), 1, "", "the destination is not empty and was not written by "
                                 "Salvo: choose an empty folder, or remove this one first")])


def write_site(files: dict[str, bytes], destination: Path, copies: dict[str, Path],
               previous: dict[str, str] | None = None, discard: Callable[[Path], None] | None = None) -> dict[str, str]:
    """Write every file into a fresh folder beside the destination and swap it in; return its manifest.

    A file whose digest is the same as in the previous build's manifest is hard-linked from the current
    output instead of written again (the old and new folders share it; neither is ever modified in place).
    The previous manifest is trusted only if the destination's marker records it: a build killed after its
    swap but before the caller saved the manifest leaves a marker that does not match, so nothing is linked.
    """
    if previous and _recorded_manifest(destination) != _manifest_digest(previous):
        previous = None
    paths = {str(safe_relative(p)): data for p, data in files.items()}
    for rel in copies:
        safe_relative(rel)
    destination = destination.absolute()
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(destination)
    temp = Path(tempfile.mkdtemp(prefix=f".{destination.name}{TEMP_PREFIX}{os.getpid()}-", dir=destination.parent))
    swapped = False
    try:
        made: set[Path] = set()
        manifest = {}
        for rel, data in sorted(paths.items()):
            target = temp / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            manifest[rel] = digest(data)
            if not (previous and previous.get(rel) == manifest[rel] and _link(destination / rel, target, len(data))):
                target.write_bytes(data)
        for rel, origin in sorted(copies.items()):
            target = temp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target)
        (temp / MARKER).write_text(f"{MARKER_TEXT}manifest {_manifest_digest(manifest)}\n")
        temp.chmod(0o755)
        _swap(temp, destination, discard or _remove)
        swapped = True
    finally:
        if not swapped and temp.exists():  # after the swap this path holds the old site, which `discard` owns
            shutil.rmtree(temp, ignore_errors=True)
    return manifest


def _manifest_digest(manifest: dict[str, str]) -> str:
    """One digest of a whole manifest (output path -> content digest)."""
    return digest(*(f"{rel}\0{value}" for rel, value in sorted(manifest.items())))


def _recorded_manifest(destination: Path) -> str | None:
    """The manifest digest the destination's marker records, or None for an old, missing or unreadable marker."""
    try:
        last = (destination / MARKER).read_text(encoding="utf-8").splitlines()[-1]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    return last.removeprefix("manifest ") if last.startswith("manifest ") else None


def _link(old: Path, new: Path, size: int) -> bool:
    """Hard-link an unchanged file from the current output; False if it is gone or was altered in size."""
    try:
        if old.stat().st_size != size:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def _remove(folder: Path) -> None:
    """Delete a replaced output folder now."""
    shutil.rmtree(folder, ignore_errors=True)


def _swap(new: Path, destination: Path, discard: Callable[[Path], None]) -> None:
    """Put the new folder where the destination is, atomically where the system allows it; discard the old one."""
    if not destination.exists():
        new.rename(destination)
        return
    if not _exchange(new, destination):
        old = destination.with_name(f".{destination.name}{TEMP_PREFIX}old-{os.getpid()}")
        destination.rename(old)
        new.rename(destination)
        new = old
    discard(new)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def remove_stale_temporaries(destination: Path) -> None:
    """Remove folders left by builds that were killed before they could clean up."""
    for leftover in destination.parent.glob(f".{destination.name}{TEMP_PREFIX}*"):
        pid = leftover.name.removeprefix(f".{destination.name}{TEMP_PREFIX}").split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id is running (so its temporary folder is in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
