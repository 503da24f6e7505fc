"""Properties over random and mutated notes: never a traceback, never a file outside the output folder, never
executable markup in a page.

In-process (fast, many examples): salvo.notes.parse_bytes and salvo.validate.validate_note return Problem lists
and nothing else; Markdown bodies come out sanitized; slugs stay single path segments. As a process (slow, a few
examples): whole builds through build.py exit 0 or 1, print no traceback, and write only inside public/.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

import markdown
import nh3
import pytest
from conftest import BUILD, ROOT, SITE_TOML, incident
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor
from test_hostile import audit_output, executable_markup

from salvo import markup
from salvo.config import SiteConfig, load_config
from salvo.errors import Problem
from salvo.markup import NEEDS, SkippingInlineProcessor, markdown_converter, plain_text, render_markdown
from salvo.notes import parse_bytes
from salvo.schema import INCIDENT
from salvo.slugs import slugify
from salvo.validate import segment_problem, validate_note
from salvo.write import safe_relative

TODAY = dt.date(2025, 6, 1)
EPOCH = "1748736000"
REL = "content/incidents/2017-07-04-random.md"
IN_PROCESS = settings(max_examples=100, deadline=None, database=None, print_blob=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Whole builds take a second each: a few examples, and no shrinking (it would take minutes); the failing example
# is printed whole, with a blob for @reproduce_failure.
BUILDS = settings(max_examples=5, deadline=None, database=None, print_blob=True, phases=[Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROBLEM_LINE = re.compile(r"[^\n]+?:\d+: [^\n]+")  # file names may hold colons
LINE_ENDS = (b"\n", b"\r", "\x85".encode(), "\u2028".encode(), "\u2029".encode())  # YAML counts them all


def _config() -> SiteConfig:
    """The test site's configuration, read once."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "site.toml").write_text(SITE_TOML)
        return load_config(Path(folder))


CONFIG = _config()
VALID = incident(tags="[icbm, first]", caveats='["Count is a floor"]', landing='"Sea of Japan"',
                 body="A short *account* with a [link](https://example.com/x).\n\n| a | b |\n|---|---|\n| 1 | 2 |")

# YAML that has tripped parsers: booleans, sexagesimal numbers, special floats, tags, anchors, odd scalars.
YAML_TRAPS = ["yes", "no", "on", "off", "~", "null", "10:30", "1:2:3", ".nan", "-.inf", ".inf", "0x_", "0b_", "0o7",
              "1e400", "1_000", "0777", "2017-07-04", "2017-02-30", "2017-07-04 10:00", "2017-07-04T10:00:00Z",
              "!!python/object/apply:os.system [ls]", "!!binary aGk=", "!!int x", "!!float x", "!!bool x",
              "!!timestamp x", "!!str 1", "!custom x", "&a x", "*a", "[a, [b, [c, [d]]]]", "{a: 1}", "{a: {b: [c]}}",
              "'single'", '"double"', '"\\x00"', '"\\ud800"', '"\\u0007"', "|\n  block", ">\n  folded", "- a",
              "a: b", "#comment", "@x", "`x", "%x", "? x", "[", "{", "]", '"', "'", "1" * 5000, "-5", "0", "1.5",
              "<script>alert(1)</script>", "javascript:alert(1)", "{{ 7*7 }}", "../../etc", "..", "한국어", "ミサイル"]
HOSTILE_HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=//evil>", "<form>",
                "<style>*{}</style>", "<a href='javascript:alert(1)'>x</a>", "<a href=\"jav&#x61;script:x\">y</a>",
                "<a href=\"java\nscript:x\">n</a>", "<a href=' &#14; javascript:x'>c</a>", "[m](javascript:x)",
                "[d](data:text/html,x)", "<svg onload=alert(1)>", "<math><mtext><table><mglyph><style><img src=x "
                "onerror=alert(1)>", "<object data=x>", "<embed src=x>", "<base href=//evil>",
                "<meta http-equiv=refresh content='0;url=javascript:x'>", "<div style='x:expression(alert(1))'>",
                "<a href=vbscript:x>v</a>", "<!-- <script>x</script> -->", "{{ 7*7 }}", "{% raw %}", "<", ">", "&",
                "*a*", "**b**", "`c`", "[l](https://example.com/)", "\n\n---\n\n", "\n- item\n", "\n> quote\n",
                "\n| a | b |\n|---|---|\n| 1 | 2 |\n", "\n```\n<script>\n```\n", "<textarea>", "<button formaction=x>",
                "<input onfocus=alert(1) autofocus>", "<details open ontoggle=alert(1)>", "<a href=data:,x>d</a>"]
YAML_SPECIAL = ":-[]{}#&*!|>'\"%@`,?\t\n "


def assert_problems(problems: list[Problem], rel: str, lines: int) -> None:
    """Problems are plain values that point into the file, on one line each."""
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == rel
        assert 1 <= problem.line <= lines + 1, problem
        assert problem.message and "\n" not in problem.message and "Traceback" not in problem.message
        assert PROBLEM_LINE.fullmatch(str(problem)), str(problem)


def check_note(data: bytes, rel: str = REL) -> None:
    """Read and validate one note in-process: only Problem lists, and sanitized HTML for a valid body."""
    raw, problems = parse_bytes(rel, data)
    lines = sum(data.count(end) for end in LINE_ENDS) + 1
    assert_problems(problems, rel, lines)
    if raw is None:
        assert problems
        return
    assert not problems
    note, found = validate_note(raw, CONFIG, TODAY)
    assert_problems(found, rel, lines)
    assert (note is None) == bool(found)
    if note is not None:
        html = render_markdown(raw.body)
        assert executable_markup(html, fragment=True) == []
        plain_text(html)


@IN_PROCESS
@given(st.binary(max_size=3000))
def test_random_bytes_give_problems_never_exceptions(data):
    check_note(data)
    check_note(b"---\n" + data)


@IN_PROCESS
@given(st.text(max_size=2000), st.text(max_size=500))
def test_random_text_gives_problems_never_exceptions(front, body):
    check_note(front.encode("utf-8", "surrogatepass"))
    check_note(f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))


@st.composite
def mutated(draw: st.DrawFn, text: str = VALID) -> str:
    """A valid note with characters inserted, deleted and replaced, favouring YAML's special characters."""
    characters = st.one_of(st.sampled_from(YAML_SPECIAL), st.characters(blacklist_categories=("Cs",)))
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate line"]))
        if kind == "insert":
            text = text[:at] + draw(st.text(characters, min_size=1, max_size=4)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 6)):]
        elif kind == "replace":
            text = text[:at] + draw(characters) + text[at + 1:]
        else:
            lines = text.split("\n")
            n = min(at, len(lines) - 1)
            text = "\n".join([*lines[: n + 1], lines[n], *lines[n + 1:]])
    return text


@IN_PROCESS
@given(mutated())
def test_mutations_of_a_valid_note_give_problems_never_exceptions(text):
    check_note(text.encode("utf-8", "surrogatepass"))


def yaml_values() -> st.SearchStrategy[str]:
    """A YAML value as it would be written after `key: `: traps, numbers, quoted and unquoted text, lists."""
    printable = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
    scalar = st.one_of(
        st.sampled_from(YAML_TRAPS),
        st.integers(-10**20, 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(printable, max_size=40).map(lambda s: json.dumps(s, ensure_ascii=False)),
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30),
        st.sampled_from(HOSTILE_HTML).map(json.dumps),
    )
    return st.one_of(scalar, st.lists(scalar, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"))


@st.composite
def random_fields(draw: st.DrawFn) -> str:
    """An incident note whose fields each hold a random YAML value (some kept valid, some left out)."""
    lines = ["---"]
    base = dict(line.split(": ", 1) for line in VALID.split("---\n")[1].splitlines() if ": " in line
                and not line.startswith(" "))
    for key in (*(f.name for f in INCIDENT), draw(st.sampled_from(["titel", "dates", "x", "sources.url", "<<"]))):
        choice = draw(st.sampled_from(["random", "random", "valid", "absent"]))
        if choice == "random":
            lines.append(f"{key}: {draw(yaml_values())}")
        elif choice == "valid" and key in base:
            lines.append(f"{key}: {base[key]}")
    if draw(st.booleans()):
        lines += ["sources:", f"  - title: {draw(yaml_values())}", f"    url: {draw(yaml_values())}"]
    body = "".join(draw(st.lists(st.sampled_from(HOSTILE_HTML), max_size=6)))
    return "\n".join(lines) + "\n---\n" + body


@IN_PROCESS
@given(random_fields())
def test_random_yaml_values_for_every_field_give_problems_never_exceptions(text):
    check_note(text.encode("utf-8", "surrogatepass"))


# Pieces of Markdown that start, end or nearly make every inline pattern, and smart punctuation.
MARKDOWN_PIECES = ["`", "``", "\\", "\\`", "\\'", '\\"', "[^1]", "[^1]: A note.\n", "[", "]", "(", ")", "![", "[a](/b)",
                   "![i](/c.png)", "[a]: /b\n", "[a]", "[a][]", "<", ">", "<b>", "</b>", "<https://x.org/a>",
                   "<me@x.org>", "<!-- c -->", "&", "&amp;", "&#39;", "&nbsp;", "&mdash;", "*", "**", "_", "__",
                   " * ", "  \n", "\t", "\r", "\r\n", "a\t\nb", "a  \r\nb", "\n", "\n\n", "-", "--", "---", "----",
                   ".", "..", "...", "....", "'", "''", '"', '""', "'s", "'70s", "'\"", "\"'", "—", "–", "a", "word",
                   " ", "    ", "> ", "- ", "1. ", "# ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "```\n", "~~~\n",
                   ":", "@", "x@y.z"]


@st.composite
def markdown_bodies(draw: st.DrawFn) -> str:
    """Text made of a few of the pieces above, many times over: each body lacks most patterns' text and is dense
    with the rest."""
    palette = draw(st.lists(st.sampled_from(MARKDOWN_PIECES), min_size=1, max_size=5, unique=True))
    pieces = st.one_of(st.sampled_from([*palette, "a", "b", " "]), st.text(max_size=3))
    return "".join(draw(st.lists(pieces, max_size=30))).replace("\x00", "")


@functools.cache
def plain_markdown() -> markdown.Markdown:
    """Markdown as Salvo configures it, with Markdown's own inline step."""
    return markdown.Markdown(extensions=markup.extensions(), output_format="html")


def same_html(body: str) -> bool:
    """Whether Salvo's Markdown (passing over patterns a piece of text cannot match) and Markdown's own agree."""
    skipping, plain = markdown_converter(), plain_markdown()
    assert type(plain.treeprocessors["inline"]) is InlineProcessor, "the comparison is with Markdown's own"
    assert type(skipping.treeprocessors["smarty"]) is SkippingInlineProcessor
    return skipping.reset().convert(body) == plain.reset().convert(body)


@settings(IN_PROCESS, max_examples=1000)
@given(markdown_bodies())
def test_a_body_converts_the_same_when_patterns_it_cannot_match_are_passed_over(body):
    assert same_html(body)


# For each pattern Salvo may pass over, texts it matches: its own triggers, in each of their forms.
MATCHED_BY = {
    "backtick": ["a `b` c"], "escape": ["a \\* b"], "footnote": ["a[^1]\n\n[^1]: b"],
    "reference": ["[a][r]\n\n[r]: /b"], "link": ["[a](/b)"], "short_reference": ["[r]\n\n[r]: /b"],
    "image_link": ["![a](/b.png)"], "image_reference": ["![a][r]\n\n[r]: /b.png"],
    "short_image_ref": ["![r]\n\n[r]: /b.png"], "autolink": ["<https://a.org/>"], "automail": ["<a@b.org>"],
    "html": ["a <b>c</b>"], "entity": ["x &#39;'' y"], "em_strong": ["a *b* c", "a _b_ c", "a **b** c", "a __b__ c"],
    "linebreak": ["a  \nb"], "smarty-em-dashes": ["a---b"], "smarty-en-dashes": ["a--b"], "smarty-ellipses": ["a..."],
    # Found by trying every short text: each of smarty's quote patterns changes these (no other stands in for it).
    **{f"smarty-quotes-{n}": [text] for n, text in enumerate([
        "x *''* y", "x *\"'* y", "x \"'a y", "x ''\"a y", "x '''\" y", "x '\"' y", "x '70s y", "x ' 'a y",
        "x ''' y", "x ' y", "x '' y", "x \" \"a y", "x \" y", "x \"\"\" y", "x \"' y"])},
}


@pytest.mark.parametrize("pattern", sorted(NEEDS))
def test_text_a_passed_over_pattern_matches_converts_the_same(pattern):
    for text in MATCHED_BY[pattern]:
        without = markdown.Markdown(extensions=markup.extensions(), output_format="html")
        for registry in (without.inlinePatterns, without.treeprocessors["smarty"].inlinePatterns):
            registry.deregister(pattern, strict=False)
        assert without.convert(text) != plain_markdown().reset().convert(text), \
            f"{pattern} does not match {text!r}: the sample tests nothing"
        assert same_html(text), text


# markup.SkippingInlineProcessor replaces the loop of Markdown's InlineProcessor, a private method
# (`_InlineProcessor__handleInline`), with the same loop that passes over patterns a piece cannot match. The class
# it copies is pinned by the digest of its source: if an upgrade of Markdown changes it in any way (renames the
# loop, which would make the override silently unused, or changes what it does), this fails until someone has
# checked the override against the new code and recorded the new digest.
INLINE_PROCESSOR_SOURCE = "74e75f976c4a0f2921989133d793f50e259c5820ff90e6cc986ec127b7556798"


def test_the_markdown_code_the_inline_speed_up_copies_is_the_code_it_was_checked_against():
    source = inspect.getsource(InlineProcessor)
    assert hashlib.sha256(source.encode()).hexdigest() == INLINE_PROCESSOR_SOURCE, (
        "Markdown's InlineProcessor changed: check salvo/markup.py's SkippingInlineProcessor against it, then "
        "update INLINE_PROCESSOR_SOURCE")
    assert "def __handleInline(" in source


def test_the_inline_speed_up_is_the_loop_markdown_runs(monkeypatch):
    calls = []
    original = markup.SkippingInlineProcessor._InlineProcessor__handleInline
    monkeypatch.setattr(markup.SkippingInlineProcessor, "_InlineProcessor__handleInline",
                        lambda self, *args: calls.append(args) or original(self, *args))
    assert markup.render_markdown("Some *emphasis* and a [link](https://example.org/).") == (
        '<p>Some <em>emphasis</em> and a <a href="https://example.org/" rel="noopener noreferrer">link</a>.</p>')
    assert calls, "Markdown no longer calls the loop Salvo replaces: the speed-up is not in use"


def test_every_note_of_the_site_converts_the_same_when_patterns_it_cannot_match_are_passed_over():
    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[1] for path in (ROOT / "content").rglob("*.md")]
    assert len(bodies) > 200
    assert all(same_html(body) for body in bodies)


def whole_text_description(html: str, limit: int = 200) -> str:
    """plain_text as it was before it cleaned only the start of a body: the text of the whole HTML, cut."""
    text = re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return text if len(text) <= limit else text[: limit].rsplit(" ", 1)[0] + "…"


def from_the_start_alone(html: str) -> bool:
    """Whether plain_text needs only the start of this HTML (else it cleans the whole, and tests nothing new)."""
    return len(markup._text_of(markup._start_of(html, 800))) > 200


@IN_PROCESS
@given(st.lists(st.one_of(st.sampled_from(HOSTILE_HTML + MARKDOWN_PIECES + ["&amp;", "&lt;b&gt;", "é"]),
                          st.text(max_size=30)), min_size=20, max_size=200))
def test_a_description_from_the_start_of_a_body_is_the_one_from_the_whole(pieces):
    html = render_markdown("".join(pieces).replace("\x00", ""))
    assert plain_text(html) == whole_text_description(html)


@IN_PROCESS
@given(st.lists(st.sampled_from(["<p>", "</p>", "<a href=\"/x?a=1&amp;b=2\" title=\"a>b\">", "</a>", "&amp;", "&lt;",
                                 "&quot;", "&nbsp;", "x", "word ", "\n"]), max_size=40))
def test_the_start_of_html_has_the_start_of_its_text(pieces):
    html = "".join(pieces)
    text = markup._text_of(html)
    for size in range(len(html) + 1):
        start = markup._start_of(html, size)
        assert len(start) <= size and html.startswith(start)
        assert text.startswith(markup._text_of(start).rstrip()), size


def test_a_description_is_cut_the_same_at_every_length_around_the_limit():
    for length in range(150, 260):
        html = f"<p>{'wo rd' * (length // 5)}{'x' * (length % 5)}</p>\n<p>{'and more words ' * 60}</p>"
        assert plain_text(html) == whole_text_description(html), length


def test_every_note_of_the_site_gets_the_description_its_whole_body_gives():
    htmls = [render_markdown(path.read_text(encoding="utf-8").split("\n---\n", 1)[1])
             for path in (ROOT / "content").rglob("*.md")]
    assert sum(map(from_the_start_alone, htmls)) > len(htmls) / 2, "the start alone is rarely enough: tests little"
    assert [plain_text(h) for h in htmls] == [whole_text_description(h) for h in htmls]


@IN_PROCESS
@given(st.lists(st.one_of(st.sampled_from(HOSTILE_HTML), st.text(max_size=30)), max_size=25))
def test_markdown_bodies_never_carry_executable_markup(pieces):
    body = "".join(pieces).replace("\x00", "")
    html = render_markdown(body)
    assert executable_markup(html, fragment=True) == []
    assert executable_markup(render_markdown(body, "/base/"), fragment=True) == []
    assert "\ufffd" not in html or "\ufffd" in body


@IN_PROCESS
@given(st.text(max_size=300))
def test_a_slug_is_one_safe_path_segment(text):
    slug = slugify(text)
    assert re.fullmatch(r"[^\W_]+(?:-[^\W_]+)*|untitled", slug), slug
    assert slug not in (".", "..") and "/" not in slug and "\\" not in slug
    if segment_problem(text) is None:
        path = safe_relative(f"tags/{slug}/index.html")
        assert path.parts == ("tags", slug, "index.html")
        assert len(slug.encode()) <= 200
        root = PurePosixPath("/site/public")
        assert str(root / path).startswith("/site/public/tags/")


# ---------------------------------------------------------------------------------------------------------------
# Whole builds as a process.

SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"),
                    min_size=1, max_size=25).filter(lambda s: s.strip() != "")
HOSTILE_TEXT = st.one_of(SAFE_TEXT, st.sampled_from(HOSTILE_HTML + YAML_TRAPS[-8:]).filter(lambda s: s.strip()))
STEMS = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"), min_size=1,
                max_size=20).filter(lambda s: s.strip() and not s.startswith("."))


@st.composite
def hostile_note(draw: st.DrawFn, n: int) -> tuple[str, bytes]:
    """A note that should pass validation but is full of hostile text: title, fields, tags and body."""
    date = (dt.date(2009, 3, 1) + dt.timedelta(days=37 * n)).isoformat()
    stem = f"{date}-{n}-{draw(STEMS)}"
    text = incident(draw(HOSTILE_TEXT).replace("\\", "\\\\").replace('"', '\\"'), date,
                    missile_name=json.dumps(draw(HOSTILE_TEXT), ensure_ascii=False),
                    province=json.dumps(draw(HOSTILE_TEXT.filter(lambda s: segment_problem(s) is None)),
                                        ensure_ascii=False),
                    landing=json.dumps(draw(HOSTILE_TEXT), ensure_ascii=False),
                    caveats=json.dumps(draw(st.lists(HOSTILE_TEXT, max_size=3)), ensure_ascii=False),
                    tags=json.dumps(draw(st.lists(HOSTILE_TEXT.filter(lambda s: segment_problem(s) is None),
                                                  max_size=3)), ensure_ascii=False),
                    body="\n".join(draw(st.lists(st.one_of(st.sampled_from(HOSTILE_HTML), SAFE_TEXT), max_size=12))))
    return f"content/incidents/{stem}.md", text.encode()


@st.composite
def any_note(draw: st.DrawFn, n: int) -> tuple[str, bytes]:
    """A note of any kind: hostile but valid, mutated, random fields, random bytes."""
    rel, data = draw(hostile_note(n))
    kind = draw(st.sampled_from(["hostile", "mutated", "fields", "bytes"]))
    if kind == "mutated":
        data = draw(mutated(data.decode())).encode("utf-8", "surrogatepass")
    elif kind == "fields":
        data = draw(random_fields()).encode("utf-8", "surrogatepass")
    elif kind == "bytes":
        data = draw(st.binary(max_size=500))
    return rel, data


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a folder (symbolic links as their targets' names), by relative path."""
    return {p.relative_to(root).as_posix(): (os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file() or p.is_symlink()}


def run_build(notes: list[tuple[str, bytes]]) -> tuple[subprocess.CompletedProcess[str], Path, bool]:
    """Build a site of these notes in a fresh folder; also say whether anything outside public/ changed."""
    folder = Path(tempfile.mkdtemp(prefix="salvo-property-"))
    site = folder / "site"
    (site / "content" / "incidents").mkdir(parents=True)
    (site / "site.toml").write_text(SITE_TOML)
    for rel, data in notes:
        (site / rel).write_bytes(data)
    before = snapshot(folder)
    done = subprocess.run([sys.executable, str(BUILD), "build"], cwd=site, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    after = {k: v for k, v in snapshot(folder).items() if not k.startswith(("site/public/", "site/.salvo-cache/"))}
    return done, folder, before == after


def check_build(done: subprocess.CompletedProcess[str], folder: Path, unchanged: bool) -> None:
    """No traceback, exit 0 or 1, nothing outside public/, and a safe public/ when the build succeeded."""
    public = folder / "site" / "public"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert unchanged
    assert [p.name for p in folder.iterdir()] == ["site"]
    assert not list((folder / "site").glob(".public*"))
    if done.returncode == 1:
        assert not public.exists()
        assert all(PROBLEM_LINE.fullmatch(line) for line in done.stderr.splitlines()[:-1]), done.stderr[-3000:]
        return
    for path in public.rglob("*"):
        assert not path.is_symlink() and path.resolve().is_relative_to(public.resolve())
        assert ".." not in path.relative_to(public).parts
    assert audit_output(public) == []


def build_and_check(notes: tuple[tuple[str, bytes], ...]) -> None:
    """Build the notes (distinct file names only) as a process and audit what it wrote."""
    assume(len({rel.casefold() for rel, _ in notes}) == len(notes))
    done, folder, unchanged = run_build(list(notes))
    try:
        check_build(done, folder, unchanged)
    finally:
        shutil.rmtree(folder)


@BUILDS
@given(st.lists(st.integers(), min_size=1, max_size=4).flatmap(
    lambda ns: st.tuples(*(hostile_note(n) for n in range(len(ns))))))
def test_builds_of_hostile_notes_publish_no_executable_markup(notes):
    build_and_check(notes)


@BUILDS
@given(st.lists(st.integers(), min_size=1, max_size=5).flatmap(
    lambda ns: st.tuples(*(any_note(n) for n in range(len(ns))))))
def test_builds_of_any_notes_never_crash_or_write_outside_public(notes):
    build_and_check(notes)


NESTING_PIECES = ["[", "(", "]", ")", ">", "> ", "- ", "* ", "+ ", "1. ", "2) ", "123456789. ", "    ", "\t", " ", "a",
                  "\n", "  \n", "*", "_", "`", "<", "&", "!", "\\", "'", '"', "```\n", "~~~\n"]


@IN_PROCESS
@given(st.lists(st.sampled_from(NESTING_PIECES), max_size=80))
def test_the_quick_bounds_on_costly_markdown_hold(pieces):
    # costly_markdown passes over ordinary notes on three bounds; each must hold for every text.
    text = "".join(pieces)
    for line in text.split("\n"):
        assert markup._nesting(line) <= len(re.match(r"[ \t>*+\-0-9.)]*", line).group()), line
    assert markup._bracket_scan(text) <= (text.count("[") + text.count("(")) * len(text)
    marks = sum(text.count(mark) for mark in markup.INLINE_MARK_CHARACTERS) + text.count("\n") + 1
    assert len(markup.INLINE_MARK.findall(text)) <= marks
    if markup._surely_cheap(text):
        assert markup._costly(text) is None
