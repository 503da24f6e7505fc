"""build(source, destination) -> BuildReport: the stages, named and in order, data flowing one way.

config -> read -> validate -> assemble -> render -> write. Only `read` touches content/ and only `write`
touches the output; any problem stops the build before `write`, so the last good site stays whole.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from salvo.assemble import Site, assemble, with_bodies
from salvo.cache import Cache, NoCache, code_digest
from salvo.config import SiteConfig, load_config
from salvo.errors import Problem, SiteError
from salvo.hashing import digest
from salvo.model import Incident, Note, Notes
from salvo.notes import find_note_files, parse_bytes, read_bytes
from salvo.options import Options, build_day
from salvo.parallel import parallel_map
from salvo.render import DEFAULT_ROOT, render_bodies, render_site
from salvo.stamp import CACHE_DIR, SETTLED_NS
from salvo.validate import check_calls, sort_notes, validate_note
from salvo.write import Outputs, check_destination, patch_site, write_site


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the one-line summary."""

    notes: int
    files: int
    seconds: float
    destination: Path
    # What `rebuild` starts from: the site as built, what the output folders hold, and the day it was built for.
    site: Site | None = field(default=None, repr=False, compare=False)
    outputs: Outputs | None = field(default=None, repr=False, compare=False)
    day: dt.date | None = None

    def summary(self) -> str:
        """The line a build prints."""
        return (f"Built {self.notes} notes into {self.files} files in {self.seconds * 1000:.0f} ms: "
                f"{self.destination}")


def read_notes(source: Path, config: SiteConfig, day: dt.date, cache: Cache) -> tuple[list[Note], list[Problem], int]:
    """Steps 2 and 3, read and validate: every note file under content/, checked on its own (files known
    unchanged from the cache, the rest read and checked on every core), then the rules between notes; also how
    many files were read."""
    files, problems = find_note_files(source)
    results: dict[str, tuple[Note | None, list[Problem]]] = {}
    unknown: list[tuple[str, str]] = []
    settled: dict[str, str] = {}  # signatures of unknown files that had not changed for a while
    salt = digest(code_digest(), repr(config), day.isoformat())
    for rel, path in files:
        signature = _signature(path)
        known = cache.get("file", signature[0]) if signature else None
        cached = cache.get("note", digest(salt, rel, known)) if known else None
        if cached is not None:
            results[rel] = cached
        else:
            unknown.append((rel, path))
            if signature and time.time_ns() - signature[1] > SETTLED_NS:
                settled[rel] = signature[0]
    read = partial(_read_and_check, salt=salt, config=config, day=day, cache=cache)
    for (rel, _), (content, key, checked) in zip(unknown, parallel_map(read, unknown), strict=True):
        results[rel] = checked
        if content and key:
            cache.put("note", key, checked)
            if rel in settled:
                cache.put("file", settled[rel], content)
    notes = []
    for rel in sorted(results):
        note, found = results[rel]
        problems += found
        if note:
            notes.append(note)
    return notes, problems, len(results)


def _read_and_check(item: tuple[str, str], salt: str, config: SiteConfig, day: dt.date, cache: Cache
                    ) -> tuple[str | None, str | None, tuple[Note | None, list[Problem]]]:
    """A note file's content digest, its cache key and the note, checked or as cached for the same contents
    (run in a worker, which reads the parent's cache as it was when forked)."""
    rel, path = item
    data, found = read_bytes(rel, path, config.max_note_kb * 1024)
    if data is None:
        return None, None, (None, found)
    content = digest(data)
    key = digest(salt, rel, content)
    return content, key, cache.get("note", key) or _check((rel, data), config, day)


def _signature(path: str) -> tuple[str, int] | None:
    """What identifies a file's contents without reading it, as git's index does (path, size, inode, modification
    and change times: the change time moves on every write and cannot be set back by tools), and its change time."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return f"{path}\0{info.st_size}\0{info.st_ino}\0{info.st_mtime_ns}\0{info.st_ctime_ns}", info.st_ctime_ns


def _check(item: tuple[str, bytes], config: SiteConfig, day: dt.date) -> tuple[Note | None, list[Problem]]:
    """Parse and validate one note's bytes (run in a worker)."""
    raw, problems = parse_bytes(*item)
    if raw is None:
        return None, problems
    return validate_note(raw, config, day)


def load_site(source: Path, options: Options, cache: Cache | None = None) -> tuple[Site, int]:
    """Steps 1 to 4: config, read, validate, assemble; raise SiteError with every problem found."""
    day = build_day(options)
    config = load_config(source, options.base_url)
    config = replace(config, complete_to=config.complete_to or day)  # unstated: the record is complete to today
    checked, problems, count = read_notes(source, config, day, cache or NoCache())
    notes, found = sort_notes(checked)
    problems += found + check_calls(notes, config)
    if problems:
        raise SiteError(problems)
    if not options.drafts:
        notes = Notes(*(tuple(n for n in group if not n.draft) for group in (notes.incidents, notes.context,
                                                                                notes.pages)))
    return assemble(notes, config), count


def static_files(source: Path) -> dict[str, Path]:
    """The site's static/ files (falling back to Salvo's own), by output path."""
    folder = source / "static" if (source / "static").is_dir() else DEFAULT_ROOT / "static"
    return {f"static/{p.relative_to(folder).as_posix()}": p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def open_cache(source: Path) -> Cache:
    """The site's persistent cache (.salvo-cache/ beside content/)."""
    return Cache(source / CACHE_DIR)


def build(source: Path, destination: Path, options: Options = Options(), cache: Cache | None = None) -> BuildReport:
    """Build the site in `source` into `destination`, replacing it whole only if every step succeeds."""
    started = time.perf_counter()
    options = replace(options, today=build_day(options))  # one day for the whole build, even across midnight
    check_destination(source, destination)
    cache = cache if cache is not None else open_cache(source)
    site, count = load_site(source, options, cache)
    files = render_site(site, source, cache)
    files |= {rel: path.read_bytes() for rel, path in static_files(source).items()}
    output = str(destination.resolve())
    outputs = write_site(files, destination, cache.get("output", output))
    cache.put("output", output, outputs)
    cache.save()
    return BuildReport(count, len(files), time.perf_counter() - started, destination, site, outputs, options.today)


def rebuild(source: Path, destination: Path, options: Options, cache: Cache, last: BuildReport | None,
            changed: Collection[str]) -> BuildReport:
    """Build again after these files changed (paths as in problems: content/incidents/x.md). When they are notes
    of the last build whose bodies alone changed, only their pages and the feed are rendered and replaced in the
    output (as Zola's serve does); any other change builds the whole site, from the cache."""
    started = time.perf_counter()
    if last and last.site and last.day == build_day(options) and changed:
        edited = edited_bodies(source, last.site, changed, last.day)
        if edited:
            site = with_bodies(last.site, edited)
            outputs = patch_site(render_bodies(site, source, cache, edited), destination, last.outputs)
            if outputs is not None:
                cache.put("output", str(destination.resolve()), outputs)  # what a later whole build starts from
                return replace(last, seconds=time.perf_counter() - started, site=site, outputs=outputs)
    return build(source, destination, options, cache)


def edited_bodies(source: Path, site: Site, changed: Collection[str], day: dt.date) -> dict[str, Incident] | None:
    """The changed incidents by slug, if every changed file is an incident note of this site that still reads
    and validates with the same facts and a new body; else None."""
    known = {e.incident.rel: e.incident for e in site.entries}
    edited = {}
    for rel in changed:
        old = known.get(rel)
        data = read_bytes(rel, str(source / rel), site.config.max_note_kb * 1024)[0] if old else None
        if old is None or data is None:
            return None
        note, problems = _check((rel, data), site.config, day)
        if problems or not isinstance(note, Incident) or replace(note, body=old.body) != old:
            return None
        edited[old.slug] = note
    return edited
