"""A rebuild equals a clean build, always: random sequences of edits, each followed by `build` and by the preview
server's rebuild, compared byte for byte with clean builds of the same inputs (hypothesis' state machine).

Builds run in this process (a process each would allow only a handful of examples). The rule that trusts a file
by its signature once it has been unchanged for a while is shortened from 2 s to 20 ms, still more than the
kernel's timestamp granularity, so that the signature paths are exercised between steps.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SITE_TOML, incident
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from salvo import cli, signature
from salvo.cache import Cache, NoCache
from salvo.options import Options
from salvo.pipeline import load_site, static_files
from salvo.render import Rendering, render_site
from salvo.serve import preview_builder
from salvo.write import MARKER

EPOCH = "1748736000"  # 2025-06-01
SETTLE_SECONDS = 0.02
BASE_URL = "http://127.0.0.1:8000/"
# Template edits that read site-wide values a page's own note does not hold.
TEMPLATE_READS = [
    "{{ site.entries | length }} incidents",
    "{{ site.entries[-1].incident.title }}",
    "{{ site.entries | map(attribute='incident.count') | select | sum }}",
    "{{ site.context | length }} events",
    "{{ config.title }}",
    "{{ nav | map(attribute='title') | join(', ') }}",
]
WORDS = ["salvo", "launch", "range", "apogee", "site", "coast", "flight", "test", "report", "morning"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder but Salvo's marker, by relative path, and every other thing by its kind."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            found[rel] = b"(not a file)"
        elif path.is_file() and rel != MARKER:
            found[rel] = path.read_bytes()
    return found


def differences(now: dict[str, bytes], clean: dict[str, bytes]) -> list[str]:
    """The paths whose bytes differ."""
    return sorted(k for k in now.keys() | clean.keys() if now.get(k) != clean.get(k))


class Freshness(RuleBasedStateMachine):
    """A small site, edited step by step; after each step both kinds of rebuild must equal a clean build."""

    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="salvo-freshness-"))
        self.root = self.work / "site"
        self.rng = random.Random(0)
        self.counter = 0

    @initialize()
    def write_site(self) -> None:
        """Six notes, a context event, a page, Salvo's templates and static files."""
        root = self.root
        (root / "content" / "incidents").mkdir(parents=True)
        (root / "content" / "context").mkdir()
        (root / "content" / "pages").mkdir()
        (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        for folder in ("templates", "static"):
            shutil.copytree(Path(__file__).resolve().parent.parent / folder, root / folder)
        for n in range(6):
            self.write_note(f"2017-0{n + 2}-1{n}-launch-{n}", f"Launch {n}", f"2017-0{n + 2}-1{n}")
        (root / "content" / "context" / "2018-06-12-summit.md").write_text(
            '---\ntitle: "A summit"\ndate: "2018-06-12"\nkind: summit\n'
            'sources: [{title: "S", publisher: "P", url: "https://example.com/s"}]\n---\nThey met.\n')
        (root / "content" / "pages" / "about.md").write_text('---\ntitle: "About"\nweight: 10\n---\nA page.\n')
        self.preview = preview_builder(root, self.work / "preview", BASE_URL)
        self.rebuild()

    def teardown(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    # -- edits ------------------------------------------------------------------------------------------------

    def notes(self) -> list[Path]:
        """The incident notes, in order."""
        return sorted((self.root / "content" / "incidents").glob("*.md"))

    def write_note(self, stem: str, title: str, date: str, **fields: object) -> Path:
        """Write an incident note."""
        path = self.root / "content" / "incidents" / f"{stem}.md"
        path.write_text(incident(title, date, **fields), encoding="utf-8")
        return path

    def pick(self, n: int) -> Path:
        """The n-th note, modulo their number."""
        notes = self.notes()
        return notes[n % len(notes)]

    @rule(n=st.integers(0, 50), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    def edit_a_body(self, n: int, words: list[str]) -> None:
        path = self.pick(n)
        head, _, _ = path.read_text(encoding="utf-8").rpartition("---\n")
        path.write_text(f"{head}---\n{' '.join(words).capitalize()}.\n", encoding="utf-8")
        self.rebuild()

    @rule(n=st.integers(0, 50), count=st.integers(1, 9), title=st.sampled_from(WORDS))
    def edit_the_facts(self, n: int, count: int, title: str) -> None:
        path = self.pick(n)
        text = path.read_text(encoding="utf-8")
        lines = [f"count: {count}" if line.startswith("count:") else
                 f'title: "{title.capitalize()} {n}"' if line.startswith("title:") else line
                 for line in text.split("\n")]
        path.write_text("\n".join(lines), encoding="utf-8")
        self.rebuild()

    @rule(n=st.integers(0, 50), same_size=st.sampled_from(["1", "2"]))
    def edit_keeping_the_size_and_modification_time(self, n: int, same_size: str) -> None:
        path = self.pick(n)
        text = path.read_text(encoding="utf-8")
        info = path.stat()
        changed = "\n".join(f"count: {same_size}" if line.startswith("count:") and len(line) == 8 else line
                            for line in text.split("\n"))
        path.write_text(changed, encoding="utf-8")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        self.rebuild()

    @rule(day=st.integers(1, 28), month=st.integers(1, 12), year=st.sampled_from([2016, 2017, 2019, 2022]))
    def add_a_note(self, day: int, month: int, year: int) -> None:
        self.counter += 1
        date = f"{year}-{month:02d}-{day:02d}"
        self.write_note(f"{date}-added-{self.counter}", f"Added {self.counter}", date)
        self.rebuild()

    @precondition(lambda self: len(self.notes()) > 2)
    @rule(n=st.integers(0, 50))
    def remove_a_note(self, n: int) -> None:
        path = self.pick(n)
        path.unlink()
        self.rebuild()

    @rule(n=st.integers(0, 50))
    def rename_a_note(self, n: int) -> None:
        path = self.pick(n)
        self.counter += 1
        new = path.with_name(f"{path.stem}-r{self.counter}.md")
        path.rename(new)
        self.rebuild()

    @rule(n=st.integers(0, 50))
    def toggle_a_draft(self, n: int) -> None:
        path = self.pick(n)
        text = path.read_text(encoding="utf-8")
        if "\ndraft: true" in text:
            text = text.replace("\ndraft: true", "")
        else:
            text = text.replace("\nsources:", "\ndraft: true\nsources:", 1)
        path.write_text(text, encoding="utf-8")
        self.rebuild()

    @rule(template=st.sampled_from(["incident.html", "context.html", "page.html", "period.html", "group.html"]),
          reads=st.sampled_from(TEMPLATE_READS))
    def make_a_template_read_a_site_wide_value(self, template: str, reads: str) -> None:
        path = self.root / "templates" / template
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("{% endblock %}", f"<p class=\"reads\">{reads}</p>\n{{% endblock %}}", 1),
                        encoding="utf-8")
        self.rebuild()

    @rule(text=st.sampled_from(WORDS))
    def edit_a_static_file(self, text: str) -> None:
        path = self.root / "static" / "style.css"
        path.write_text(path.read_text(encoding="utf-8") + f"/* {text} */\n", encoding="utf-8")
        self.rebuild()

    @rule(title=st.sampled_from(WORDS))
    def edit_site_toml(self, title: str) -> None:
        path = self.root / "site.toml"
        text = path.read_text(encoding="utf-8")
        lines = [f'title = "{title.capitalize()}"' if line.startswith("title =") else line for line in text.split("\n")]
        path.write_text("\n".join(lines), encoding="utf-8")
        self.rebuild()

    @rule(where=st.sampled_from(["index.html", "periods/index.html", "stray.txt", "data/stray/deep.txt"]))
    def change_the_output_by_hand(self, where: str) -> None:
        path = self.root / "public" / where
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            handle.write(b"<p>edited by hand</p>")
        self.build()

    @rule()
    def garble_the_cache(self) -> None:
        database = self.root / ".salvo-cache" / "cache.sqlite"
        if database.exists():
            with contextlib.suppress(sqlite3.Error), sqlite3.connect(database) as db:
                db.execute("UPDATE entries SET value = 'garbled' WHERE rowid % 2 = 0")
        self.build()

    # -- builds -----------------------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Let the edit settle (sometimes), then build and rebuild the preview."""
        if self.rng.random() < 0.5:
            time.sleep(SETTLE_SECONDS * 1.5)
        self.build()
        self.preview_problems = self.preview()

    def build(self) -> None:
        """`build.py build` in this process."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            self.code = cli.main(["build", "--source", str(self.root)])
        self.err = err.getvalue()

    def clean(self, options: Options) -> dict[str, bytes]:
        """What a clean build of the same inputs writes, made in memory: no cache, no earlier output."""
        site, content = load_site(self.root, options, NoCache())
        files = render_site(site, content.bodies, self.root, NoCache())
        files |= {rel: path.read_bytes() for rel, path in static_files(self.root).items()}
        return {rel: files[rel] for rel in sorted(files)}

    @invariant()
    def build_equals_a_clean_build(self) -> None:
        if not hasattr(self, "code"):
            return
        assert self.code == 0, self.err
        built = snapshot(self.root / "public")
        clean = self.clean(Options())
        assert built == clean, f"build differs from a clean build: {differences(built, clean)}"

    @invariant()
    def the_preview_equals_a_clean_build_with_drafts(self) -> None:
        if not hasattr(self, "preview_problems"):
            return
        assert self.preview_problems == []
        shown = snapshot(self.work / "preview" / "site")
        clean = self.clean(Options(drafts=True, base_url=BASE_URL))
        assert shown == clean, f"the preview differs from a clean build: {differences(shown, clean)}"


@pytest.fixture(autouse=True)
def quick_settling(monkeypatch):
    """Files count as settled after 20 ms, and the build day is fixed."""
    monkeypatch.setattr(signature, "SETTLED_NS", int(SETTLE_SECONDS * 1e9))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


EXAMPLES = int(os.environ.get("SALVO_FRESHNESS_EXAMPLES", "200"))
CHUNKS = 4  # the examples are shared among this many tests, so that pytest-xdist runs them on every core


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_rebuild_equals_a_clean_build(chunk: int) -> None:
    """Random edits, each followed by both rebuilds and the comparison with clean builds (EXAMPLES in all)."""
    run_state_machine_as_test(Freshness, settings=settings(
        max_examples=max(1, EXAMPLES // CHUNKS), stateful_step_count=8, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))


def test_a_body_edit_renders_again_only_the_outputs_that_show_that_body(make_site):
    """The bodies an output shows are seen as outputs() reads them; while the site is the same, a changed body
    makes exactly the outputs that show it unknown (to be rendered), and everything else stands."""
    site = make_site({f"content/incidents/2017-07-0{n}-n{n}.md": incident(f"Launch {n}", f"2017-07-0{n}")
                      for n in range(1, 4)})
    cache = Cache(None)  # kept in memory, as the preview's

    def rendering() -> Rendering:
        built, content = load_site(site.root, Options(), cache)
        return Rendering(built, content.bodies, site.root, cache)

    first = rendering()
    note = "content/incidents/2017-07-0{}-n{}.md".format
    assert {path: shown for path, shown in first.reads.items() if shown} == {
        **{f"incidents/2017-07-0{n}-n{n}/index.html": (note(n, n),) for n in range(1, 4)},
        "feed.xml": tuple(note(n, n) for n in (3, 2, 1)),
    }
    list(first.render(list(first.known)))
    cache.save()
    edited = site.root / note(2, 2)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = rendering()
    assert sorted(path for path, known in again.known.items() if known is None) == [
        "feed.xml", "incidents/2017-07-02-n2/index.html"]
