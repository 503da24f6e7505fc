"""Broken and hostile notes: refused with `path:line: message` naming the field and the fix (every problem in
one run, no traceback, public/ untouched), or accepted and rendered harmless.

The notes are in tests/corpus/ (rejected/ and accepted/); binary, encoding and oversized cases are made here.
Builds run build.py as a process; the timing and memory bounds of the YAML reader are checked in-process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import time
import tracemalloc
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from conftest import ROOT, SITE_TOML, Site, incident

from salvo.config import load_config
from salvo.errors import Problem
from salvo.notes import parse_bytes, parse_note
from salvo.validate import sort_notes, validate_note

CORPUS = Path(__file__).resolve().parent / "corpus"
EPOCH = "1748736000"  # 2025-06-01 in Korea: "in the future" and "today is" stay stable
ATOM = "{http://www.w3.org/2005/Atom}"


def build_env() -> dict[str, str]:
    """The environment for build.py: today fixed by SOURCE_DATE_EPOCH."""
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}


def freeze_theme(site: Site) -> Site:
    """Give a site its own copy of Salvo's templates and static files, so that edits to them elsewhere in the
    tree while a test runs cannot change its output between two builds it compares."""
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, site.root / folder, dirs_exist_ok=True)
    return site


# ---------------------------------------------------------------------------------------------------------------
# What no output may carry: shared with test_properties.py.

SITE_SCRIPT = "/static/filter.js"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "longdesc", "srcset", "ping", "manifest", "codebase", "lowsrc", "dynsrc"}
EMBEDDING = {"iframe", "frame", "frameset", "object", "embed", "applet", "form", "style", "base", "link", "meta",
             "input", "button", "select", "textarea", "portal"}
BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript):", re.IGNORECASE)
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


class _Auditor(HTMLParser):
    """Walks one page (or one HTML fragment) and lists every piece of markup that could run or load code."""

    def __init__(self, fragment: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = fragment
        self.in_filters = 0
        self.in_script = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag == "body":
            self.in_body = True
        if tag == "script":
            self.in_script = True
            if values != {"src": SITE_SCRIPT, "defer": ""}:
                self.found.append(f"{where}: a script other than the site's own {SITE_SCRIPT}: {values}")
        if tag == "form" and values.get("id") == "filters" and values.get("class") == "filters":
            self.in_filters += 1
        elif self.in_body and tag in EMBEDDING and not (self.in_filters and tag in ("input", "button", "select")):
            self.found.append(f"{where}: an embedding or form element in the page body")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(f"{where}: a meta refresh")
        for name, value in values.items():
            plain = INVISIBLE.sub("", value)
            if name.startswith("on"):
                self.found.append(f"{where}: an event handler {name}={value!r}")
            elif name in ("srcdoc", "formaction"):
                self.found.append(f"{where}: {name}={value!r}")
            elif name in URL_ATTRIBUTES and BAD_SCHEME.match(plain):
                self.found.append(f"{where}: {name}={value!r} runs code")
            elif name == "style" and re.search(r"javascript:|expression\(|url\(", plain, re.IGNORECASE):
                self.found.append(f"{where}: style={value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag == "form" and self.in_filters:
            self.in_filters -= 1

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"an inline script at line {self.getpos()[0]}: {data.strip()[:80]!r}")


def executable_markup(html: str, fragment: bool = False) -> list[str]:
    """Every script, event handler, javascript:/data:/vbscript: URL and embedding element in the HTML."""
    auditor = _Auditor(fragment)
    auditor.feed(html)
    auditor.close()
    return auditor.found


def audit_output(public: Path) -> list[str]:
    """Executable markup anywhere in a built site: its pages, its feed's entries, its JSON files."""
    found = []
    for path in sorted(public.rglob("*.html")):
        found += [f"{path.relative_to(public)}: {item}" for item in executable_markup(path.read_text("utf-8"))]
    feed = ET.fromstring((public / "feed.xml").read_bytes())
    for entry in feed.iter(f"{ATOM}entry"):
        title = entry.find(f"{ATOM}title")
        if title is None or len(title):
            found.append("feed.xml: an entry title holds elements")
        content = entry.find(f"{ATOM}content")
        if content is not None:
            found += [f"feed.xml content: {item}" for item in executable_markup(content.text or "", fragment=True)]
    for path in sorted(public.rglob("*.json")):
        if b"<" in path.read_bytes():
            found.append(f"{path.relative_to(public)}: a raw `<` (markup must be escaped as \\u003c)")
    return found


def broken_links(public: Path) -> list[str]:
    """Every site-internal href or src of every page that names no built file."""
    broken = []
    for page in sorted(public.rglob("*.html")):
        for value in re.findall(r'(?:href|src)="(/[^"/][^"]*|/)"', page.read_text("utf-8")):
            path = unquote(urlsplit(value).path).lstrip("/")
            target = public / path
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(public)} -> {value}")
    return broken


def files_under(root: Path, *skip: str) -> dict[str, bytes]:
    """Every file under a folder with its bytes, leaving out the named top-level folders."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(root).parts[0] not in skip}


class _Tree(HTMLParser):
    """The elements inside the first element with a given class, with their attributes and text."""

    def __init__(self, tag: str, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = (tag, cls)
        self.depth = 0
        self.done = False
        self.open: list[dict[str, object]] = []
        self.elements: list[dict[str, object]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if not self.depth and not self.done and (tag, values.get("class")) == self.wanted:
            self.depth = 1
            return
        if self.depth:
            element = {"tag": tag, "attrs": values, "text": ""}
            self.elements.append(element)
            if tag not in ("br", "hr", "img", "input", "meta", "link"):
                self.open.append(element)
                self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if self.open and self.open[-1]["tag"] == tag:
            self.open.pop()
            self.depth -= 1
        elif not self.open and tag == self.wanted[0]:
            self.depth, self.done = 0, True

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data
            for element in self.open:
                element["text"] = str(element["text"]) + data


def inside(html: str, tag: str, cls: str) -> _Tree:
    """Parse a page and keep what is inside the first <tag class="cls">."""
    tree = _Tree(tag, cls)
    tree.feed(html)
    tree.close()
    return tree


# ---------------------------------------------------------------------------------------------------------------
# Rejected: one build over the whole corpus, then one test per note.

NOT_UTF8 = ("is not UTF-8 text (byte 0x{:02x} cannot be decoded): it may be saved in a legacy encoding such as "
            "EUC-KR, Shift_JIS or Windows-1252; re-save the file as UTF-8")
BAD_URL = "`sources.0.url` must be a well-formed http(s) URL without spaces, not `{}`"
NO_WORD = "`{}` is `{}`, which has no letters or digits to make a web address from: use a word"

GENERATED: dict[str, bytes] = {
    "2017-08-01-binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "2017-08-02-euc-kr.md": incident("화성-14형 발사", "2017-08-02").encode("euc_kr"),
    "2017-08-03-shift-jis.md": incident("弾道ミサイル発射", "2017-08-03").encode("shift_jis"),
    "2017-08-04-utf-16.md": incident(date="2017-08-04").encode("utf-16"),
    "2017-08-05-windows-1252.md": incident("Café launch", "2017-08-05").encode("cp1252"),
    "2017-08-06-control-character.md": incident(date="2017-08-06", body="One.\n\nA form feed \x0c here.").encode(),
    "2017-08-07-deep-nesting.md": ("---\ntitle: " + "[" * 100_000 + "\n---\n").encode(),
    "2017-08-11-latin1-mojibake.md": incident(date="2017-08-11", body="They said \x85 it flew.").encode(),
    "2017-08-08-nested-lists.md": incident(date="2017-08-08", body="Intro.\n\n" + "- " * 5000 + "x").encode(),
    "2017-08-09-unclosed-brackets.md": incident(date="2017-08-09", body="[a " * 20_000).encode(),
    "2017-08-10-dense-paragraph.md": incident(date="2017-08-10", body="Intro.\n\n" + "*a* " * 50_000).encode(),
}

REJECTED: dict[str, list[tuple[int, str]]] = {
    # Front matter malformed, unclosed, missing, not at the top; empty files.
    "2017-01-01-empty.md": [(1, "the file is empty: a note starts with `---`, its fields, and `---`")],
    "2017-01-02-blank.md": [(1, "the file is empty: a note starts with `---`, its fields, and `---`")],
    "2017-01-03-no-front-matter.md": [(1, "no front matter: start the note with a line `---`, then its fields "
                                          "(`title: ...`, `date: ...`), then another `---`")],
    "2017-01-04-not-at-top.md": [(1, "the front matter must start on the first line, but the first `---` is on "
                                     "line 3: move it, and the fields after it, to the top")],
    "2017-01-05-unclosed.md": [(1, "the front matter is never closed: did you forget to add `---` after the last "
                                   "field?")],
    "2017-01-06-unclosed-bracket.md": [(2, "invalid YAML in `title`: a `[` is never closed: add the `]`, or put "
                                           "the whole value in quotes")],
    "2017-01-07-colon-in-value.md": [(2, "invalid YAML in `title`: a value contains `: `: put the whole value in "
                                         "quotes")],
    "2017-01-08-unclosed-quote.md": [(2, "invalid YAML in `title`: a quotation mark is never closed: add the "
                                         "closing quote")],
    "2017-01-09-list.md": [(2, "the front matter must be `key: value` lines, one field per line")],
    "2017-01-10-only-comments.md": [(2, "the front matter has no fields, only comments: add the note's fields "
                                        "(`title: ...`, `date: ...`) between the `---` lines")],
    "2017-01-11-empty-front-matter.md": [(2, "the front matter is empty: add the note's fields between the `---` "
                                             "lines")],
    # YAML traps.
    "2017-02-01-tab-indent.md": [(14, "invalid YAML in `sources`: a tab character is used for indentation: YAML "
                                      "needs spaces, replace the tabs with spaces")],
    "2017-02-02-duplicate-key.md": [(13, "duplicate key `title` (first given on line 2): keep only one")],
    "2017-02-03-alias.md": [(12, "`launch_site` uses a YAML alias (*name): anchors and aliases are not allowed; "
                                 "write the value out")],
    "2017-02-04-alias-bomb.md": [(3, "`b.0` uses a YAML alias (*a): anchors and aliases are not allowed; write "
                                     "the value out")],
    "2017-02-05-python-tag.md": [(2, "`title` has the YAML tag `!!python/object/apply:os.system`: tags are not "
                                     "allowed; remove it and write a plain value")],
    "2017-02-06-local-tag.md": [(7, "`count` has the YAML tag `!custom`: tags are not allowed; remove it and "
                                    "write a plain value")],
    "2017-02-07-merge-key.md": [(13, "YAML merge keys (`<<`) are not allowed: write the fields out in this "
                                     "mapping")],
    "2017-02-08-nesting.md": [(13, "`caveats.0.0.0.0.0.0.0` is nested too deeply (more than 8 levels): notes "
                                   "need only lists of simple fields")],
    "2017-08-07-deep-nesting.md": [(2, "`title.0.0.0.0.0.0.0` is nested too deeply (more than 8 levels): notes "
                                       "need only lists of simple fields")],
    # Wrong types.
    "2017-03-01-count-word.md": [(7, "`count` must be a whole number or null when unknown, not `several`")],
    "2017-03-02-negative-distance.md": [(10, "`distance_km` must be 0 or more, not -5: write null when unknown")],
    "2017-03-03-nan.md": [(11, "`apogee_km` must be a real number, not nan: write null when unknown")],
    "2017-03-04-landing-no.md": [(13, "`landing` must be text, but YAML read `no` as true/false: put it in "
                                      "quotes, `landing: \"no\"`")],
    "2017-03-05-time-unquoted.md": [(4, "`time` must be quoted, `time: \"10:30\"`: unquoted, YAML 1.1 may read a "
                                        "time as a number of minutes")],
    "2017-03-06-count-fraction.md": [(7, "`count` must be a whole number of 1 or more, not 1.5: write null when "
                                         "unknown")],
    "2017-03-07-count-hex-garbage.md": [(7, "`count` must be a whole number or null when unknown, not `0x_`")],
    "2017-03-08-huge-number.md": [(10, "`distance_km` is `" + "1" + "0" * 59 + "…`, far too large to be right "
                                       "(the limit is 1,000,000,000): check the number")],
    "2017-03-09-title-number.md": [(2, "`title` must be text, but YAML read `1.0` as a number: put it in quotes, "
                                       "`title: \"1.0\"`")],
    "2017-03-10-control-escape.md": [(2, "`title` contains the control character U+0007, which cannot be "
                                         "published: remove it (check the `\\` escapes in double quotes)")],
    "2017-03-11-tags-not-list.md": [(13, "`tags` must be a list, e.g. `tags: [a, b]`")],
    "2017-03-12-draft-word.md": [(13, "`draft` must be true or false, not `maybe`")],
    "2017-03-13-latitude.md": [(13, "`latitude` must be between -90 and 90 degrees, not 139.9")],
    # Dates.
    "2017-04-01-date-slashes.md": [(3, "`date` must be \"YYYY-MM-DD\", or \"YYYY-MM\" when only the month is known, "
                                       "not `01/04/2017`")],
    "2017-04-02-date-short.md": [(3, "`date` must be \"YYYY-MM-DD\", or \"YYYY-MM\" when only the month is known, "
                                     "not `2017-4-2`")],
    "2017-04-03-date-with-time.md": [(3, "`date` must be a date without a time; put the time in `time: \"HH:MM\"`")],
    "2017-04-04-name-disagrees.md": [(3, "the file name starts with 2017-04-04 but `date` is 2017-04-05: make them "
                                         "agree (rename the file to 2017-04-05-name-disagrees.md or fix the date)")],
    "2017-13-month-13.md": [(3, "`date` 2017-13 is not a real date: check the month and the day")],
    "2023-02-29-not-leap.md": [(3, "`date` 2023-02-29 is not a real date: check the month and the day")],
    "2023-02-30-impossible-date.md": [(3, "`date` 2023-02-30 is not a real date: check the month and the day")],
    "2099-01-01-future.md": [(3, "`date` 2099-01-01 is in the future (today is 2025-06-01): check the year")],
    "1983-12-31-before-record.md": [(3, "`date` 1983-12-31 is before the record starts (1984-01-01, "
                                        "`record_start` in site.toml)")],
    "launch-without-date.md": [(1, "the file name must start with the date and a slug, e.g. "
                                   "`2017-07-04-hwasong-14.md`: rename the file")],
    # Unknown keys and values outside a vocabulary.
    "2017-05-01-unknown-key.md": [(13, "unknown field `titel`. Did you mean `title`? Remove it or fix its name.")],
    "2017-05-02-missile-type.md": [(5, "`missile_type` is `ICMB`, which is not in [vocabularies.missile_types] of "
                                       "site.toml. Did you mean `ICBM`? Use one of: SRBM, IRBM, ICBM, cruise")],
    "2017-05-03-outcome.md": [(12, "`outcome` is `sucess`, which is not in [vocabularies.outcomes] of site.toml. "
                                   "Did you mean `success`? Use one of: success, failure, unknown")],
    "2017-05-04-kind.md": [(13, "`kind` is `launches`: use one of launch, nuclear_test. Did you mean `launch`?")],
    "2017-05-07-kind-typo.md": [(5, "`kind` is `nuclear-test`: use one of launch, nuclear_test. Did you mean "
                                    "`nuclear_test`?")],
    "2017-05-05-missing-fields.md": [(1, "missing field `outcome`: add `outcome: ...` to the front matter"),
                                     (1, "missing field `title`: add `title: ...` to the front matter")],
    "2017-05-06-source-key.md": [(14, "the source needs a `url` starting with https:// or http://"),
                                 (15, "unknown field `link` in source 1. A source has title, publisher, url")],
    # Values that become part of a path.
    "2017-06-01-tag-punctuation.md": [(13, NO_WORD.format("tags.0", "!!!"))],
    "2017-06-02-tag-dot-dot.md": [(13, NO_WORD.format("tags.1", ".."))],
    "2017-06-03-tag-too-long.md": [(13, "`tags.0` makes a web address of 300 bytes, over the limit of 200: "
                                        "shorten it")],
    "2017-06-04-province-dot-dot.md": [(9, NO_WORD.format("province", "../.."))],
    # Source URLs that would run code.
    "2017-07-01-javascript-url.md": [(15, BAD_URL.format("javascript:alert(1)"))],
    "2017-07-02-entity-url.md": [(15, BAD_URL.format("jav&#x61;script:alert(1)"))],
    "2017-07-03-split-url.md": [(15, BAD_URL.format("java\\nscript:alert(1)"))],
    "2017-07-04-data-url.md": [(15, BAD_URL.format("data:text/html,<script>alert(1)</script>"))],
    "2017-07-05-vbscript-url.md": [(15, BAD_URL.format("vbscript:msgbox(1)"))],
    "2017-07-06-attribute-break.md": [(15, BAD_URL.format('https://example.com/" onmouseover="alert(1)'))],
    # Encodings and control characters (made above).
    "2017-08-01-binary.md": [(3, "is a binary file, not a text note: remove it from content/")],
    "2017-08-02-euc-kr.md": [(2, NOT_UTF8.format(0xBC))],
    "2017-08-03-shift-jis.md": [(2, NOT_UTF8.format(0x92))],
    "2017-08-04-utf-16.md": [(1, "is saved as UTF-16 (or UTF-32) text, not UTF-8: re-save the file as UTF-8")],
    "2017-08-05-windows-1252.md": [(2, NOT_UTF8.format(0xE9))],
    "2017-08-06-control-character.md": [(20, "contains the control character U+000C, which cannot be published "
                                             "(pages and the feed forbid it): delete it; an editor that shows "
                                             "invisible characters will find it")],
    "2017-08-11-latin1-mojibake.md": [(18, "contains the control character U+0085, which cannot be published "
                                           "(pages and the feed forbid it): delete it; an editor that shows "
                                           "invisible characters will find it")],
    # Bodies Markdown could not read in bounded time or stack.
    "2017-08-08-nested-lists.md": [(20, "the body nests lists or quotes more than 20 levels deep: flatten them (or "
                                        "put the text in a ``` code fence)")],
    "2017-08-09-unclosed-brackets.md": [(18, "the body has `[` or `(` from here on that are never closed, or nest "
                                             "very deeply: Markdown would take minutes to read them; close them, "
                                             "or write `\\[` and `\\(`")],
    "2017-08-10-dense-paragraph.md": [(20, "the body's paragraph from here is too long and too full of formatting "
                                           "marks for Markdown to read in reasonable time: split it into "
                                           "paragraphs (blank lines between)")],
}


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A good site built once, then the whole rejected corpus added and built again (which must fail)."""
    site = Site(tmp_path_factory.mktemp("rejected") / "site")
    site.write({"site.toml": SITE_TOML, "content/incidents/2017-07-04-good.md": incident()})
    freeze_theme(site)
    first = site.run("build", env=build_env())
    assert first.code == 0, first.err
    before = site.snapshot()
    corpus = {p.name: p.read_bytes() for p in (CORPUS / "rejected").iterdir()}
    assert not corpus.keys() & GENERATED.keys()
    site.write({f"content/incidents/{name}": data for name, data in {**corpus, **GENERATED}.items()})
    started = time.monotonic()
    run = site.run("build", env=build_env())
    seconds = time.monotonic() - started
    problems: dict[str, list[tuple[int, str]]] = {}
    for line in run.err.splitlines()[:-1]:
        match = re.fullmatch(r"content/incidents/([^:]+):(\d+): (.+)", line)
        assert match, f"not a `path:line: message` line: {line!r}"
        problems.setdefault(match.group(1), []).append((int(match.group(2)), match.group(3)))
    return {"site": site, "run": run, "before": before, "seconds": seconds, "problems": problems}


def test_rejected_corpus_covers_every_case():
    names = {p.name for p in (CORPUS / "rejected").iterdir()} | GENERATED.keys()
    assert names == REJECTED.keys()


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_each_broken_note_is_refused_with_its_line_field_and_fix(rejected, name):
    assert rejected["problems"].get(name) == REJECTED[name]


def test_every_problem_is_reported_in_one_run_without_traceback_and_public_is_untouched(rejected):
    site, run = rejected["site"], rejected["run"]
    count = sum(len(found) for found in REJECTED.values())
    assert run.code == 1
    assert "Traceback" not in run.err and run.out == ""
    assert run.err.splitlines()[-1] == f"Error: {count} problems found; nothing was written."
    assert rejected["problems"].keys() == REJECTED.keys()  # the good note has no problem
    assert site.snapshot() == rejected["before"]
    assert not list(site.root.glob(".public*"))


def test_bombs_and_deep_nesting_are_refused_quickly_in_one_process(rejected):
    # The alias bomb, 100000 nested brackets and Markdown bombs are all in this run; each is refused early.
    assert rejected["seconds"] < 20


def test_no_yaml_tag_is_ever_executed(rejected):
    site = rejected["site"]
    assert not [p for p in site.root.parent.rglob("pwned-by-yaml")]
    assert not Path("pwned-by-yaml").exists()


BOMBS = {
    "alias bomb": ((CORPUS / "rejected" / "2017-02-04-alias-bomb.md").read_text(), 3,
                   "`b.0` uses a YAML alias (*a): anchors and aliases are not allowed; write the value out"),
    "100000 [": ("---\ntitle: " + "[" * 100_000 + "\n---\n", 2,
                 "`title.0.0.0.0.0.0.0` is nested too deeply (more than 8 levels): notes need only lists of simple "
                 "fields"),
    "100000 {": ("---\ntitle: " + "{a: " * 100_000 + "\n---\n", 2,
                 "`title.a.a.a.a.a.a.a` is nested too deeply (more than 8 levels): notes need only lists of simple "
                 "fields"),
    "block nesting": ("---\ntitle:\n" + "".join(" " * i + "- \n" for i in range(2000)) + "---\n", 10,
                  "`title.0.0.0.0.0.0.0` is nested too deeply (more than 8 levels): notes need only lists of "
                  "simple fields"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_yaml_bombs_fail_fast_in_bounded_memory(name):
    text, line, message = BOMBS[name]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        raw, problems = parse_note(text, "content/incidents/2017-01-01-bomb.md")
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raw is None
    assert problems == [Problem("content/incidents/2017-01-01-bomb.md", line, problems[0].field, message)]
    assert seconds < 2
    assert peak < 4 * len(text) + 8_000_000


# ---------------------------------------------------------------------------------------------------------------
# Accepted: hostile notes built once, then checked page by page.

KOREAN = "2017-07-04-화성-14형-발사"
JAPANESE = "2017-07-28-北朝鮮ミサイル発射"
ACCEPTED = {
    "hr-in-body.md": "content/incidents/2017-07-04-hr-in-body.md",
    "hostile-markup.md": "content/incidents/2017-07-28-hostile-markup.md",
    "korean.md": f"content/incidents/{KOREAN}.md",
    "japanese.md": f"content/incidents/{JAPANESE}.md",
    "path-traversal.md": "content/incidents/2017-08-29-path-traversal.md",
    "context-hostile.md": "content/context/2018-06-12-summit.md",
    "page-hostile.md": "content/pages/about.md",
}
HOSTILE_TITLE = "{{ 7*7 }} <script>alert('title')</script>"


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The accepted corpus under its file names, built once."""
    site = Site(tmp_path_factory.mktemp("accepted") / "site")
    site.write({"site.toml": SITE_TOML})
    site.write({rel: (CORPUS / "accepted" / name).read_bytes() for name, rel in ACCEPTED.items()})
    before = files_under(site.root.parent, "site") | files_under(site.root, "public", ".salvo-cache")
    run = site.run("build", env=build_env())
    after = files_under(site.root.parent, "site") | files_under(site.root, "public", ".salvo-cache")
    return {"site": site, "run": run, "unchanged": before == after}


def test_accepted_corpus_builds(accepted):
    run = accepted["run"]
    assert run.code == 0, run.err
    assert run.out.startswith("Built 7 notes into ")
    assert run.err == ""


def test_no_page_feed_entry_or_data_file_carries_executable_markup(accepted):
    site = accepted["site"]
    assert audit_output(site.public) == []
    # The auditor does see the site's own script, and would see a smuggled one.
    assert executable_markup(f'<script src="{SITE_SCRIPT}" defer></script>') == []
    assert executable_markup('<a href="jav&#x61;\nscript:x">') != []


def test_text_is_escaped_and_never_evaluated_as_a_template(accepted):
    site = accepted["site"]
    page = site.page("incidents/2017-07-28-hostile-markup/index.html")
    assert page.text_of("h1") == [HOSTILE_TITLE]
    assert page.text_of("title") == [f"{HOSTILE_TITLE} · Test timeline"]
    html = (site.public / "incidents/2017-07-28-hostile-markup/index.html").read_text()
    table = inside(html, "table", "facts-table").elements  # the body, which comes first, has tables of its own
    facts = dict(zip([str(e["text"]) for e in table if e["tag"] == "th"],
                     [str(e["text"]) for e in table if e["tag"] == "td"], strict=True))
    assert facts["Missile"] == "<img src=x onerror=alert('name')>"
    assert facts["Site"] == "javascript:alert('site')"
    assert facts["Landing"] == "</td><script>alert('landing')</script>"
    caveats = [str(e["text"]) for e in inside(html, "aside", "caveats").elements if e["tag"] == "li"]
    assert caveats == ["<iframe src=\"javascript:alert('caveat')\"></iframe>", "{% raw %}{{ config }}{{ 7*7 }}"]
    body = inside(html, "div", "body")
    assert "Template syntax stays text: {{ 7*7 }} {% if true %}yes{% endif %} {{ config.title }}" in body.text
    tags = [a["text"] for a in page.find_all("a") if str(a["attrs"].get("href", "")).startswith("/tags/")]
    assert "{{ 7*7 }}" in tags
    assert "49" not in " ".join([*page.text_of("h1"), *page.text_of("title"), *caveats, *map(str, tags), body.text])
    assert site.page("context/2018-06-12-summit/index.html").text_of("h1") == [
        "Summit <script>alert('context')</script> {{ 7*7 }}"]
    assert site.page("about/index.html").text_of("h1") == ["About <svg onload=alert('page')>"]


def test_legitimate_links_and_formatting_survive(accepted):
    site = accepted["site"]
    body = inside((site.public / "incidents/2017-07-28-hostile-markup/index.html").read_text(), "div", "body")
    links = [(e["attrs"].get("href"), e["text"]) for e in body.elements if e["tag"] == "a"]
    assert ("https://example.com/report?a=1&b=2", "report link") in links
    assert [e["text"] for e in body.elements if e["tag"] in ("em", "strong")][:2] == ["emphasis", "strong"]
    cells = [e["text"] for e in body.elements if e["tag"] in ("th", "td")]
    assert cells == ["Missile", "Range", "Hwasong-14", "998 km"]
    page = site.page("incidents/2017-07-28-hostile-markup/index.html")
    sources = page.find_all("ol", class_="sources")
    assert sources and "A source" in str(sources[0]["text"])
    assert [a["attrs"]["href"] for a in page.find_all("a") if "A source" in str(a["text"])] == [
        "https://example.com/report?a=1&b=2"]
    about = inside((site.public / "about/index.html").read_text(), "div", "body")
    assert [(e["attrs"].get("href"), e["text"]) for e in about.elements if e["tag"] == "a"] == [
        ("/periods/", "the administrations")]


def test_body_dashes_after_the_front_matter_render_and_are_not_fields(accepted):
    site = accepted["site"]
    html = (site.public / "incidents/2017-07-04-hr-in-body/index.html").read_text()
    page = site.page("incidents/2017-07-04-hr-in-body/index.html")
    assert page.text_of("h1") == ["A body with rules of its own"]
    facts = dict(zip(page.text_of("th", scope="row"), page.text_of("td"), strict=False))
    assert facts["Outcome"] == "Success"
    body = inside(html, "div", "body")
    assert [e["tag"] for e in body.elements].count("hr") == 2
    text = " ".join(body.text.split())
    assert text.startswith("First part of the account.")
    assert "outcome: failure" in text and text.endswith("Last part of the account.")


def test_feed_entries_are_escaped_html_that_parses_safely(accepted):
    site = accepted["site"]
    feed = ET.fromstring((site.public / "feed.xml").read_bytes())
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    hostile = entries[HOSTILE_TITLE]
    content = hostile.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html" and len(content) == 0
    html = content.text or ""
    assert executable_markup(html, fragment=True) == []
    assert '<a href="https://example.com/report?a=1&amp;b=2"' in html and "<table>" in html
    rules = entries["A body with rules of its own"].find(f"{ATOM}content")
    assert rules is not None and "<hr>" in (rules.text or "")


def test_data_files_carry_the_text_and_no_markup(accepted):
    site = accepted["site"]
    raw = (site.public / "data/incidents.json").read_bytes()
    assert b"<" not in raw and b">" not in raw
    rows = {row["url"]: row for row in json.loads(raw)["incidents"]}
    row = rows["https://example.org/incidents/2017-07-28-hostile-markup/"]
    assert row["missile_name"] == "<img src=x onerror=alert('name')>"
    assert row["event_id"] == "\"><svg onload=alert('id')>"
    sitemap = ET.fromstring((site.public / "sitemap.xml").read_bytes())
    locations = [loc.text or "" for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations and all(loc.startswith("https://example.org/") and "<" not in loc for loc in locations)


def test_non_latin_names_get_distinct_working_urls(accepted):
    site = accepted["site"]
    for path in (f"incidents/{KOREAN}", f"incidents/{JAPANESE}", "tags/대륙간탄도미사일", "tags/첫시험",
                 "tags/弾道ミサイル", "tags/大陸間弾道ミサイル", "provinces/평안북도", "provinces/慈江道"):
        assert (site.public / path / "index.html").is_file(), path
    home = (site.public / "index.html").read_text()
    for stem in (KOREAN, JAPANESE):
        assert f'href="{quote(f"/incidents/{stem}/")}"' in home
    assert site.page(f"incidents/{KOREAN}/index.html").text_of("h1") == ["화성-14형 대륙간탄도미사일 발사"]
    assert site.page(f"incidents/{JAPANESE}/index.html").text_of("h1") == ["北朝鮮、弾道ミサイルを発射"]
    assert broken_links(site.public) == []


def test_values_that_look_like_paths_stay_inside_public(accepted):
    site = accepted["site"]
    assert accepted["unchanged"]  # nothing outside public/ and the cache was written
    assert not Path("/tmp/salvo-escape").exists()
    public = site.public.resolve()
    for path in site.public.rglob("*"):
        assert not path.is_symlink()
        assert path.resolve().is_relative_to(public)
        assert ".." not in path.relative_to(site.public).parts
    tags = sorted(p.name for p in (site.public / "tags").iterdir() if p.is_dir())
    assert {"tmp-salvo-escape", "windows-system32", "etc-passwd", "2e-2e-2fescape", "ssh-keys", "c-boot"} <= set(tags)
    assert (site.public / "provinces/outside-province/index.html").is_file()


# ---------------------------------------------------------------------------------------------------------------
# Single scenarios.


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf", "cr"])
def test_bom_and_windows_line_endings_render_exactly_like_the_plain_file(make_site, variant):
    text = (CORPUS / "accepted" / "hr-in-body.md").read_text()
    site = freeze_theme(make_site({"content/incidents/2017-07-04-hr-in-body.md": text}))
    assert site.run("build", env=build_env()).code == 0
    plain = site.snapshot()
    data = text.replace("\n", "\r\n" if "crlf" in variant else "\r" if variant == "cr" else "\n").encode()
    site.write({"content/incidents/2017-07-04-hr-in-body.md": (b"\xef\xbb\xbf" if "bom" in variant else b"") + data})
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    assert site.snapshot() == plain
    assert "\ufffd" not in (site.public / "incidents/2017-07-04-hr-in-body/index.html").read_text()


CLASHES = [
    ("content/incidents/2017-07-04-A.md", "content/incidents/2017-07-04-a.md", "/incidents/2017-07-04-a/"),
    ("content/incidents/2017-07-05-hwasong 14.md", "content/incidents/2017-07-05-hwasong-14.md",
     "/incidents/2017-07-05-hwasong-14/"),
    ("content/incidents/2017-07-06-ﾐｻｲﾙ.md", "content/incidents/2017-07-06-ミサイル.md",
     "/incidents/2017-07-06-ミサイル/"),
    (unicodedata.normalize("NFD", "content/incidents/2017-07-07-화성.md"), "content/incidents/2017-07-07-화성.md",
     "/incidents/2017-07-07-화성/"),
    ("content/context/2018-06-12-Summit.md", "content/context/2018-06-12-summit!.md", "/context/2018-06-12-summit/"),
    ("content/pages/About.md", "content/pages/about.md", "/about/"),
]


def clash_note(rel: str) -> str:
    """A valid note for the section and date its path names."""
    stem = rel.rsplit("/", 1)[1].removesuffix(".md")
    if "/pages/" in rel:
        return '---\ntitle: "About"\n---\nAbout.\n'
    if "/context/" in rel:
        return (f'---\ntitle: "Summit"\ndate: "{stem[:10]}"\nkind: summit\nsources:\n  - title: "S"\n'
                '    url: "https://example.com/s"\n---\n')
    return incident(date=stem[:10])


def clash_messages() -> list[str]:
    """The two lines expected for each clashing pair, in the order build.py prints them."""
    lines = []
    for first, second, url in CLASHES:
        for rel, other in ((first, second), (second, first)):
            lines.append(f"{rel}:1: this note and {other} publish to the same URL {url}: rename one of them")
    return sorted(lines)


@pytest.mark.parametrize("order", ["forward", "reversed"])
def test_two_notes_that_would_publish_to_one_url_are_both_named(make_site, order):
    names = [rel for first, second, _ in CLASHES for rel in (first, second)]
    site = make_site()
    for rel in names if order == "forward" else reversed(names):  # created, so listed on disk, in this order
        site.write({rel: clash_note(rel)})
    run = site.run("build", env=build_env())
    assert run.code == 1
    assert run.err.splitlines() == [*clash_messages(), f"Error: {len(CLASHES) * 2} problems found; nothing was "
                                                       "written."]
    assert not site.public.exists()


def test_url_clashes_do_not_depend_on_the_order_notes_are_read(tmp_path):
    (tmp_path / "site.toml").write_text(SITE_TOML)
    config = load_config(tmp_path)
    notes = []
    for first, second, _ in CLASHES:
        for rel in (first, second):
            raw, problems = parse_bytes(rel, clash_note(rel).encode())
            assert raw is not None, problems
            note, problems = validate_note(raw, config, dt.date(2025, 6, 1))
            assert note is not None, problems
            notes.append(note)
    shuffler = random.Random(20170704)
    for _ in range(20):
        shuffler.shuffle(notes)
        _, problems = sort_notes(notes)
        assert sorted(map(str, problems)) == clash_messages()


def test_symbolic_links_folders_and_special_files_are_refused(make_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2018-06-12-summit.md").write_text(clash_note("content/context/2018-06-12-summit.md"))
    (tmp_path / "site-outside.md").write_text(incident(date="2017-07-06"))
    site = make_site({"content/incidents/2017-07-04-good.md": incident()})
    incidents = site.root / "content" / "incidents"
    (incidents / "2017-07-05-passwd.md").symlink_to("/etc/passwd")
    (incidents / "2017-07-06-outside.md").symlink_to(tmp_path / "site-outside.md")
    (incidents / "2017-07-07-loop.md").symlink_to("2017-07-07-loop.md")
    (incidents / "2017-07-08-dangling.md").symlink_to("missing.md")
    os.mkfifo(incidents / "2017-07-09-fifo.md")
    (site.root / "content" / "context").symlink_to(outside, target_is_directory=True)
    run = site.run("build", env=build_env())  # a pipe read as a note would block here forever
    assert run.code == 1
    outside_content = "is a symbolic link to a file outside content/: copy the file into content/ instead"
    nowhere = ("is a symbolic link that leads nowhere (its target is missing, or the link loops): remove it or "
               "point it at a note")
    assert run.err.splitlines() == [
        "content/context:1: is a symbolic link to a folder, which Salvo does not follow: move the notes themselves "
        "into content/",
        f"content/incidents/2017-07-05-passwd.md:1: {outside_content}",
        f"content/incidents/2017-07-06-outside.md:1: {outside_content}",
        f"content/incidents/2017-07-07-loop.md:1: {nowhere}",
        f"content/incidents/2017-07-08-dangling.md:1: {nowhere}",
        "content/incidents/2017-07-09-fifo.md:1: is not a regular file (a pipe, socket or device): remove it from "
        "content/",
        "Error: 6 problems found; nothing was written.",
    ]


def test_links_in_static_and_templates_that_leave_them_are_refused_by_build_and_check(make_site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "note.html").write_text("<p>Outside</p>\n")
    site = freeze_theme(make_site({"content/incidents/2017-07-04-good.md": incident()}))
    static, templates = site.root / "static", site.root / "templates"
    (static / "env.txt").symlink_to("/proc/self/environ")  # the build's environment, CI secrets included
    (static / "etc").symlink_to("/etc", target_is_directory=True)
    (static / "gone.css").symlink_to("missing.css")
    (static / "copy.css").symlink_to("style.css")  # inside static/: fine
    (templates / "parts").symlink_to(outside, target_is_directory=True)
    (templates / "loop.html").symlink_to("loop.html")
    (templates / "again").symlink_to(templates, target_is_directory=True)  # inside templates/: fine
    elsewhere = Site(tmp_path / "elsewhere")  # a site whose static/ itself is a link out of it
    elsewhere.write({"site.toml": SITE_TOML, "content/incidents/2017-07-04-good.md": incident()})
    (elsewhere.root / "static").symlink_to(outside, target_is_directory=True)
    nowhere = "is a symbolic link that leads nowhere (its target is missing, or the link loops): remove it or point it"
    expected = [(site, [
        "static/env.txt:1: is a symbolic link to a file outside static/: copy the file into static/ instead",
        "static/etc:1: is a symbolic link to a folder outside static/: copy the folder into static/ instead",
        f"static/gone.css:1: {nowhere} at a file in static/",
        f"templates/loop.html:1: {nowhere} at a file in templates/",
        "templates/parts:1: is a symbolic link to a folder outside templates/: copy the folder into templates/ "
        "instead",
    ]), (elsewhere, ["static:1: is a symbolic link to a folder outside the site: copy the folder into the site as "
                     "static/ instead"])]
    for which, problems in expected:
        run = which.run("build", env=build_env())
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        assert (run.code, run.err.splitlines()) == (1, [*problems, f"Error: {count} found; nothing was written."])
        assert not which.public.exists()
        checked = which.run("check", env=build_env())
        assert (checked.code, checked.out.splitlines()) == (1, problems)
    (static / "env.txt").unlink()
    for link in ("etc", "gone.css"):
        (static / link).unlink()
    for link in ("parts", "loop.html"):
        (templates / link).unlink()
    assert site.run("build", env=build_env()).code == 0
    assert (site.public / "static" / "copy.css").read_bytes() == (static / "style.css").read_bytes()


def test_a_note_over_the_size_limit_is_refused_with_its_size_and_the_limit(make_site):
    big = incident(body="North Korea launched a missile. " * 90_000)
    big += "x" * (3 * 1024 * 1024 - len(big.encode()))
    site = make_site({"content/incidents/2017-07-04-big.md": big})
    started = time.monotonic()
    run = site.run("build", env=build_env())
    assert time.monotonic() - started < 20
    assert run.err.splitlines() == [
        "content/incidents/2017-07-04-big.md:1: the note is 3072 KB, over the limit of 1024 KB (max_note_kb in "
        "site.toml): shorten it or split it",
        "Error: 1 problem found; nothing was written.",
    ]
    site.write({"site.toml": SITE_TOML.replace("compare_from", "max_note_kb = 16\ncompare_from"),
                "content/incidents/2017-07-04-big.md": big[: 20 * 1024]})
    assert site.run("build", env=build_env()).err.splitlines()[0] == (
        "content/incidents/2017-07-04-big.md:1: the note is 20 KB, over the limit of 16 KB (max_note_kb in "
        "site.toml): shorten it or split it")


def test_a_note_just_under_the_limit_is_built_in_bounded_time(make_site):
    paragraph = ("North Korea launched a *ballistic missile* from [Panghyon](https://example.com/p) today. "
                 + "It flew east and fell into the sea, officials in Seoul and Tokyo said. " * 9)
    body = (paragraph + "\n\n") * (1000 * 1024 // (len(paragraph) + 2))
    site = make_site({"content/incidents/2017-07-04-long.md": incident(body=body)})
    started = time.monotonic()
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    assert time.monotonic() - started < 90
    assert (site.public / "incidents/2017-07-04-long/index.html").stat().st_size > 1000 * 1024


def test_record_start_in_site_toml_decides_what_is_too_old(make_site):
    toml = SITE_TOML.replace("record_start = 1984-01-01", "record_start = 2000-01-01")
    site = make_site({"content/incidents/1999-05-01-early.md": incident(date="1999-05-01"),
                      "content/incidents/1999-12-early.md": incident(date="1999-12", time=None)}, toml=toml)
    run = site.run("build", env=build_env())
    assert run.err.splitlines() == [
        "content/incidents/1999-05-01-early.md:3: `date` 1999-05-01 is before the record starts (2000-01-01, "
        "`record_start` in site.toml)",
        "content/incidents/1999-12-early.md:3: `date` 1999-12 is before the record starts (2000-01-01, "
        "`record_start` in site.toml)",
        "Error: 2 problems found; nothing was written.",
    ]
