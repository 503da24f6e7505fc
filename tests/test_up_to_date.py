"""A build with nothing changed since the last one says so and stops; any change to what a build reads or wrote
makes it build again, to the same bytes as a clean build.

Every test runs build.py as a process, as an editor would.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import markdown
from conftest import SITE_TOML, Site, incident
from test_output_safety import build_env, difference, record

UP_TO_DATE = "Up to date:"
LATER = "1748822400"  # the day after test_output_safety's EPOCH


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file, which must hold it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def first_note(site: Site) -> Path:
    """The site's first incident note."""
    return sorted((site.root / "content" / "incidents").glob("*.md"))[0]


def first_page(site: Site) -> Path:
    """The first incident note's page in public/."""
    return site.public / "incidents" / first_note(site).stem / "index.html"


# Each change, and the arguments and environment of the build after it.
CHANGES: dict[str, tuple[Callable[[Site], object], tuple[str, ...], dict[str, str]]] = {
    "a note's body": (lambda site: edit(first_note(site), "A short account.", "A longer account."), (), {}),
    "a note added": (lambda site: site.write({"content/incidents/2025-05-01-new.md": incident("New", "2025-05-01")}),
                     (), {}),
    "a note removed": (lambda site: first_note(site).unlink(), (), {}),
    "a note touched": (lambda site: first_note(site).touch(), (), {}),
    "site.toml": (lambda site: edit(site.root / "site.toml", 'title = "', 'title = "The '), (), {}),
    "a template": (lambda site: site.write({"templates/404.html": "{% extends 'base.html' %}\n"}), (), {}),
    "a static file": (lambda site: site.write({"static/extra.txt": "more\n"}), (), {}),
    "a page deleted from public/": (lambda site: first_page(site).unlink(), (), {}),
    # (a build that would write nothing trusts files at their size: public/ is not for editing by hand)
    "a page edited in public/": (lambda site: first_page(site).write_bytes(first_page(site).read_bytes() + b"<p>"),
                                 (), {}),
    "another day": (lambda site: None, (), {"SOURCE_DATE_EPOCH": LATER}),
    "drafts asked for": (lambda site: None, ("--drafts",), {}),
    "another base URL": (lambda site: None, ("--base-url", "https://example.org/sub/"), {}),
}


def test_a_build_with_nothing_changed_stops_early_and_any_change_builds_again(tmp_path):
    sites = {what: Site(tmp_path / f"site-{n}") for n, what in enumerate(CHANGES)}
    for site in sites.values():
        site.write({"site.toml": SITE_TOML, **record("A", 6)})
        assert site.run("build", env=build_env()).code == 0
    time.sleep(2.1)  # every file settled: from now on the builds may trust signatures
    for what, site in sites.items():
        before = site.snapshot()
        again = site.run("build", env=build_env())
        assert again.code == 0 and again.out.startswith("Built"), (what, again)  # no stamp yet: the files were new
        stopped = site.run("build", env=build_env())
        assert stopped.code == 0 and stopped.out.startswith(UP_TO_DATE), (what, stopped)
        assert "6 notes" in stopped.out and site.snapshot() == before, what
    for what, (change, args, env) in CHANGES.items():
        site = sites[what]
        change(site)
        rebuilt = site.run("build", *args, env=build_env(**env))
        assert rebuilt.code == 0 and rebuilt.out.startswith("Built"), (what, rebuilt)
        clean = Site(tmp_path / f"clean-{what.replace(' ', '-').replace('/', '')}")
        shutil.copytree(site.root, clean.root, ignore=shutil.ignore_patterns(".salvo-cache", "public", ".public*"))
        assert clean.run("build", *args, env=build_env(**env)).code == 0, what
        assert site.snapshot() == clean.snapshot(), f"after {what}: {difference(site.snapshot(), clean.snapshot())}"


def test_a_failed_build_after_a_recorded_one_is_never_taken_for_up_to_date(make_site):
    site = make_site(record("A", 3))
    assert site.run("build", env=build_env()).code == 0
    time.sleep(2.1)
    assert site.run("build", env=build_env()).out.startswith("Built")  # records the stamp
    edit(first_note(site), "outcome: success", "outcome: sucess")
    for _ in range(2):
        failed = site.run("build", env=build_env())
        assert failed.code == 1 and "outcome" in failed.err and UP_TO_DATE not in failed.out, failed


def test_a_change_behind_a_linked_template_folder_builds_again(make_site):
    # templates/ is a link to a theme kept elsewhere in the site, with a link inside it and one back up to it.
    site = make_site(record("A", 3))
    theme = site.root / "themes" / "plain"
    (theme / "shared").mkdir(parents=True)
    outside = theme / "shared"
    (outside / "note.html").write_text("<p>First wording</p>\n", encoding="utf-8")
    (site.root / "templates").symlink_to(theme, target_is_directory=True)
    (theme / "parts").symlink_to(outside, target_is_directory=True)
    (theme / "parts" / "loop").symlink_to(site.root / "templates", target_is_directory=True)
    site.write({"templates/404.html": "{% extends 'base.html' %}{% block main %}{% include 'parts/note.html' %}"
                                      "{% endblock %}\n"})
    assert site.run("build", env=build_env()).code == 0
    time.sleep(2.1)
    assert site.run("build", env=build_env()).out.startswith("Built")  # records the stamp
    assert site.run("build", env=build_env()).out.startswith(UP_TO_DATE)
    (outside / "note.html").write_text("<p>Second wording</p>\n", encoding="utf-8")
    rebuilt = site.run("build", env=build_env())
    assert rebuilt.out.startswith("Built"), rebuilt
    assert "Second wording" in (site.public / "404.html").read_text(encoding="utf-8")


def test_an_upgraded_library_renders_every_page_again(make_site, tmp_path):
    # A copy of Markdown stands in for the installed one; an upgrade replaces its files.
    library = tmp_path / "lib"
    shutil.copytree(Path(markdown.__file__).parent, library / "markdown",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = build_env(PYTHONPATH=str(library))
    site = make_site({"content/incidents/2017-07-04-dash.md": incident("Dash", body="Before---after.")})
    page = site.public / "incidents" / "2017-07-04-dash" / "index.html"
    for _ in range(2):
        assert site.run("build", env=env).code == 0
    assert "Before\u2014after." in page.read_text(encoding="utf-8")  # an em dash
    edit(library / "markdown" / "extensions" / "smarty.py", "'mdash': '&mdash;'", "'mdash': '&ndash;'")
    assert site.run("build", env=env).code == 0
    assert "Before\u2013after." in page.read_text(encoding="utf-8")  # the "upgrade" makes it an en dash
