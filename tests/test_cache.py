"""The cache is data, never code: whatever is in .salvo-cache/, a build never runs it, never stops on it, and
writes the same site as a clean build; anything unreadable counts as empty, with one line of warning.

Every test runs build.py as a process, as an editor would.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import BUILD, Site
from test_hostile import freeze_theme
from test_output_safety import build_env, record

from salvo.stamp import SETTLED_NS

CACHE = ".salvo-cache"


def clean_build(site: Site, tmp_path) -> dict[str, bytes]:
    """The same site built from a copy with no cache, for comparison."""
    clean = Site(tmp_path / "clean")
    clean.write({rel: path.read_bytes() for rel, path in files(site)})
    assert clean.run("build", env=build_env()).code == 0
    return clean.snapshot()


def files(site: Site) -> list[tuple[str, os.PathLike]]:
    """The site's input files (not its output or cache), by path."""
    return [(p.relative_to(site.root).as_posix(), p) for p in sorted(site.root.rglob("*")) if p.is_file()
            and not p.relative_to(site.root).as_posix().startswith(("public/", ".public", CACHE))]


class Payload:
    """What a crafted pickle would run when loaded: it writes a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_pickle_in_the_cache_folder_is_never_run(make_site, tmp_path):
    site = freeze_theme(make_site(record("A", 20)))
    marker = tmp_path / "ran"
    (site.root / CACHE).mkdir()
    for name in ("cache-00.pickle", "cache-3f.pickle", "cache.pickle"):
        (site.root / CACHE / name).write_bytes(pickle.dumps(Payload(str(marker))))
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    assert not marker.exists(), "the build ran code from the cache folder"
    assert site.snapshot() == clean_build(site, tmp_path)


def entries(site: Site) -> list[tuple[str, str, str]]:
    """Every row of the cache file."""
    with sqlite3.connect(site.root / CACHE / "cache.sqlite") as db:
        return list(db.execute("SELECT kind, key, value FROM entries"))


@pytest.mark.parametrize("garble", ["a class it may not hold", "not JSON", "the wrong shape"])
def test_a_garbled_entry_counts_as_absent_with_one_warning(make_site, tmp_path, garble):
    site = freeze_theme(make_site(record("A", 20)))
    assert site.run("build", env=build_env()).code == 0
    value = {"a class it may not hold": '{"c":"os:system","f":["touch /tmp/x"]}', "not JSON": "{{{",
             "the wrong shape": '{"c":"salvo.model:Source","f":[1]}'}[garble]
    with sqlite3.connect(site.root / CACHE / "cache.sqlite") as db:
        db.execute("UPDATE entries SET value = ?", (value,))
    (site.root / "content" / "incidents").joinpath("2009-02-01-launch-000.md").touch()  # not up to date
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if line.startswith("Warning: the cache")]
    assert len(warnings) == 1 and "an entry could not be read" in warnings[0], run.err
    assert "Traceback" not in run.err
    assert site.snapshot() == clean_build(site, tmp_path)
    assert all(value != row[2] for row in entries(site)), "the garbled entries were kept"


@pytest.mark.parametrize("damage", ["garbage bytes", "a folder", "cut short"])
def test_a_damaged_cache_file_is_built_around_with_one_warning(make_site, tmp_path, damage):
    site = freeze_theme(make_site(record("A", 20)))
    assert site.run("build", env=build_env()).code == 0
    database = site.root / CACHE / "cache.sqlite"
    if damage == "garbage bytes":
        database.write_bytes(b"not a database" * 1000)
    elif damage == "a folder":
        database.unlink()
        database.mkdir()
    else:
        database.write_bytes(database.read_bytes()[:3000])
    (site.root / CACHE / "stamp.json").unlink(missing_ok=True)
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert len([line for line in run.err.splitlines() if line.startswith("Warning: the cache")]) == 1, run.err
    assert site.snapshot() == clean_build(site, tmp_path)


def test_a_cache_folder_that_is_a_file_is_built_around(make_site, tmp_path):
    site = freeze_theme(make_site(record("A", 20)))
    (site.root / CACHE).write_text("not a folder\n")
    run = site.run("build", env=build_env())
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert site.snapshot() == clean_build(site, tmp_path)


def test_a_build_that_changed_nothing_writes_nothing_to_the_cache(make_site):
    site = freeze_theme(make_site(record("A", 20)))
    assert site.run("build", env=build_env()).code == 0
    time.sleep(SETTLED_NS / 1e9)  # files are known by their signatures only once they have settled
    assert site.run("build", env=build_env()).code == 0
    database = site.root / CACHE / "cache.sqlite"
    before = (database.stat().st_mtime_ns, entries(site))
    (site.root / CACHE / "stamp.json").unlink(missing_ok=True)  # so that the build runs, from the cache
    run = site.run("build", env=build_env())
    assert run.code == 0 and run.out.startswith("Built"), run.out
    assert (database.stat().st_mtime_ns, entries(site)) == before


def test_two_builds_at_once_both_succeed_and_leave_a_usable_cache(make_site, tmp_path):
    site = freeze_theme(make_site(record("A", 80)))
    builds = [subprocess.Popen([sys.executable, str(BUILD), "build", "--destination", str(tmp_path / f"out-{n}")],
                               cwd=site.root, env=build_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for n in range(2)]
    for build in builds:
        _, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
        assert "Traceback" not in err
    run = site.run("build", env=build_env())
    assert run.code == 0 and "Warning" not in run.err, run.err
    assert site.snapshot() == clean_build(site, tmp_path)
