"""What the output promises: a failed or killed build leaves the last good site whole, a removed note leaves
nothing behind, the same input always gives the same bytes, and the destination is never the site itself.

Every test runs build.py as a process, as an editor would.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import BUILD, SITE_TOML, Site, incident
from test_hostile import freeze_theme

EPOCH = "1748736000"  # 2025-06-01
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def build_env(**extra: str) -> dict[str, str]:
    """The environment for build.py: today fixed, plus any overrides."""
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **extra}


def temporaries(site: Site) -> list[Path]:
    """Folders a build leaves beside public/ while it works (not the spare it keeps for the next build)."""
    return sorted(site.root.glob(".public.salvo-tmp-*"))


def record(version: str, count: int = 240, every: int = 23) -> dict[str, str]:
    """A site's worth of incident notes, `every` days apart; versions differ in same-length titles and in one
    note's name."""
    files = {}
    day = dt.date(2009, 2, 1)
    for n in range(count):
        date = (day + dt.timedelta(days=n * every)).isoformat()
        stem = f"{date}-launch-{n:03d}" if not (n == 7 and version == "B") else f"{date}-renamed-{n:03d}"
        files[f"content/incidents/{stem}.md"] = incident(f"Launch {n:03d} {version * 4}", date,
                                                         tags=f"[group-{n % 9}]", province=f"Province {n % 5}")
    return files


def use(site: Site, files: dict[str, str]) -> None:
    """Make content/incidents/ hold exactly these notes."""
    for path in (site.root / "content" / "incidents").glob("*.md"):
        if f"content/incidents/{path.name}" not in files:
            path.unlink()
    site.write(files)


def difference(now: dict[str, bytes], *known: dict[str, bytes]) -> str:
    """Which files of a snapshot differ from each known one, for failure messages."""
    parts = []
    for n, snapshot in enumerate(known):
        changed = sorted(k for k in now.keys() | snapshot.keys() if now.get(k) != snapshot.get(k))
        parts.append(f"snapshot {n}: {len(changed)} files differ, e.g. {changed[:5]}")
    return "; ".join(parts)


def test_a_failed_build_leaves_public_byte_identical(make_site):
    site = freeze_theme(make_site({"content/incidents/2017-07-04-a.md": incident("First"),
                                   "content/incidents/2017-07-28-b.md": incident("Second", "2017-07-28")}))
    assert site.run("build", env=build_env()).code == 0
    before = site.snapshot()
    site.write({"content/incidents/2017-07-04-a.md": incident("First, renamed"),
                "content/incidents/2017-08-01-broken.md": incident(date="2017-08-01", count="several")})
    run = site.run("build", env=build_env())
    assert run.code == 1
    assert run.err.splitlines()[-1] == "Error: 1 problem found; nothing was written."
    assert site.snapshot() == before
    assert temporaries(site) == []


def test_a_build_killed_at_random_moments_leaves_the_old_site_or_the_new_one(make_site):
    old, new = record("A", 200), record("B", 200)
    site = freeze_theme(make_site(old))
    assert site.run("build", env=build_env()).code == 0
    snapshot_old = site.snapshot()
    use(site, new)
    started = time.monotonic()
    assert site.run("build", env=build_env()).code == 0
    duration = time.monotonic() - started
    snapshot_new = site.snapshot()
    assert len(snapshot_new) > 200 and snapshot_new != snapshot_old
    shuffler = random.Random(20170704)
    outcome = "new"
    for _ in range(10):
        if outcome == "new":  # put the old site back with a successful build
            use(site, old)
            assert site.run("build", env=build_env()).code == 0
            assert site.snapshot() == snapshot_old, difference(site.snapshot(), snapshot_old)
            assert temporaries(site) == []
        use(site, new)
        process = subprocess.Popen([sys.executable, str(BUILD), "build"], cwd=site.root, env=build_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(shuffler.uniform(0, duration * 1.2))
        os.killpg(process.pid, signal.SIGKILL)  # the build and any workers it forked
        process.wait()
        now = site.snapshot()
        outcome = "old" if now == snapshot_old else "new" if now == snapshot_new else "mix"
        assert outcome != "mix", difference(now, snapshot_old, snapshot_new)
    use(site, old)
    assert site.run("build", env=build_env()).code == 0
    assert site.snapshot() == snapshot_old, difference(site.snapshot(), snapshot_old)
    assert temporaries(site) == []


def test_a_build_killed_after_its_swap_leaves_no_stale_page_for_the_next_build(make_site):
    # Killed between the swap and saving the cache: public/ is the new site, the cache still describes the old.
    old, new = record("A", 60), record("B", 60)
    site = freeze_theme(make_site(old))
    assert site.run("build", env=build_env()).code == 0
    snapshot_old = site.snapshot()
    cache = site.root / ".salvo-cache" / "cache.sqlite"
    cache_old = cache.read_bytes()
    use(site, new)
    assert site.run("build", env=build_env()).code == 0
    assert cache.read_bytes() != cache_old
    cache.write_bytes(cache_old)
    use(site, old)
    assert site.run("build", env=build_env()).code == 0
    assert site.snapshot() == snapshot_old, difference(site.snapshot(), snapshot_old)


def test_every_rebuild_that_reuses_the_spare_equals_a_clean_build(make_site, tmp_path):
    # Rebuilds write only what changed into the spare folder (the build before last) and swap it in; after
    # each kind of edit the site must be byte-identical to a clean build of the same input with no cache.
    site = freeze_theme(make_site(record("A", 60)))
    notes = site.root / "content" / "incidents"
    first = sorted(notes.glob("*.md"))
    spare = site.root / ".public.salvo-spare"
    assert site.run("build", env=build_env()).code == 0

    def append(path: Path, text: str) -> None:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    def replace(path: Path, old: str, new: str) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def same_size_edit(path: Path) -> None:
        """Change a letter and put the modification time back: only the change time tells (as with rsync -t)."""
        info = path.stat()
        path.write_text(path.read_text(encoding="utf-8").replace("Launch 002", "Launch 00Z"), encoding="utf-8")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))

    edits = [
        ("nothing", lambda: None),
        ("nothing, files settled", lambda: time.sleep(2.1)),  # files now known by their signature, unread
        ("a same-size edit with its old modification time", lambda: same_size_edit(first[2])),
        ("a body", lambda: append(first[3], "\nA sentence added.\n")),
        ("nothing, with a spare", lambda: None),
        ("a title", lambda: first[5].write_text(first[5].read_text().replace("Launch 005", "Launch 5"))),
        ("a note removed", lambda: first[9].unlink()),
        ("a note added", lambda: site.write({"content/incidents/2025-05-01-new.md": incident("New", "2025-05-01")})),
        ("a template", lambda: replace(site.root / "templates" / "incident.html", "</article>", "</article>\n<hr>")),
        ("a static file", lambda: append(site.root / "static" / "style.css", "/* changed */\n")),
        ("the spare's marker lost, and a body", lambda: ((spare / ".salvo-build").unlink(),
                                                         append(first[4], "\nA line.\n"))),
        ("a page deleted from public/", lambda: shutil.rmtree(site.public / "incidents" / first[0].stem)),
        ("the cache lost", lambda: shutil.rmtree(site.root / ".salvo-cache")),
        ("a body again", lambda: append(first[3], "\nAnother sentence.\n")),
    ]
    # Nothing to write: the live folder stays, and no spare is made (that would copy the whole site). Without the
    # cache, the live folder's files are read to know that.
    untouched = {"nothing", "nothing, files settled", "nothing, with a spare", "the cache lost"}
    # No spare yet: the first build that writes makes a new folder. Any spare there is checked and reused, even
    # with its marker or the cache lost (its files are then read again).
    afresh = {"a same-size edit with its old modification time"}
    for what, edit in edits:
        edit()
        live = site.public.stat().st_ino
        held = os.open(spare, os.O_RDONLY) if spare.exists() else None  # open, so its inode is not reused
        assert site.run("build", env=build_env()).code == 0, what
        reused = held is not None and os.fstat(held).st_ino == site.public.stat().st_ino
        if held is not None:
            os.close(held)
        if what in untouched:
            assert site.public.stat().st_ino == live and not reused, f"public/ replaced after {what}"
        else:
            assert reused == (what not in afresh), f"spare reused after {what}"
        clean = Site(tmp_path / what.replace(" ", "-"))
        shutil.copytree(site.root, clean.root, ignore=shutil.ignore_patterns(".salvo-cache", "public", ".public*"))
        assert clean.run("build", env=build_env()).code == 0, what
        assert site.snapshot() == clean.snapshot(), f"after {what}: {difference(site.snapshot(), clean.snapshot())}"
        assert temporaries(site) == [], what
        assert spare.is_dir() == (what not in {"nothing", "nothing, files settled"}), what


def test_a_removed_or_renamed_note_leaves_no_page_feed_entry_or_sitemap_entry(make_site):
    site = make_site({
        "content/incidents/2017-07-04-doomed.md": incident("Doomed launch", tags="[doomed-tag]",
                                                           province="Doomed Province"),
        "content/incidents/2017-07-28-old-name.md": incident("Renamed launch", "2017-07-28"),
        "content/incidents/2017-08-29-kept.md": incident("Kept launch", "2017-08-29"),
        "content/pages/gone.md": '---\ntitle: "Gone"\n---\nA page.\n',
    })
    assert site.run("build", env=build_env()).code == 0
    assert (site.public / "tags/doomed-tag/index.html").is_file()
    (site.root / "content/incidents/2017-07-04-doomed.md").unlink()
    (site.root / "content/pages/gone.md").unlink()
    (site.root / "content/incidents/2017-07-28-old-name.md").rename(
        site.root / "content/incidents/2017-07-28-new-name.md")
    assert site.run("build", env=build_env()).code == 0
    for gone in ("incidents/2017-07-04-doomed", "incidents/2017-07-28-old-name", "tags/doomed-tag",
                 "provinces/doomed-province", "gone"):
        assert not (site.public / gone).exists(), gone
    assert (site.public / "incidents/2017-07-28-new-name/index.html").is_file()
    feed = ET.fromstring((site.public / "feed.xml").read_bytes())
    assert sorted(e.findtext(f"{ATOM}id") or "" for e in feed.iter(f"{ATOM}entry")) == [
        "https://example.org/incidents/2017-07-28-new-name/", "https://example.org/incidents/2017-08-29-kept/"]
    sitemap = ET.fromstring((site.public / "sitemap.xml").read_bytes())
    locations = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert "https://example.org/incidents/2017-07-28-new-name/" in locations
    for data in site.snapshot().values():
        for word in (b"doomed", b"Doomed", b"old-name", b"/gone/"):
            assert word not in data


def reproducible_site() -> dict[str, str]:
    """Enough notes to use the forked workers, with context events, pages, and non-Latin names."""
    files = {rel: text for rel, text in record("A", 70).items()}
    files |= {
        "content/incidents/2017-07-04-화성-14형.md": incident("화성-14형", tags="[대륙간탄도미사일, icbm]"),
        "content/incidents/2017-07-28-ミサイル.md": incident("ミサイル", "2017-07-28", tags="[弾道ミサイル]"),
        "content/context/2018-06-12-singapore.md": ('---\ntitle: "Singapore summit"\ndate: "2018-06-12"\n'
                                                    'kind: summit\nsources:\n  - title: "S"\n'
                                                    '    url: "https://example.com/s"\n---\nA summit.\n'),
        "content/pages/about.md": '---\ntitle: "About"\nweight: 1\n---\nAbout the *site*.\n',
    }
    return files


def test_two_builds_of_the_same_input_are_byte_identical_whatever_hash_seed_and_file_order(make_site, tmp_path):
    files = reproducible_site()
    names = list(files)
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    snapshots = []
    for n, (order, seed) in enumerate([(names, "0"), (names[::-1], "4242"), (shuffled, "random")]):
        site = make_site() if n == 0 else Site(tmp_path / f"site-{n}")
        site.write({"site.toml": SITE_TOML})
        if n == 0:
            freeze_theme(site)
        else:
            shutil.copytree(tmp_path / "site" / "templates", site.root / "templates")
            shutil.copytree(tmp_path / "site" / "static", site.root / "static")
        for rel in order:
            site.write({rel: files[rel]})
        run = site.run("build", env=build_env(PYTHONHASHSEED=seed))
        assert run.code == 0, run.err
        snapshots.append(site.snapshot())
        if n == 0:  # and again on the same site, from its cache, with another seed
            assert site.run("build", env=build_env(PYTHONHASHSEED="99")).code == 0
            assert site.snapshot() == snapshots[0]
    assert snapshots[0] == snapshots[1] == snapshots[2]


DESTINATIONS = {
    "the site itself": (".", "the destination contains the site's sources: choose a folder of its own, such as "
                             "public/"),
    "the site's parent": ("..", "the destination contains the site's sources: choose a folder of its own, such as "
                                "public/"),
    "content/": ("content", "the destination is inside the site's content/ folder, which the build reads: choose "
                            "a folder of its own, such as public/"),
    "a folder in content/": ("content/out", "the destination is inside the site's content/ folder, which the "
                                            "build reads: choose a folder of its own, such as public/"),
    "a file": ("site.toml", "the destination is a file, not a folder: choose a folder of its own, such as public/"),
    "another program's folder": ("../photos", "the destination is not empty and was not written by Salvo: choose "
                                              "an empty folder, or remove this one first"),
}


@pytest.mark.parametrize("name", sorted(DESTINATIONS))
def test_a_destination_that_is_the_site_or_not_salvos_is_refused(make_site, tmp_path, name):
    where, message = DESTINATIONS[name]
    site = make_site({"content/incidents/2017-07-04-a.md": incident()})
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    run = site.run("build", "--destination", where, env=build_env())
    assert run.code == 1
    assert run.err.splitlines() == [f"{(site.root / where).resolve()}:1: {message}",
                                    "Error: 1 problem found; nothing was written."]
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_dir()) == sorted(
        ["site", "content", "incidents", "photos"])


def test_a_folder_salvo_wrote_can_be_built_into_again(make_site, tmp_path):
    site = make_site({"content/incidents/2017-07-04-a.md": incident()})
    for _ in range(2):
        run = site.run("build", "--destination", str(tmp_path / "out"), env=build_env())
        assert run.code == 0, run.err
    assert (tmp_path / "out" / "incidents/2017-07-04-a/index.html").is_file()
    assert [p.name for p in tmp_path.glob(".out*")] == []  # nothing changed: no spare made, nothing left beside
