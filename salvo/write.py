"""The file map -> the spare folder beside the output, brought up to date, then swapped in whole.

A failed or killed build never leaves a half-written site: the new site is complete before one atomic
exchange puts it in place (renameat2 RENAME_EXCHANGE on Linux), and files of removed notes simply are not
in it. The replaced site becomes the spare (`.public.salvo-spare` beside `public/`), which the next build
updates in place: only files that changed are written, so a rebuild makes no folders and deletes no trees.
A build that would change nothing (every file there, at its size) writes nothing.
Nothing is written outside the destination and its spare: every path is checked first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from salvo.cache import Packed, unpacked
from salvo.errors import Problem, SiteError
from salvo.hashing import digest

MARKER = ".salvo-build"
MARKER_TEXT = "Written by Salvo. The whole folder is replaced on every build.\n"
TEMP_PREFIX = ".salvo-tmp-"
SPARE_SUFFIX = ".salvo-spare"
INPUT_FOLDERS = ("content", "templates", "static")
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Outputs:
    """What the destination and its spare hold (output path -> content digest), as the last build left them."""

    live: dict[str, str]
    spare: dict[str, str] | None

    @cached_property  # a patched site's is computed once, for its marker, and again only to check that
    def live_digest(self) -> str:
        """The digest the live folder's marker records when it holds exactly `live`."""
        return _manifest_digest(self.live)

    @cached_property
    def spare_digest(self) -> str | None:
        """The digest the spare's marker records when it holds exactly `spare`."""
        return None if self.spare is None else _manifest_digest(self.spare)


def safe_relative(path: str) -> PurePosixPath:
    """An output path that stays inside the output folder, or ValueError."""
    return PurePosixPath(_checked(path))


def _checked(path: str) -> str:
    """The path, if it is relative, plain and stays inside the output folder; else ValueError."""
    if "\\" in path or "\x00" in path or any(p in ("..", ".", "") for p in path.split("/")):
        raise ValueError(f"unsafe output path {path!r}")
    return path


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


def write_site(files: dict[str, bytes | Packed], destination: Path, previous: Outputs | None = None) -> Outputs:
    """Bring the spare folder up to date with `files`, swap it in, and return what both folders now hold.

    `previous` is trusted only where a folder's marker records the same manifest: a folder changed by a build
    that was killed before its caller saved the new `Outputs` does not match, and is not reused.
    """
    paths = {_checked(p): data for p, data in files.items()}
    previous = previous if isinstance(previous, Outputs) else None  # None, or left by an older Salvo
    destination = destination.absolute()
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(destination)
    spare = spare_folder(destination)
    live = previous.live if previous and _trusted(destination, previous.live_digest) else {}
    held = previous.spare if previous and _trusted(spare, previous.spare_digest) else None
    if live and _manifest(paths) == live and _intact(destination, paths):
        return Outputs(live, held)  # nothing to change (and making a first spare now would copy the whole site)
    if held is not None:
        try:
            manifest = _update(spare, held, paths, destination, live)
            return Outputs(manifest, _swap(spare, destination, live))
        except OSError:  # a file where a folder is now needed, or the like: start afresh
            pass
    _discard(spare)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}{TEMP_PREFIX}{os.getpid()}-",
                                 dir=destination.parent))
    try:
        manifest = _update(work, {}, paths, destination, live)
        return Outputs(manifest, _swap(work, destination, live))
    finally:
        _discard(work)


def patch_site(files: dict[str, bytes | Packed], destination: Path, previous: Outputs | None) -> Outputs | None:
    """Replace some of the live site's files in place, each written beside it and renamed over it (as Lektor
    does), and return what the folders now hold; None, having written nothing, unless `previous` describes the
    live site and it already has every one of these files.

    For `serve`, after an edit that changes only a few pages: no other page changes, so each file is whole at
    every moment. The spare is untouched: it shares no inode with the new files.
    """
    destination = destination.absolute()
    if previous is None or not _trusted(destination, previous.live_digest) or not files.keys() <= previous.live.keys():
        return None
    live = dict(previous.live)
    (destination / MARKER).write_text(MARKER_TEXT)  # Salvo's, but until the end it matches no manifest
    for rel, content in files.items():
        value = _digest_of(content)
        if live[_checked(rel)] != value:
            target = destination / rel
            temp = target.with_name(f"{TEMP_PREFIX}{target.name}")
            temp.write_bytes(unpacked(content))
            os.replace(temp, target)
            live[rel] = value
    outputs = Outputs(live, previous.spare)
    (destination / MARKER).write_text(f"{MARKER_TEXT}manifest {outputs.live_digest}\n")
    return outputs


def spare_folder(destination: Path) -> Path:
    """Where the previous site is kept for the next build to update: `.public.salvo-spare` beside `public/`."""
    return destination.with_name(f".{destination.name}{SPARE_SUFFIX}")


def _update(folder: Path, held: dict[str, str], paths: dict[str, bytes | Packed], destination: Path,
            live: dict[str, str]) -> dict[str, str]:
    """Make `folder` (holding `held`) hold exactly `paths`; unchanged files stay, others are linked or written.

    Files are replaced, never written in place: the folder shares unchanged files (hard links) with the live site.
    """
    (folder / MARKER).unlink(missing_ok=True)  # until the end, the folder matches no manifest
    folders = {rel.rpartition("/")[0] for rel in held}
    manifest = {}
    for rel, content in sorted(paths.items()):
        manifest[rel] = value = _digest_of(content)
        if held.get(rel) == value:
            continue
        target = folder / rel
        if rel in held:
            target.unlink()
        else:
            parent = rel.rpartition("/")[0]
            if parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(parent)
        if not (live.get(rel) == value and _link(destination / rel, target, _size_of(content))):
            target.write_bytes(unpacked(content))
    for rel in sorted(held.keys() - paths.keys(), reverse=True):
        (folder / rel).unlink()
        _prune(folder, (folder / rel).parent)
    (folder / MARKER).write_text(f"{MARKER_TEXT}manifest {_manifest_digest(manifest)}\n")
    folder.chmod(0o755)
    return manifest


def _digest_of(content: bytes | Packed) -> str:
    """A file's content digest, as manifests record it."""
    return content.digest if isinstance(content, Packed) else digest(content)


def _size_of(content: bytes | Packed) -> int:
    """A file's size in bytes."""
    return content.size if isinstance(content, Packed) else len(content)


def _manifest(paths: dict[str, bytes | Packed]) -> dict[str, str]:
    """Output path -> content digest."""
    return {rel: _digest_of(content) for rel, content in paths.items()}


def _intact(folder: Path, paths: dict[str, bytes | Packed]) -> bool:
    """Whether every file is in the folder with its size (so none was deleted or cut short by hand)."""
    try:
        return all(os.stat(f"{folder}/{rel}").st_size == _size_of(content) for rel, content in paths.items())
    except OSError:
        return False


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty under root, deepest first."""
    while folder != root and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _manifest_digest(manifest: dict[str, str]) -> str:
    """One digest of a whole manifest (output path -> content digest), hashed as one string: repr() quotes each
    path, so no two manifests read the same."""
    return digest(repr(sorted(manifest.items())))


def _trusted(folder: Path, manifest_digest: str | None) -> bool:
    """Whether the folder's marker records this manifest digest (so the folder holds exactly that manifest)."""
    return manifest_digest is not None and _recorded_manifest(folder) == manifest_digest


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


def _discard(folder: Path) -> None:
    """Delete a folder this module made, if it is there."""
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def _swap(new: Path, destination: Path, live: dict[str, str]) -> dict[str, str] | None:
    """Put the new folder where the destination is, atomically where the system allows it; the replaced site
    becomes the spare. Return what the spare holds (None if unknown)."""
    spare = spare_folder(destination)
    if not destination.exists():
        new.rename(destination)
        return None
    if not _exchange(new, destination):
        old = destination.with_name(f".{destination.name}{TEMP_PREFIX}old-{os.getpid()}")
        destination.rename(old)
        new.rename(destination)
        new = old
    if new != spare:
        _discard(spare)
        new.rename(spare)
    return live or None


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
