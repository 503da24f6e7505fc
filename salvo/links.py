"""Internal links and #anchors of rendered HTML pages, checked against the rendered files; no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = ("href", "src", "xlink:href")


@dataclass(frozen=True)
class Link:
    """One href or src of a page, with its line in the page."""

    value: str
    line: int


@dataclass
class PageLinks:
    """What the link check needs from one page: its links and the ids it defines."""

    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class BrokenLink:
    """A link that leads nowhere: the page it is on, its line there, the link, and why."""

    page: str
    line: int
    href: str
    kind: str  # "link": no such file; "anchor": the file has no such id
    reason: str


class _Collector(HTMLParser):
    """Collects href/src values with their lines, and every id (and <a name>) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageLinks()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the tag's links and ids."""
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.found.links.append(Link(value.strip(), line))
            elif name == "id" or (name == "name" and tag == "a"):
                self.found.ids.add(value)


def parse_page(html: str) -> PageLinks:
    """The links and ids of one HTML page."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found


def page_url(rel: str, base_url: str) -> str:
    """The URL a rendered file is served at: "incidents/x/index.html" -> base + "incidents/x/"."""
    path = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
    return urljoin(base_url, path)


def target_file(url: str, base_url: str) -> str | None:
    """The output file an absolute URL asks for, relative to the output folder; None if not on this site."""
    parts, base = urlsplit(url), urlsplit(base_url)
    base_path = base.path or "/"
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return None
    if not parts.path.startswith(base_path):
        return None
    rel = unquote(parts.path[len(base_path):])
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def check_links(files: dict[str, bytes], base_url: str, others: Iterable[str] = ()) -> list[BrokenLink]:
    """Every internal link and #anchor of every HTML file that resolves to no file, or to no id in the file.

    `files` are the rendered files by output path; `others` are output paths copied as they are (static files).
    A link is internal when it resolves (against the page's own URL) to a path under the base URL's path.
    """
    pages = {rel: parse_page(data.decode("utf-8", "replace")) for rel, data in files.items() if rel.endswith(".html")}
    existing = set(files) | set(others)
    broken = []
    for rel, page in sorted(pages.items()):
        here = page_url(rel, base_url)
        for link in page.links:
            problem = _check_one(link.value, here, base_url, existing, pages)
            if problem:
                broken.append(BrokenLink(rel, link.line, link.value, *problem))
    return broken


def _check_one(href: str, here: str, base_url: str, existing: set[str],
               pages: dict[str, PageLinks]) -> tuple[str, str] | None:
    """(kind, reason) when one link is internal and broken; None when it resolves or is not internal."""
    absolute = urljoin(here, href)
    target = target_file(absolute, base_url)
    if target is None:
        return None
    if target not in existing:
        if target + "/index.html" in existing:  # "/x" is served as "/x/" by every static host
            target += "/index.html"
        else:
            return "link", f"no page or file at {urlsplit(absolute).path} in the built site"
    fragment = unquote(urlsplit(absolute).fragment)
    if not fragment or fragment.lower() == "top" or target not in pages:
        return None
    if fragment not in pages[target].ids:
        where = "this page" if absolute.split("#")[0] == here.split("#")[0] else urlsplit(absolute).path
        return "anchor", f"{where} has no element with id=\"{fragment}\""
    return None
