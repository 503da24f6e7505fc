"""Shared helpers: write a whole small site from strings, run build.py as a process, parse its pages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build.py"

SITE_TOML = """\
title = "Test timeline"
subtitle = "A small test site"
description = "Tests of the Salvo generator."
base_url = "https://example.org/"
language = "en"
record_start = 1984-01-01
compare_from = 2009-01-20

[[periods]]
name = "Barack Obama"
label = "Obama"
party = "Democratic"
start = 2009-01-20T12:00:00-05:00
end = 2017-01-20T12:00:00-05:00

[[periods]]
name = "Donald Trump (first term)"
label = "Trump (1st term)"
party = "Republican"
start = 2017-01-20T12:00:00-05:00
end = 2021-01-20T12:00:00-05:00

[[periods]]
name = "Joe Biden"
label = "Biden"
party = "Democratic"
start = 2021-01-20T12:00:00-05:00
end = 2025-01-20T12:00:00-05:00

[[periods]]
name = "Donald Trump (second term)"
label = "Trump (2nd term)"
party = "Republican"
start = 2025-01-20T12:00:00-05:00

[vocabularies.missile_types]
SRBM = "Short-range ballistic missile"
IRBM = "Intermediate-range ballistic missile"
ICBM = "Intercontinental ballistic missile"
cruise = "Cruise missile"

[vocabularies.outcomes]
success = "Success"
failure = "Failure"
unknown = "Unknown"

[vocabularies.record_statuses]
cns = "CNS"
supplement = "Supplement"
editor = "Editors"

[vocabularies.context_kinds]
summit = "Summit"
statement = "Statement"
"""


def incident(title: str = "Test launch", date: str = "2017-07-04", **fields: object) -> str:
    """An incident note's text with sensible defaults; a field set to None is left out."""
    values: dict[str, object] = {
        "title": f'"{title}"', "date": f'"{date}"', "time": '"09:40"', "missile_type": "ICBM",
        "missile_name": "Hwasong-14", "count": 1, "launch_site": "Panghyon", "province": "North Pyongan",
        "distance_km": 933, "apogee_km": 2802, "outcome": "success",
    }
    values.update(fields)
    body = values.pop("body", None)
    lines = [f"{k}: {v}" for k, v in values.items() if v is not None]
    sources = "sources:\n  - title: \"A source\"\n    publisher: \"A publisher\"\n    url: \"https://example.com/a\""
    return "---\n" + "\n".join(lines) + "\n" + sources + "\n---\n" + str(body or "A short account.") + "\n"


@dataclass
class Run:
    """A finished build.py process."""

    code: int
    out: str
    err: str


@dataclass
class Site:
    """A site folder written by a test."""

    root: Path

    def write(self, files: dict[str, str | bytes]) -> None:
        """Write or overwrite files, given by path relative to the site."""
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")

    def run(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """Run build.py with these arguments inside the site folder."""
        done = subprocess.run([sys.executable, str(BUILD), *args], cwd=self.root, capture_output=True, text=True,
                              timeout=120, env=env)
        return Run(done.returncode, done.stdout, done.stderr)

    @property
    def public(self) -> Path:
        """The default output folder."""
        return self.root / "public"

    def page(self, rel: str) -> Page:
        """Parse an output HTML file."""
        return Page.parse((self.public / rel).read_text(encoding="utf-8"))

    def snapshot(self) -> dict[str, bytes]:
        """Every file under public/, for byte-for-byte comparisons."""
        return {p.relative_to(self.public).as_posix(): p.read_bytes() for p in sorted(self.public.rglob("*"))
                if p.is_file()}


class Page(HTMLParser):
    """A parsed page: elements with attributes and text, queried without substring matching."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, object]] = []
        self.stack: list[dict[str, object]] = []

    @classmethod
    def parse(cls, html: str) -> Page:
        """Parse a whole document."""
        page = cls()
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th", "li", "p", "br", "div", "h1", "h2", "h3", "h4", "tr"):
            self.handle_data(" ")
        element: dict[str, object] = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("meta", "link", "br", "hr", "img", "input", "use", "rect", "circle", "line", "path"):
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element["text"] = str(element["text"]) + data

    def find_all(self, tag: str, **attrs: str) -> list[dict[str, object]]:
        """Elements with this tag whose attributes equal the given ones (class_ for class)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.elements if e["tag"] == tag
                and all(dict(e["attrs"]).get(k) == v for k, v in wanted.items())]  # type: ignore[arg-type]

    def text_of(self, tag: str, **attrs: str) -> list[str]:
        """The whitespace-normalised text of each matching element."""
        return [" ".join(str(e["text"]).split()) for e in self.find_all(tag, **attrs)]


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    """make_site({"content/incidents/x.md": "..."}) -> a Site with site.toml and those files."""

    def make(files: dict[str, str | bytes] | None = None, toml: str = SITE_TOML) -> Site:
        site = Site(tmp_path / "site")
        site.write({"site.toml": toml, **(files or {})})
        (site.root / "content" / "incidents").mkdir(parents=True, exist_ok=True)
        return site

    return make
