"""`check`: every problem `build` would stop at, then every broken internal link and #anchor; writes nothing.

The site is validated and rendered in memory by the same stages as `build`; the rendered pages are then
parsed and each internal link resolved against the rendered files. A broken link is reported at the output
page it is on (public/...), and, when it comes from a note's Markdown body, with the note's path and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from salvo.assemble import Site
from salvo.cache import NoCache, unpacked
from salvo.errors import Problem, SiteError
from salvo.links import BrokenLink, check_links, parse_page
from salvo.markup import render_markdown
from salvo.notes import read_note
from salvo.options import Options
from salvo.pipeline import load_site, static_files
from salvo.render import render_site

OUTPUT = "public"


@dataclass(frozen=True)
class Body:
    """A note whose Markdown body is rendered into a page."""

    rel: str
    text: str


def check_site(source: Path, options: Options) -> list[Problem]:
    """Validate the configuration and every note, render in memory, and check the rendered links."""
    try:
        site, _ = load_site(source, options)
        # No cache: `check` writes nothing, not even .salvo-cache/.
        files = {rel: unpacked(content) for rel, content in render_site(site, source, NoCache()).items()}
    except SiteError as error:
        return list(error.problems)
    broken = check_links(files, site.config.base_url, static_files(source))
    bodies = note_bodies(site)
    return sorted(link_problem(link, bodies.get(link.page), source, site.config.base_path) for link in broken)


def note_bodies(site: Site) -> dict[str, Body]:
    """The note rendered into each page that shows a note's body, by output path."""
    bodies = {f"incidents/{e.incident.slug}/index.html": Body(e.incident.rel, e.incident.body) for e in site.entries}
    bodies |= {f"context/{c.event.slug}/index.html": Body(c.event.rel, c.event.body) for c in site.context}
    bodies |= {f"{p.slug}/index.html": Body(p.rel, p.body) for p in site.pages}
    return bodies


def link_problem(link: BrokenLink, body: Body | None, source: Path, base_path: str) -> Problem:
    """A broken link as a Problem at its output page, naming the note body it comes from when it does."""
    origin = ""
    if body is not None and link.href in {x.value for x in parse_page(render_markdown(body.text, base_path)).links}:
        line = body_line(source, body.rel, link.href, base_path)
        origin = f"; it is in the body of {body.rel}{f':{line}' if line else ''}"
    what = "broken link" if link.kind == "link" else "broken anchor"
    return Problem(f"{OUTPUT}/{link.page}", link.line, link.kind, f"{what} `{link.href}`: {link.reason}{origin}")


def body_line(source: Path, rel: str, href: str, base_path: str) -> int | None:
    """The file line of the note's body where the link is written, if it can be found."""
    raw, _ = read_note(source / rel, source, 1 << 30)
    if raw is None:
        return None
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
