"""The site's files -> the output folder, made to hold exactly the site, and replaced whole in one step.

The output folder is where rendered pages are kept: a page whose inputs did not change is one the output is
checked to hold still (look(), before rendering), and the rest arrive from the render stage as they are made and
are written one by one, never all held at once.

The output is checked, not believed. A build looks at each file and folder of the site in the output folder (and
in the spare it will update), a stat each, and compares it with what the last build recorded there: each file's
content digest and signature, each folder's signature (signature.py). A folder whose signature changed is listed;
a file whose signature changed, or was not yet trusted, is read again if it has the size of the file it should
be. Any file that differs, and anything the build would not write (the marker says that the whole folder is
Salvo's), is replaced or removed. A build that would change nothing writes nothing.

A failed or killed build never leaves a half-written site: the new site is made complete in the spare folder
beside the output (`.public.salvo-spare` beside `public/`, the site before last), writing only the files that
differ (those unchanged since the last build are hard-linked from it), then put in place with one atomic exchange
(renameat2 RENAME_EXCHANGE on Linux); the replaced site becomes the spare. A destination that is a symbolic link
is built at its target. One that cannot be exchanged (a mount point, a folder whose parent this user may not
write) is updated in place: every changed file is first written under a temporary name inside it, and only when
all are written are they renamed over the old ones and the rest removed, so a build that fails leaves it as it
was (one killed while renaming leaves some files new, which the next build puts right).

The output is not to be changed by hand while a build writes it. Nothing is written outside the destination and
its spare: every path is checked first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import Any

from salvo.cache import Written
from salvo.errors import Problem, SiteError
from salvo.hashing import digest
from salvo.signature import Signature, folders_of, settled, signature_of, two_seconds_ago

MARKER = ".salvo-build"
MARKER_TEXT = "Written by Salvo. Every build makes this folder hold exactly the site, removing anything else.\n"
TEMP_PREFIX = ".salvo-tmp-"
SPARE_SUFFIX = ".salvo-spare"
INPUT_FOLDERS = ("content", "templates", "static")
_RENAME_EXCHANGE = 2
# Why a folder cannot be exchanged, or no folder made beside it: a mount point, another file system, a parent
# this user may not write, a system without the exchange.
CANNOT_EXCHANGE = {errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES, errno.EROFS, errno.EINVAL, errno.ENOTSUP}

# A file's content digest, and its signature when it was known to hold that content (None when the signature
# could not be trusted yet: the file is read again).
Known = tuple[str, Signature | None]
UNKNOWN = (0, 0, 0, 0)  # an untrusted signature, as the cache keeps it


@dataclass(frozen=True)
class Record:
    """What a folder held when a build last wrote or checked it: each file's content digest and signature, and each
    folder's signature ("" the top one). A folder whose signature is as recorded holds exactly the files and folders
    recorded in it; None stands for a signature not trusted yet (the file is read, the folder listed)."""

    files: dict[str, Known] = field(default_factory=dict)
    folders: dict[str, Signature | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Outputs:
    """What the destination and its spare held when the last build ended."""

    live: Record
    spare: Record | None

    def text(self) -> str:
        """The records as one JSON text, for the cache: paths, digests and the signatures' numbers in flat lists,
        which the JSON module's C code reads and writes by the ten thousand (an untrusted signature as 0, 0, 0, 0:
        no file has inode 0)."""
        def flat(signatures: Iterable[Signature | None]) -> list[int]:
            return [number for signed in signatures for number in (signed or UNKNOWN)]

        def plain(record: Record) -> list[list[Any]]:
            files = record.files.values()
            return [list(record.files), [value for value, _ in files], flat(signed for _, signed in files),
                    list(record.folders), flat(record.folders.values())]
        return json.dumps([plain(self.live), self.spare and plain(self.spare)])

    @classmethod
    def of_text(cls, text: object) -> Outputs | None:
        """The records in a text made by text(); None for anything else (a build then reads what it must)."""
        def signatures(numbers: list[int]) -> list[Signature | None]:
            if len(numbers) % 4 or not all(type(number) is int for number in numbers):
                raise ValueError("not signatures")
            found = zip(numbers[0::4], numbers[1::4], numbers[2::4], numbers[3::4], strict=True)
            return [None if signed == UNKNOWN else signed for signed in found]

        def record(data: list[list[Any]]) -> Record:
            files, values, signed, folders, folders_signed = data
            if not all(type(item) is str for item in (*files, *values, *folders)):
                raise ValueError("not paths and digests")
            return Record(dict(zip(files, zip(values, signatures(signed), strict=True), strict=True)),
                          dict(zip(folders, signatures(folders_signed), strict=True)))
        try:
            live, spare = json.loads(text)  # type: ignore[arg-type]
            return cls(record(live), record(spare) if spare else None)
        except (TypeError, ValueError):  # not such a text: nothing known
            return None


@dataclass
class Survey:
    """A folder as found, against its record: what its files at the site's paths hold (known, or told by reading
    them when first asked about, if they have the size asked about), the signatures of the site's folders in it,
    and the files, folders and links the site does not have."""

    folder: str = ""
    known: dict[str, tuple[str, Signature]] = field(default_factory=dict)
    unread: dict[str, tuple[int, Signature]] = field(default_factory=dict)  # size and signature
    folders: dict[str, Signature] = field(default_factory=dict)
    strays: list[str] = field(default_factory=list)

    def holds(self, rel: str, value: str, size: int) -> bool:
        """Whether the file at this path holds contents of this digest and size."""
        if rel not in self.known and self.unread.get(rel, (-1,))[0] == size:
            self.known[rel] = (_read_digest(f"{self.folder}/{rel}"), self.unread.pop(rel)[1])
        return rel in self.known and self.known[rel][0] == value


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


@dataclass(frozen=True)
class Found:
    """The output folder (at the end of any link) as a build found it before rendering, and what the last build
    left there and in the spare."""

    target: Path
    previous: Outputs
    live: Survey

    def holds(self, rel: str, value: str, size: int) -> bool:
        """Whether the output's file at this path holds contents of this digest and size."""
        return self.live.holds(rel, value, size)


def look(destination: Path, previous: Outputs | None, paths: Iterable[str]) -> Found:
    """Look at the output folder that is to hold files at these paths. `previous` (what the last build returned)
    is believed only where the signatures on disk still match it."""
    paths = [_checked(rel) for rel in paths]
    if not (isinstance(previous, Outputs) and isinstance(previous.live, Record)):
        previous = Outputs(Record(), None)  # none, or left by an older Salvo
    target = destination.resolve()  # a link to a folder elsewhere stays a link
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    return Found(target, previous, survey(target, previous.live, paths))


@dataclass(frozen=True)
class Staged:
    """A file written into the staging folder (by a worker, as it rendered it), to be moved into place."""

    path: Path
    size: int


@dataclass(frozen=True)
class Stage:
    """A folder on the output's file system where workers put the files they render, so that each is moved into
    place rather than sent to this process and written again."""

    folder: Path

    def put(self, n: int, data: bytes) -> Staged:
        """Write the n-th rendered file into the folder."""
        path = self.folder / str(n)
        _write(path, data)
        return Staged(path, len(data))


# A file to write: its contents, what the output already holds (Written), a file rendered into the staging folder,
# or a file to copy them from.
Content = bytes | Written | Staged | Path
Rendered = Iterable[tuple[str, bytes | Staged, str]]  # files that come later: path, contents and their digest
Render = Callable[[Callable[[int, bytes], Staged]], Rendered]  # renders them, putting each into the stage given
Arrival = tuple[str, Content, str]  # a file to be in the output: path, contents and their digest


def write_site(found: Found, files: dict[str, Content | None], render: Render | None = None) -> Outputs:
    """Make the output folder hold exactly `files`, and return what it and its spare hold. The files given as None
    come from `render`, which puts each into a staging folder as it is made; one given as Written is one the output
    holds (look())."""
    paths = {_checked(p): content for p, content in files.items()}
    stage = _stage(found.target) if None in paths.values() else None
    rendered = render(stage.put) if render and stage else iter(())
    try:
        return _write_site(found, paths, rendered)
    finally:
        if isinstance(rendered, Generator):
            rendered.close()  # a write that failed stops the workers now, before their folder goes
        if stage:
            _discard(stage.folder)


def _stage(target: Path) -> Stage:
    """A staging folder on the output's file system: beside it, or inside it where nothing can be made beside it."""
    if not _mount_point(target):
        try:
            return Stage(_new_folder(f".{target.name}{TEMP_PREFIX}", target.parent))
        except OSError as error:
            if error.errno not in CANNOT_EXCHANGE:
                raise
    target.mkdir(exist_ok=True)
    return Stage(_new_folder(TEMP_PREFIX, target))


def _write_site(found: Found, paths: dict[str, Content | None], rendered: Rendered) -> Outputs:
    """write_site, with the rendered files as they come."""
    digests = {rel: _digest_of(content) for rel, content in paths.items()}
    target, previous = found.target, found.previous
    arrivals = _arrivals(paths, digests, iter(rendered))
    held = []  # files the output holds already, while no other has come: nothing may need writing
    for rel, content, value in arrivals:
        if not found.holds(rel, value, _size_of(content)):
            arrivals = chain(held, [(rel, content, value)], arrivals)
            break
        held.append((rel, content, value))
    else:
        if not found.live.strays:  # nothing to write
            before = max(two_seconds_ago(), _clock(target))
            return Outputs(_trusted(Record(found.live.known, found.live.folders), before), previous.spare)
        arrivals = iter(held)
    if not _mount_point(target):
        try:
            return _exchanged(found, paths, digests, arrivals)
        except CannotExchange as error:
            try:  # the site was made beside the output, which refused the exchange: copied into it instead
                built = ((rel, error.built / rel, value) for rel, value in sorted(digests.items()))
                return Outputs(_in_place(found, digests, built), previous.spare)  # type: ignore[arg-type]
            finally:
                _discard(error.built)
        except OSError as error:
            if error.errno not in CANNOT_EXCHANGE:
                raise
    return Outputs(_in_place(found, digests, arrivals), previous.spare)


class CannotExchange(Exception):
    """The output folder could not be exchanged for the one made beside it (`built`), which holds the new site."""

    def __init__(self, built: Path) -> None:
        super().__init__(str(built))
        self.built = built


def _arrivals(paths: dict[str, Content | None], digests: dict[str, str | None],
              rendered: Iterator[tuple[str, bytes | Staged, str]]) -> Iterator[Arrival]:
    """Every file with its contents and digest: those given first, then those rendered as they arrive (their digests
    noted)."""
    for rel, content in sorted(paths.items()):
        if content is not None:
            yield rel, content, digests[rel]  # type: ignore[misc]
    for rel, data, value in rendered:
        if rel not in paths or paths[rel] is not None:
            raise ValueError(f"a rendered file that was not expected: {rel!r}")
        digests[rel] = value
        yield rel, data, value
    if None in digests.values():
        raise ValueError("a file to be rendered never came")


def _exchanged(found: Found, paths: dict[str, Content | None], digests: dict[str, str | None],
               arrivals: Iterator[Arrival]) -> Outputs:
    """Bring the spare (or a new folder) up to date with the files arriving and exchange it with the target; raise
    OSError with one of CANNOT_EXCHANGE when no folder can be made beside the target, and CannotExchange when the
    two cannot be exchanged."""
    target, previous = found.target, found.previous
    spare = spare_folder(target)
    if spare.is_dir() and not spare.is_symlink():
        folder, built = spare, survey(spare, previous.spare or Record(), paths)
    else:
        _discard(spare)
        folder, built = _new_folder(f".{target.name}{TEMP_PREFIX}", target.parent), Survey()
    replaced = target.exists()
    try:
        _remove(folder, built.strays)
        changed, linked = [], []
        for rel, content, value in arrivals:
            size = _size_of(content)
            if built.holds(rel, value, size):
                continue
            changed.append(rel)
            path = folder / rel
            path.unlink(missing_ok=True)  # never written in place: it may share its inode with the live site
            path.parent.mkdir(parents=True, exist_ok=True)
            if found.holds(rel, value, size) and _link(target / rel, path, found.live.known[rel][1]):
                linked.append(rel)
            else:
                _put(path, content, value, target / rel)
        folder.chmod(0o755)
        now = _trusted(_recorded(folder, digests, built, changed + built.strays), _mark(folder))  # type: ignore[arg-type]
        # What the replaced site held, with the signatures of files just linked (a link changes the change time).
        was = Record({**previous.live.files, **{rel: now.files[rel] for rel in linked}}, previous.live.folders)
        try:
            _swap(folder, target)
        except OSError as error:
            if error.errno not in CANNOT_EXCHANGE:
                raise
            raise CannotExchange(folder) from error
    except CannotExchange:
        raise
    except BaseException:
        _discard(folder)  # the next build makes it again: no half-updated spare to survey, no disk space kept
        raise
    moved = {"": None}  # the exchange changed the signatures of both top folders
    return Outputs(Record(now.files, now.folders | moved), Record(was.files, was.folders | moved) if replaced else None)


def _in_place(found: Found, digests: dict[str, str | None], arrivals: Iterator[Arrival]) -> Record:
    """Update the target itself: write every changed file under a temporary name inside it, and only when all
    are written, rename them into place and remove the rest; a failure before then removes the temporaries."""
    target, live = found.target, found.live
    target.mkdir(exist_ok=True)
    temporary = _new_folder(TEMP_PREFIX, target)
    try:
        changed = []
        for rel, content, value in arrivals:
            if not live.holds(rel, value, _size_of(content)):
                _put(temporary / str(len(changed)), content, value, target / rel)
                changed.append(rel)
        _remove(target, live.strays)
        for n, rel in enumerate(changed):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary / str(n), target / rel)
    finally:
        _discard(temporary)
    return _trusted(_recorded(target, digests, live, changed + live.strays), _mark(target))  # type: ignore[arg-type]


def survey(folder: Path, record: Record, paths: Iterable[str]) -> Survey:
    """Look at a folder without following links in it: each folder of the site's, listed unless its signature is
    the trusted one recorded, and each file at one of the site's paths, known by the recorded digest while its
    signature is the trusted one recorded, else read if it has the right size when first asked about
    (Survey.holds). Whatever else is there (but the marker and temporary folders) is a stray."""
    paths = dict.fromkeys(paths)  # in their order, so that records made of the same files are equal
    found = Survey(str(folder))
    if not folder.is_dir():
        return found
    top, needed = str(folder), folders_of(paths)
    absent = set()  # folders of the site's that are not real folders here: nothing under them is looked at
    trusted = set()  # folders that hold what the record says they hold
    for rel in sorted(needed):  # a folder sorts before those inside it
        path = f"{top}/{rel}" if rel else top
        if (rel and rel.rpartition("/")[0] in absent) or not (info := _lstat(path)) or not stat.S_ISDIR(info.st_mode):
            absent.add(rel)
            if info:
                found.strays.append(rel)
            continue
        found.folders[rel] = signed = signature_of(info)
        if signed == record.folders.get(rel):
            trusted.add(rel)
        else:
            for name in os.listdir(path):
                inner = f"{rel}/{name}" if rel else name
                ours = not rel and (name == MARKER or name.startswith(TEMP_PREFIX))
                if inner not in paths and inner not in needed and not ours:
                    found.strays.append(inner)
    stale = (rel for rel in (*record.files, *record.folders) if rel and rel not in paths and rel not in needed)
    found.strays += [rel for rel in stale if rel.rpartition("/")[0] in trusted]
    for rel in paths:
        if rel.rpartition("/")[0] in absent or not (info := _lstat(f"{top}/{rel}")):
            continue
        if not stat.S_ISREG(info.st_mode):
            found.strays.append(rel)
            continue
        signed, recorded = signature_of(info), record.files.get(rel)
        if recorded is not None and recorded[1] == signed:
            found.known[rel] = (recorded[0], signed)
        else:
            found.unread[rel] = (info.st_size, signed)
    return found


def _lstat(path: str) -> os.stat_result | None:
    """The path's own status (a link's, not its target's), or None if nothing is there."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def spare_folder(destination: Path) -> Path:
    """Where the previous site is kept for the next build to update: `.public.salvo-spare` beside `public/`."""
    return destination.with_name(f".{destination.name}{SPARE_SUFFIX}")


def _recorded(folder: Path, digests: dict[str, str], found: Survey, touched: list[str]) -> Record:
    """What the folder holds now that it holds files of these digests: the files and folders surveyed that were not
    touched since (files written, linked or removed, and the folders holding them), and the signatures of the
    rest."""
    files: dict[str, Known] = {}
    for rel, value in digests.items():
        held = rel in found.known and found.known[rel][0] == value
        files[rel] = found.known[rel] if held else (value, signature_of(os.lstat(folder / rel)))
    changed = folders_of(touched)
    folders: dict[str, Signature | None] = {
        rel: found.folders[rel] if rel in found.folders and rel not in changed else signature_of(os.lstat(folder / rel))
        for rel in folders_of(digests)}
    return Record(files, folders)


def _mark(folder: Path) -> int:
    """Write the marker, last, and return its change time: the file system's clock after every file written."""
    with open(folder / MARKER, "w", encoding="utf-8") as handle:
        handle.write(MARKER_TEXT)
        handle.flush()
        return os.fstat(handle.fileno()).st_ctime_ns


def _clock(folder: Path) -> int:
    """The marker's change time: a reading of the file system's clock from before this build (0 if none)."""
    try:
        return os.lstat(folder / MARKER).st_ctime_ns
    except OSError:
        return 0


def _trusted(record: Record, before: int) -> Record:
    """The record to keep: signatures of what changed after `before` are not to be trusted (a change in the same
    clock tick would not show), so those files will be read again and those folders listed."""
    def kept(signed: Signature | None) -> Signature | None:
        return signed if signed is not None and settled(signed, before) else None
    return Record({rel: (value, kept(signed)) for rel, (value, signed) in record.files.items()},
                  {rel: kept(signed) for rel, signed in record.folders.items()})


def _digest_of(content: Content | None) -> str | None:
    """A file's content digest, as records keep them (None: not known yet)."""
    if isinstance(content, Written):
        return content.digest
    return digest(content) if isinstance(content, bytes) else None


def _size_of(content: Content) -> int:
    """The size of a file's contents."""
    if isinstance(content, Written | Staged):
        return content.size
    return len(content) if isinstance(content, bytes) else content.stat().st_size


def _read_digest(path: str) -> str:
    """The content digest of a file as it is now."""
    with open(path, "rb") as handle:
        return digest(handle.read())


def _new_folder(prefix: str, parent: Path) -> Path:
    """A new temporary folder in `parent`, named for this process; a failure names the parent."""
    try:
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(parent)) from None


def _put(path: Path, content: Content, value: str, live: Path) -> None:
    """Put a file in place: write its contents, move it from the staging folder, or copy it (from the live output,
    for contents the output holds)."""
    if isinstance(content, Staged):
        os.replace(content.path, path)
    elif isinstance(content, bytes):
        _write(path, content)
    else:
        data = (live if isinstance(content, Written) else content).read_bytes()
        if digest(data) != value:
            raise OSError(errno.ESTALE, "changed by hand while the build was writing it", str(path))
        _write(path, data)


def _write(path: Path, data: bytes) -> None:
    """Write a file; a failure names it (a full disk is told only by write() or close(), which do not)."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None


def _remove(folder: Path, strays: list[str]) -> None:
    """Remove these files, links and folders from the folder."""
    for rel in strays:
        path = folder / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _link(old: Path, new: Path, signed: Signature) -> bool:
    """Hard-link a file of the live site known to hold the right contents while it has this signature, if it
    still has; False when it does not, or where links cannot be made."""
    try:
        if signature_of(os.lstat(old)) != signed:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def _discard(folder: Path) -> None:
    """Delete a folder (or file) this module made, if it is there."""
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)
    elif folder.exists() or folder.is_symlink():
        folder.unlink()


def _swap(new: Path, destination: Path) -> None:
    """Put the new folder where the destination is, atomically where the system allows it; the replaced site
    becomes the spare."""
    spare = spare_folder(destination)
    if not destination.exists():
        new.rename(destination)
        return
    if not _exchange(new, destination):
        old = destination.with_name(f".{destination.name}{TEMP_PREFIX}old-{os.getpid()}")
        destination.rename(old)
        new.rename(destination)
        new = old
    if new != spare:
        _discard(spare)
        new.rename(spare)


def _mount_point(folder: Path) -> bool:
    """Whether a file system is mounted on the folder (a volume, a tmpfs, a bind mount), which cannot be moved."""
    if os.path.ismount(folder):
        return True
    try:  # a bind mount from the same file system has the same device: Linux lists it here
        with open("/proc/self/mountinfo", "rb") as handle:
            points = {line.split()[4] for line in handle}
    except (OSError, IndexError):
        return False
    escaped = os.fsencode(folder)
    for char in b"\\ \t\n":  # as the kernel escapes them there
        escaped = escaped.replace(bytes([char]), b"\\%03o" % char)
    return escaped in points


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with renameat2(RENAME_EXCHANGE); False where the system has no such call, and
    OSError where it refuses (a mount point cannot be moved)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):  # no such call, or not on this file system
        return False
    raise OSError(code, os.strerror(code), str(b))


def remove_stale_temporaries(destination: Path) -> None:
    """Remove temporary folders, beside the destination or inside it, left by builds that were killed before
    they could clean up."""
    beside = destination.parent.glob(f".{destination.name}{TEMP_PREFIX}*")
    for leftover in [*beside, *destination.glob(f"{TEMP_PREFIX}*")]:
        pid = leftover.name.rpartition(TEMP_PREFIX)[2].split("-")[0]
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
