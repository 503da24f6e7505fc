"""`check`: every problem `build` would stop at, then every broken internal link and #anchor; writes nothing.

The site is validated and rendered in memory by the same stages as `build`; the rendered pages are then
parsed and each internal link resolved against the rendered files. A broken link is reported where the editor
wrote it: at the line of the note's body, or of the note's field, that makes it (else at the output page's
line). Drafts, which `build` leaves out, are listed one line each with what is left to do before publishing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salvo.assemble import Site
from salvo.cache import NoCache
from salvo.errors import Problem, SiteError
from salvo.links import BrokenLink, check_links, parse_page
from salvo.markup import render_markdown
from salvo.model import Note
from salvo.notes import RawNote, read_note
from salvo.options import Options
from salvo.pipeline import publishable, read_site, static_files
from salvo.render import render_site

OUTPUT = "public"


@dataclass(frozen=True)
class Body:
    """A note whose Markdown body is rendered into a page."""

    rel: str
    text: str


def check_site(source: Path, options: Options) -> tuple[list[Problem], list[Problem]]:
    """Validate the configuration and every note, render in memory, and check the rendered links: the problems,
    and a line for each draft."""
    drafts: list[Problem] = []
    try:
        content = read_site(source, options)
        drafts = unfinished_drafts(source, content.notes, content.problems, options)
        site = publishable(content, options)
        # No cache: `check` writes nothing, not even .salvo-cache/.
        files = render_site(site, content.bodies, source, NoCache())
    except SiteError as error:
        return list(error.problems), drafts
    broken = check_links(files, site.config.base_url, static_files(source))
    bodies = note_bodies(site, content.bodies)
    return sorted(link_problem(link, bodies.get(link.page), source, site.config.base_path) for link in broken), drafts


def unfinished_drafts(source: Path, checked: list[Note], problems: list[Problem], options: Options) -> list[Problem]:
    """A line for each draft, at its `draft:` line: what is left to do before it can be published."""
    troubles = Counter(p.path for p in problems if p.draft)
    valid = {note.rel: note for note in checked if note.draft}
    lines = []
    for rel in sorted(valid.keys() | troubles.keys()):
        todo = []
        if count := troubles[rel]:  # then its blanks are not known: it could not be read as a note
            listed = "" if options.drafts else " (`check --drafts` lists them)"
            todo += [f"fix its {count} problem{'s' if count != 1 else ''}{listed}", "fill in any required field left "
                     "blank"]
        elif blanks := getattr(valid[rel], "unfinished", ()):  # pages have no blanks to leave
            todo.append(f"fill in {', '.join(blanks)}")
        raw, _ = read_note(source / rel, source, 1 << 30)
        line = raw.line("draft") if raw else 1
        lines.append(Problem(rel, line, "draft", "draft, left out of the site: to publish it, "
                             f"{', then '.join([*todo, 'set `draft: false`'])}", draft=True))
    return lines


def note_bodies(site: Site, texts: dict[str, str]) -> dict[str, Body]:
    """The note rendered into each page that shows a note's body, by output path."""
    notes = [(f"incidents/{e.incident.slug}/index.html", e.incident) for e in site.entries]
    notes += [(f"context/{c.event.slug}/index.html", c.event) for c in site.context]
    notes += [(f"{p.slug}/index.html", p) for p in site.pages]
    return {path: Body(note.rel, texts.get(note.rel, "")) for path, note in notes}


def link_problem(link: BrokenLink, body: Body | None, source: Path, base_path: str) -> Problem:
    """A broken link as a Problem where it is written: at the line of the note that makes it when a note's body
    or field does, else at its output page."""
    what = "broken link" if link.kind == "link" else "broken anchor"
    message = f"{what} `{link.href}`: {link.reason}"
    raw = read_note(source / body.rel, source, 1 << 30)[0] if body else None
    if body is not None and raw is not None:
        if line := field_line(raw, link.href):
            return Problem(body.rel, line, link.kind, message)
        if link.href in {x.value for x in parse_page(render_markdown(body.text, base_path)).links}:
            return Problem(body.rel, body_line(raw, link.href, base_path) or raw.body_line, link.kind, message)
    return Problem(f"{OUTPUT}/{link.page}", link.line, link.kind, f"{message} (made by the page's template)")


def field_line(raw: RawNote, href: str) -> int | None:
    """The line of the front-matter field whose value is the link, if one is."""
    for path in raw.front.lines:
        value: Any = raw.values
        for part in path.split("."):
            value = (value[int(part)] if isinstance(value, list) and part.isdigit() and int(part) < len(value)
                     else value.get(part) if isinstance(value, dict) else None)
        if isinstance(value, str) and value.strip() == href:
            return raw.line(path)
    return None


def body_line(raw: RawNote, href: str, base_path: str) -> int | None:
    """The file line of the note's body where the link is written, if it can be found."""
    written = [href]
    if base_path != "/" and href.startswith(base_path):
        written.append("/" + href[len(base_path):])
    for n, text in enumerate(raw.body.split("\n")):
        if any(f"({w}" in text or f": {w}" in text or f'"{w}"' in text or f"<{w}>" in text for w in written):
            return raw.body_line + n
    for n, text in enumerate(raw.body.split("\n")):
        if any(w in text for w in written):
            return raw.body_line + n
    return None
