"""build(source, destination) -> BuildReport: the stages, named and in order, data flowing one way.

config -> read -> validate -> assemble -> render -> write. Only `read` touches content/ and only `write`
touches the output; any problem stops the build before `write`, so the last good site stays whole.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from salvo.assemble import Site, assemble
from salvo.config import SiteConfig, load_config
from salvo.errors import Problem, SiteError
from salvo.model import KST, Notes
from salvo.notes import RawNote, find_note_files, read_note
from salvo.render import DEFAULT_ROOT, render_site
from salvo.validate import validate_notes
from salvo.write import check_destination, write_site


@dataclass(frozen=True)
class Options:
    """What the command line may change about a build."""

    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the one-line summary."""

    notes: int
    files: int
    seconds: float
    destination: Path

    def summary(self) -> str:
        """The line a build prints."""
        return (f"Built {self.notes} notes into {self.files} files in {self.seconds * 1000:.0f} ms: "
                f"{self.destination}")


def today() -> dt.date:
    """Today in Korea, or the day given by SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), KST).date()
    return dt.datetime.now(KST).date()


def read_notes(source: Path, config: SiteConfig) -> tuple[list[RawNote], list[Problem]]:
    """Step 2, read: every note file under content/, parsed but not judged."""
    files, problems = find_note_files(source)
    raws = []
    for path in files:
        raw, found = read_note(path, source, config.max_note_kb * 1024)
        problems += found
        if raw:
            raws.append(raw)
    return raws, problems


def load_site(source: Path, options: Options) -> tuple[Site, int]:
    """Steps 1 to 4: config, read, validate, assemble; raise SiteError with every problem found."""
    config = load_config(source, options.base_url)
    raws, problems = read_notes(source, config)
    notes, found = validate_notes(raws, config, options.today or today())
    problems += found
    if problems:
        raise SiteError(problems)
    if not options.drafts:
        notes = Notes(*(tuple(n for n in group if not n.draft) for group in (notes.incidents, notes.context,
                                                                                notes.pages)))
    return assemble(notes, config), len(raws)


def static_files(source: Path) -> dict[str, Path]:
    """The site's static/ files (falling back to Salvo's own), by output path."""
    folder = source / "static" if (source / "static").is_dir() else DEFAULT_ROOT / "static"
    return {f"static/{p.relative_to(folder).as_posix()}": p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def render(site: Site, source: Path, options: Options) -> dict[str, bytes]:
    """Step 5, render: every output file in memory."""
    return render_site(site, source, options.today or today())


def build(source: Path, destination: Path, options: Options = Options()) -> BuildReport:
    """Build the site in `source` into `destination`, replacing it whole only if every step succeeds."""
    started = time.perf_counter()
    check_destination(source, destination)
    site, count = load_site(source, options)
    files = render(site, source, options)
    written = write_site(files, destination, static_files(source))
    return BuildReport(count, written, time.perf_counter() - started, destination)

