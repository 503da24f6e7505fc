"""The documentation stays true: the commands in docs/ run as written and print what is written there, the
configuration reference is the one generated from config.py, and the vocabularies described are the site's.

In docs/*.md, each ```console block is run, in order, in one copy of the repository per document: a line starting
with `$ ` is a command (run by the shell, with this Python's folder first on PATH so that `python` is the
project's), and the lines up to the next command are what it prints, stdout and stderr together; `...` stands
for any text (doctest's ELLIPSIS). `serve` is run on a free port until it has printed its lines, while every
`http://127.0.0.1:8000/...` address of the document is fetched from it. A block whose info string holds
`file=PATH` is written to PATH; one with `set=PATH` replaces, in PATH, the line of each `key = value` it holds.
```sh blocks (setting up, git) are shown and not run.
"""

from __future__ import annotations

import doctest
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from salvo.importer import CONTEXT_COLUMNS, LAUNCH_COLUMNS
from salvo.reference import reference
from salvo.schema import FIELDS

DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)
PREVIEW = "http://127.0.0.1:8000/"
COPIED = ("site.toml", "launch-sites.toml", "pyproject.toml", "build.py", "salvo", "content", "templates", "static")
CHECKER = doctest.OutputChecker()


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """The fenced blocks of a Markdown file: (language, the rest of the info string, text)."""
    return [(m.group(1), m.group(2).strip(), m.group(3)) for m in BLOCK.finditer(path.read_text(encoding="utf-8"))]


def documents_with_commands() -> list[Path]:
    """The documents that have commands to run."""
    return [path for path in sorted(DOCS.glob("*.md")) if any(lang == "console" for lang, _, _ in blocks(path))]


def steps(text: str) -> list[tuple[str, str]]:
    """A console block's (command, expected output) pairs."""
    pairs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            assert pairs, f"output before any command: {line!r}"
            pairs[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in lines)) for command, lines in pairs]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment() -> dict[str, str]:
    """The shell's environment: this Python first on PATH, unbuffered so that stdout and stderr keep their order."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def run_serve(command: str, expected: str, folder: Path, urls: list[str]) -> str:
    """Run `serve` on a free port until it has printed as many lines as expected, fetching the preview's
    addresses meanwhile; return what it printed, with the documented port."""
    port = free_port()
    process = subprocess.Popen(f"{command} --port {port}", shell=True, cwd=folder, env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore
    printed = []
    try:
        deadline = time.monotonic() + 120
        while len(printed) < expected.count("\n") and time.monotonic() < deadline:
            try:
                printed.append(lines.get(timeout=1))
            except queue.Empty:
                assert process.poll() is None, "".join(printed)
        for url in urls:
            with urllib.request.urlopen(url.replace(PREVIEW, f"http://127.0.0.1:{port}/"), timeout=30) as answer:
                assert answer.status == 200, url
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    return "".join(printed).replace(f"127.0.0.1:{port}/", "127.0.0.1:8000/")


@pytest.mark.parametrize("document", documents_with_commands(), ids=lambda path: path.name)
def test_the_commands_of_the_docs_print_what_the_docs_say(document, tmp_path):
    folder = tmp_path / "repository"
    folder.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    urls = sorted(set(re.findall(rf"{re.escape(PREVIEW)}[^\s>)`]*", document.read_text(encoding="utf-8"))))
    ran = 0
    for language, info, text in blocks(document):
        if target := re.search(r"file=(\S+)", info):
            (folder / target.group(1)).parent.mkdir(parents=True, exist_ok=True)
            (folder / target.group(1)).write_text(text, encoding="utf-8")
        if target := re.search(r"set=(\S+)", info):
            path = folder / target.group(1)
            for line in text.splitlines():
                key = line.split("=", 1)[0].strip()
                edited, count = re.subn(rf"^{re.escape(key)}\s*=.*$", lambda _, line=line: line,
                                        path.read_text(encoding="utf-8"), flags=re.M)
                assert count == 1, f"{document.name}: no single `{key} =` line in {target.group(1)}"
                path.write_text(edited, encoding="utf-8")
        if language != "console":
            continue
        for command, expected in steps(text):
            if re.search(r"build\.py serve\b", command):
                got = run_serve(command, expected, folder, urls)
            else:
                done = subprocess.run(command, shell=True, cwd=folder, env=environment(), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, timeout=300)
                got = done.stdout
            assert CHECKER.check_output(expected, got, doctest.ELLIPSIS), (
                f"{document.name}: `{command}` printed:\n{got}\nbut the document says:\n{expected}")
            ran += 1
    assert ran


def test_the_configuration_reference_is_generated_from_the_checks():
    written = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert written == reference(), "regenerate it: python -m salvo.reference > docs/configuration.md"


def test_the_note_format_shows_every_field_of_the_schema_in_its_order():
    text = (DOCS / "note-format.md").read_text(encoding="utf-8")
    for section, fields in FIELDS.items():
        example = text.split(f"`content/{section}/", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
        front = example.split("---\n")[1]
        assert re.findall(r"^([a-z_]+):", front, re.M) == [f.name for f in fields], section


def test_the_vocabularies_described_are_the_sites():
    vocabularies = tomllib.loads((ROOT / "site.toml").read_text(encoding="utf-8"))["vocabularies"]
    text = (DOCS / "record.md").read_text(encoding="utf-8")
    for name, words in vocabularies.items():
        section = text.split(f"`[vocabularies.{name}]`", 1)[1].split("\n### ", 1)[0].split("| --- |", 1)[1]
        described = re.findall(r"^\| `([^`]+)` \|", section, re.M)
        assert described == list(words), name


def test_every_document_is_linked_from_the_readme_and_every_link_between_them_resolves():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Salvo\n\n```sh\nmake build ")
    for path in DOCS.glob("*.md"):
        assert f"(docs/{path.name})" in readme, path.name
        for target in re.findall(r"\]\(([^)#:]+\.(?:md|toml|yml))\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).resolve().exists(), (path.name, target)


def test_the_csv_shapes_documented_are_the_importers_and_their_examples_import(make_site):
    text = (DOCS / "import.md").read_text(encoding="utf-8")
    launch, context = text.split("## The launch record", 1)[1].split("## The context file", 1)
    for section, columns in ((launch, LAUNCH_COLUMNS), (context, CONTEXT_COLUMNS)):
        assert set(re.findall(r"^\| `([^`]+)` \| required \|", section, re.M)) == columns
    config = (ROOT / "site.toml").read_text(encoding="utf-8")
    calls = config.find("[[judgement_calls]]")  # they name notes this empty site does not have
    config = config[:calls] + config[config.index("[vocabularies", calls):] if calls >= 0 else config
    site = make_site({"site.toml": config,
                      "launch-sites.toml": (ROOT / "launch-sites.toml").read_text(encoding="utf-8")})
    examples = [(info, body) for language, info, body in blocks(DOCS / "import.md") if language == "csv"]
    assert [info for info, _ in examples] == ["file=launches.csv", "file=context.csv"]
    for info, body in examples:
        name = info.removeprefix("file=")
        (site.root / name).write_text(body, encoding="utf-8")
        run = site.run("import", name)
        assert run.code == 0, run.err
    assert site.run("build").code == 0
    assert site.page("incidents/2017-07-04-hwasong-14/index.html").text_of("h1") == ["Hwasong-14 from Panghyon"]
