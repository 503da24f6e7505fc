"""Every command documents itself: each flag with its format, unit, default and allowed values, examples that
parse, and the version."""

from __future__ import annotations

import argparse
import shlex
import tomllib

import pytest
from conftest import ROOT, Site

from salvo.cli import COMMANDS, EXAMPLES, parser


def subparsers() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser."""
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def help_of(site: Site, *args: str) -> str:
    """The help a command prints, on one line."""
    run = site.run(*args, "--help")
    assert (run.code, run.err) == (0, ""), run.err
    return " ".join(run.out.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_that_gives_its_default(command):
    sub = subparsers()[command]
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help and len(action.help) > 20, (command, action.dest)
        if action.option_strings:
            assert "(default: " in action.help, (command, action.option_strings)


def test_help_gives_formats_units_korea_time_and_the_sites_own_classes(make_site):
    site = make_site()
    new = help_of(site, "new")
    for text in ("--date YYYY-MM-DD", "--time HH:MM", "Korea Standard Time (UTC+9)", "--distance KM", "in km",
                 "--apogee KM", "one of: SRBM, IRBM, ICBM, cruise (default: blank, to fill in)",
                 "one of: success, failure, unknown", "e.g. Wonsan: fills in its canonical name", "examples:"):
        assert text in new, text
    (site.root / "site.toml").rename(site.root / "elsewhere.toml")
    assert "a key of [vocabularies.missile_types] in site.toml" in help_of(site, "new")
    assert "one of: SRBM" in help_of(site, "new", "--source", str(ROOT))
    assert "TCP port to listen on, 1 to 65535 (default: 8000)" in help_of(site, "serve")
    assert "--format {text,json}" in help_of(site, "check")
    assert "(default: SOURCE/public)" in help_of(site, "build")
    top = help_of(site)
    assert "--version" in top and "docs/workflow.md" in top


def test_every_example_in_the_help_parses():
    examples = [line.split("  ")[1].strip() if line.startswith("  build.py") else line for text in EXAMPLES.values()
                for line in text.splitlines() if line.startswith("  build.py")]
    assert len(examples) >= 10
    for example in examples:
        command = shlex.split(example.split("(")[0])[1:]
        if command[-1] == "--help":
            continue
        args = parser().parse_args(command)
        assert args.command in COMMANDS, example


def test_version_is_the_projects(make_site):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    run = make_site().run("--version")
    assert (run.code, run.out) == (0, f"build.py (Salvo) {version}\n")
