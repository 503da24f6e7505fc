"""The built files themselves: feed, data files, sitemap, meta tags, links and anchors, page weight."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import pytest

BASE = "https://salvo.example.org/"  # site.toml's base_url
ATOM = "{http://www.w3.org/2005/Atom}"
HOME_LIMIT = 150 * 1024


class Parsed(HTMLParser):
    """What the tests need from a page: head tags, every link-like attribute, every id, the scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a["property"]] = a.get("content", "")
        if tag == "link":
            self.links.append(a)
        if tag == "script":
            self.scripts.append(a)
        if tag == "title":
            self._in_title = True
        for key in ("href", "src", "action", "poster"):
            if key in a:
                self.refs.append(a[key])
        if "srcset" in a:
            self.refs += [part.split()[0] for part in a["srcset"].split(",")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


@cache
def parse(path: Path) -> Parsed:
    page = Parsed()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def url_path(site: Path, file: Path) -> str:
    """The URL path a built file is served at (a folder's index.html at the folder's path)."""
    rel = file.relative_to(site).as_posix()
    return "/" + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)


def target(site: Path, path: str) -> Path | None:
    """The built file a site path resolves to, or None."""
    candidate = site / unquote(path).lstrip("/")
    if path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


@pytest.fixture(scope="module")
def pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_every_page_has_canonical_description_open_graph_icon_and_feed(site_dir: Path, pages: list[Path]):
    problems = []
    for file in pages:
        page, path = parse(file), url_path(site_dir, file)
        links = {(ln.get("rel"), ln.get("type", "")): ln.get("href", "") for ln in page.links}
        canonical = links.get(("canonical", ""))
        if canonical != urljoin(BASE, path):
            problems.append(f"{path}: canonical {canonical!r}")
        if not page.title.strip():
            problems.append(f"{path}: empty <title>")
        for name in ("description", "og:title", "og:description", "og:type", "og:url", "og:site_name"):
            if not page.meta.get(name, "").strip():
                problems.append(f"{path}: no {name}")
        if page.meta.get("og:url") != canonical:
            problems.append(f"{path}: og:url {page.meta.get('og:url')!r} is not the canonical URL")
        icon = links.get(("icon", "image/svg+xml"))
        if not icon or not target(site_dir, icon):
            problems.append(f"{path}: favicon {icon!r}")
        if links.get(("alternate", "application/atom+xml")) != "/feed.xml":
            problems.append(f"{path}: no feed autodiscovery link")
    assert problems == [], "\n".join(problems[:40])


def test_no_external_fonts_scripts_or_requests(site_dir: Path, pages: list[Path]):
    """Only the timelines have a script (the filters); nothing anywhere loads from another host."""
    problems = []
    timelines = ("/timeline/", "/timeline/oldest-first/")
    for file in pages:
        page, path = parse(file), url_path(site_dir, file)
        scripts = [s.get("src", "inline") for s in page.scripts]
        if scripts != (["/static/filter.js"] if path in timelines else []):
            problems.append(f"{path}: scripts {scripts}")
        if path in timelines and "defer" not in page.scripts[0]:
            problems.append(f"{path}: filter.js is not deferred")
        for ln in page.links:
            if ln.get("rel") in ("stylesheet", "icon", "preload", "modulepreload", "manifest") and \
                    urlsplit(ln.get("href", "")).netloc:
                problems.append(f"{path}: loads {ln['href']}")
    css = (site_dir / "static" / "style.css").read_text(encoding="utf-8")
    for token in ("@import", "@font-face", "url(http", "url(//"):
        if token in css:
            problems.append(f"style.css uses {token}")
    assert problems == [], "\n".join(problems[:40])


def test_internal_links_and_anchors_resolve(site_dir: Path, pages: list[Path]):
    broken = []
    for file in pages:
        page, path = parse(file), url_path(site_dir, file)
        for ref in page.refs:
            parts = urlsplit(urljoin(f"http://site{path}", ref))
            if parts.scheme in ("mailto", "tel") or (parts.netloc and parts.netloc != "site"):
                continue
            goal = target(site_dir, parts.path)
            if goal is None:
                broken.append(f"{path}: {ref} (no file)")
            elif parts.fragment and goal.suffix == ".html" and unquote(parts.fragment) not in parse(goal).ids:
                broken.append(f"{path}: {ref} (no id {parts.fragment!r})")
    assert broken == [], f"{len(broken)} broken:\n" + "\n".join(broken[:40])


def feed_tree(site_dir: Path) -> ET.Element:
    return ET.parse(site_dir / "feed.xml").getroot()


def test_feed_parses_and_every_entry_has_id_title_updated_link(site_dir: Path, base_url: str):
    feed = feedparser.parse(f"{base_url}/feed.xml")
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated
    assert any(ln.rel == "self" and ln.href == urljoin(BASE, "feed.xml") for ln in feed.feed.links)
    assert len(feed.entries) >= 10
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids), "duplicate entry ids"
    for e in feed.entries:
        assert e.id and e.title and e.updated and e.link, e
        assert e.link.startswith(BASE) and target(site_dir, urlsplit(e.link).path), e.link
        assert e.updated_parsed and e.content[0].value.strip()
    newest = max(e.updated_parsed for e in feed.entries)
    assert feed.entries[0].updated_parsed == newest, "the newest entry comes first"


def test_feed_follows_the_atom_schema(site_dir: Path):
    """What feedparser forgives: required elements, and html content as escaped text rather than child elements."""
    root = feed_tree(site_dir)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, f"feed has no {name}"
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, f"entry has no {name}"
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert len(content) == 0 and (content.text or "").lstrip().startswith("<"), (
            f"{entry.findtext(f'{ATOM}id')}: type=html content must be escaped HTML text, not XML child elements")


def test_data_files_agree_with_the_pages_and_are_documented(site_dir: Path, records: list[dict[str, Any]]):
    rows = list(csv.DictReader(io.StringIO((site_dir / "data" / "incidents.csv").read_text(encoding="utf-8"))))
    incident_pages = sorted((site_dir / "incidents").glob("*/index.html"))
    assert len(rows) == len(records) == len(incident_pages)
    assert [r["event_id"] for r in rows] == [r["event_id"] for r in records]
    for record in records:
        assert target(site_dir, urlsplit(record["url"]).path), record["url"]
    periods = json.loads((site_dir / "data" / "periods.json").read_text(encoding="utf-8"))["periods"]
    assert len(periods) >= 8
    # Every field is documented on the data page, and so is the licence.
    doc = (site_dir / "data-files" / "index.html").read_text(encoding="utf-8")
    undocumented = [f for f in rows[0] if f"<code>{f}</code>" not in doc]
    assert undocumented == []
    assert "Licence" in doc and 'href="/data/incidents.csv"' in doc and 'href="/data/incidents.json"' in doc


def test_sitemap_and_robots(site_dir: Path, pages: list[Path]):
    tree = ET.parse(site_dir / "sitemap.xml").getroot()
    locs = [e.text or "" for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len(set(locs))
    missing = [loc for loc in locs if not loc.startswith(BASE) or not target(site_dir, urlsplit(loc).path)]
    assert missing == []
    listed = {urlsplit(loc).path for loc in locs}
    unlisted = [url_path(site_dir, p) for p in pages if url_path(site_dir, p) not in listed]
    assert unlisted == ["/404.html"]
    robots = (site_dir / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_home_page_weight_under_150_kb_gzipped(site_dir: Path, record_property):
    """The whole record on one page: HTML plus style sheet, script and icon, gzip-compressed, under 150 KB."""
    files = [site_dir / "index.html"] + [site_dir / "static" / n for n in ("style.css", "filter.js", "favicon.svg")]
    sizes = {f.name: len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in files}
    record_property("home_gzip_bytes", sizes)
    print(f"home page gzip: {sizes} total {sum(sizes.values()) / 1024:.1f} KB")
    assert sum(sizes.values()) < HOME_LIMIT, sizes
