"""build(source, destination) -> BuildReport: the stages, named and in order, data flowing one way.

config -> read -> validate -> assemble -> look at the output -> render -> write. Only `read` touches content/,
and only `write` changes the output, which is replaced in one step when every file is made; any problem stops
the build before then, so the last good site stays whole.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from salvo.assemble import Site, assemble
from salvo.cache import Cache, NoCache, Written, code_digest
from salvo.config import SiteConfig, load_config
from salvo.errors import Problem, SiteError
from salvo.hashing import digest
from salvo.model import Note
from salvo.notes import find_note_files, leaving_links, parse_bytes, read_bytes
from salvo.options import Options, build_day
from salvo.parallel import parallel_map
from salvo.render import DEFAULT_ROOT, Rendering
from salvo.signature import settled, signature, signed_path, two_seconds_ago
from salvo.stamp import cache_folder
from salvo.validate import check_calls, sort_notes, validate_note
from salvo.write import Outputs, check_destination, look, write_site


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the one-line summary."""

    notes: int
    files: int
    seconds: float
    destination: Path
    # What the next build in this process starts from (serve): the site as built, and what the output holds.
    site: Site | None = field(default=None, repr=False, compare=False)
    outputs: Outputs | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """The line a build prints."""
        return (f"Built {self.notes} notes into {self.files} files in {self.seconds * 1000:.0f} ms: "
                f"{self.destination}")


@dataclass(frozen=True)
class Content:
    """What steps 1 to 3 found: the configuration, every valid note (drafts included) and each note's Markdown
    body by its path, every problem, and how many files were read."""

    config: SiteConfig
    notes: list[Note]
    bodies: dict[str, str]
    problems: list[Problem]
    files: int


Checked = tuple[Note | None, str, list[Problem]]  # a note file's note (None if invalid), body and problems


def read_notes(source: Path, config: SiteConfig, day: dt.date, cache: Cache
               ) -> tuple[list[Note], dict[str, str], list[Problem], int]:
    """Steps 2 and 3, read and validate: every note file under content/, checked on its own (files known
    unchanged from the cache, the rest read and checked on every core); the valid notes, their bodies by path,
    the problems, and how many files were read."""
    files, problems = find_note_files(source)
    results: dict[str, Checked] = {}
    unknown: list[tuple[str, str]] = []
    file_keys: dict[str, str] = {}  # the signatures of unknown files that had settled, to remember their contents by
    salt = digest(code_digest(), repr(config), day.isoformat())
    before = two_seconds_ago()
    for rel, path in files:
        signed = signature(path)
        key = signed_path(path, signed) if signed else None
        known = cache.get("file", key) if key else None
        cached = cache.get("note", digest(salt, rel, known)) if known else None
        if cached is not None:
            results[rel] = cached
        else:
            unknown.append((rel, path))
            if signed and settled(signed, before):
                file_keys[rel] = key
    read = partial(_read_and_check, salt=salt, config=config, day=day, cache=cache)
    found = parallel_map(read, unknown, "Reading notes")
    for (rel, _), (content, key, checked) in zip(unknown, found, strict=True):
        results[rel] = checked
        if content and key:
            cache.put("note", key, checked)
            if rel in file_keys:
                cache.put("file", file_keys[rel], content)
    notes, bodies = [], {}
    for rel in sorted(results):
        note, body, found = results[rel]
        problems += found
        if note:
            notes.append(note)
            bodies[rel] = body
    return notes, bodies, problems, len(results)


def _read_and_check(item: tuple[str, str], salt: str, config: SiteConfig, day: dt.date, cache: Cache
                    ) -> tuple[str | None, str | None, Checked]:
    """A note file's content digest, its cache key and the note, checked or as cached for the same contents
    (run in a worker, which reads the parent's cache as it was when forked)."""
    rel, path = item
    data, found = read_bytes(rel, path, config.max_note_kb * 1024)
    if data is None:
        return None, None, (None, "", found)
    content = digest(data)
    key = digest(salt, rel, content)
    return content, key, cache.get("note", key) or _check((rel, data), config, day)


def _check(item: tuple[str, bytes], config: SiteConfig, day: dt.date) -> Checked:
    """Parse and validate one note's bytes (run in a worker)."""
    raw, problems = parse_bytes(*item)
    if raw is None:
        return None, "", problems
    note, problems = validate_note(raw, config, day)
    return note, raw.body, problems


def read_site(source: Path, options: Options, cache: Cache | None = None) -> Content:
    """Steps 1 to 3, config, read, validate."""
    day = build_day(options)
    config = load_config(source, options.base_url)
    config = replace(config, complete_to=config.complete_to or day)  # unstated: the record is complete to today
    notes, bodies, problems, count = read_notes(source, config, day, cache or NoCache())
    problems += [*leaving_links(source, "templates"), *leaving_links(source, "static")]
    return Content(config, notes, bodies, problems, count)


def publishable(content: Content, options: Options, last: Site | None = None) -> Site:
    """Step 4, assemble, of what is published: drafts only when asked for (else left out whole, their problems
    with them, so that a draft never stops a build); SiteError with every problem. The last site built is reused
    when nothing it is made of has changed."""
    checked, problems = content.notes, content.problems
    if not options.drafts:
        checked = [note for note in checked if not note.draft]
        problems = [problem for problem in problems if not problem.draft]
    notes, found = sort_notes(checked)
    found += check_calls(notes, content.config)
    if problems or found:
        raise SiteError(problems + found)
    return assemble(notes, content.config, last)


def load_site(source: Path, options: Options, cache: Cache | None = None, last: Site | None = None
              ) -> tuple[Site, Content]:
    """Steps 1 to 4: config, read, validate, assemble; raise SiteError with every problem found."""
    content = read_site(source, options, cache)
    return publishable(content, options, last), content


def static_files(source: Path) -> dict[str, Path]:
    """The site's static/ files (falling back to Salvo's own), by output path."""
    folder = source / "static" if (source / "static").is_dir() else DEFAULT_ROOT / "static"
    return {f"static/{p.relative_to(folder).as_posix()}": p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def open_cache(source: Path) -> Cache:
    """The site's persistent cache (see stamp.cache_folder for where), or one kept in memory for this build only."""
    folder = cache_folder(str(source))
    return Cache(Path(folder) if folder else None)


def build(source: Path, destination: Path, options: Options = Options(), cache: Cache | None = None,
          last: BuildReport | None = None) -> BuildReport:
    """Build the site in `source` into `destination`, replacing it whole only if every step succeeds. A build
    that follows another in the same process (serve) reuses its site when nothing the site is made of changed;
    every page whose inputs did not change comes from the cache."""
    started = time.perf_counter()
    options = replace(options, today=build_day(options))  # one day for the whole build, even across midnight
    check_destination(source, destination)
    cache = cache if cache is not None else open_cache(source)
    site, content = load_site(source, options, cache, last.site if last else None)
    rendering = Rendering(site, content.bodies, source, cache)
    static: dict[str, bytes] = {rel: path.read_bytes() for rel, path in static_files(source).items()}
    output = str(destination.resolve())
    # What the output held after the last build: as this process left it (serve), else as the cache says.
    held = last.outputs if last and last.destination == destination else Outputs.of_text(cache.get("output", output))
    found = look(destination, held, [*rendering.known, *static])
    # A page is rendered unless what it was last rendered to is known (nothing it reads changed) and still there.
    files: dict[str, Written | bytes | None] = {
        rel: known if known and found.holds(rel, known.digest, known.size) else None
        for rel, known in rendering.known.items()}
    todo = [rel for rel, known in files.items() if known is None]
    files |= static
    outputs = write_site(found, files, lambda put: rendering.render(todo, put))
    cache.put("output", output, outputs.text())
    cache.save()
    return BuildReport(content.files, len(files), time.perf_counter() - started, destination, site, outputs)
