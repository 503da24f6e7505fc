"""Real machines, real folders: an output changed by hand, a destination that is a link or a mount point, a full or
read-only disk, a source that cannot be written. Each case runs build.py as a process on real file systems (tmpfs
and bind mounts, which these tests make and undo: they run as root) and ends as a clean build would; the one
refusal no file system here can be made to give (an exchange refused after the new site was made beside the
output) is simulated in this process.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import BUILD, SITE_TOML, Site
from test_output_safety import build_env, difference, record, use

from salvo import pipeline, write

Mount = Callable[..., Path]


@pytest.fixture
def mount() -> Iterator[Mount]:
    """mount(folder, *options): run mount(8) with these options onto the folder (made if need be); every mount is
    undone after the test."""
    mounted: list[Path] = []

    def do(where: Path, *options: str) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *options, str(where)], check=True, capture_output=True)
        mounted.append(where)
        return where

    yield do
    for where in reversed(mounted):
        subprocess.run(["umount", "--lazy", str(where)], check=False)


def tmpfs(mount: Mount, where: Path, size: str = "4m") -> Path:
    """A new tmpfs of this size on the folder."""
    return mount(where, "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs")


def read_only(where: Path) -> None:
    """Remount a mount read-only (a bind mount's own flags, or a tmpfs)."""
    bind = ["bind,"] if subprocess.run(["findmnt", "-n", "-o", "FSTYPE", str(where)], capture_output=True,
                                       text=True).stdout.strip() != "tmpfs" else [""]
    subprocess.run(["mount", "-o", f"remount,{bind[0]}ro", str(where)], check=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (through a link to it), with the targets of links inside it, and every folder."""
    found: dict[str, bytes] = {}
    for here, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(here, name)
            rel = path.relative_to(folder).as_posix()
            found[rel] = (b"link " + os.readlink(path).encode() if path.is_symlink()
                          else b"folder" if path.is_dir() else path.read_bytes())
    return found


def clean(site: Site, where: Path, *args: str) -> dict[str, bytes]:
    """What a clean build of the same site writes (a copy without cache or output, built afresh)."""
    copy = Site(where)
    shutil.copytree(site.root, copy.root, ignore=shutil.ignore_patterns(".salvo-cache", "public", ".public*"))
    run = copy.run("build", *args, env=build_env())
    assert run.code == 0, run.err
    return snapshot(copy.public)


def built(site: Site, *args: str, env: dict[str, str] | None = None) -> str:
    """Build, which must succeed; its output."""
    run = site.run("build", *args, env=env or build_env())
    assert run.code == 0, run.err
    return run.out


def leftovers(*folders: Path) -> list[str]:
    """Temporary files and folders of a build, in or beside these folders."""
    return sorted(p.name for f in folders if f.is_dir() for p in f.iterdir() if ".salvo-tmp-" in p.name)


def three_builds_end_clean(site: Site, tmp_path: Path, output: Path | None = None) -> None:
    """Build three times (with nothing changed, then with a title changed, then another), each time ending with the
    output (public/ unless given) as a clean build of the same site writes it."""
    for n in range(3):
        if n:
            edit_title(site, n, f"Changed {n}")
        built(site)
        expected, now = clean(site, tmp_path / f"clean-{n}"), snapshot(output or site.public)
        assert now == expected, f"build {n + 1}: {difference(now, expected)}"


def edit_title(site: Site, n: int, title: str) -> None:
    """Give one of the record's notes another title."""
    note = sorted((site.root / "content" / "incidents").glob("*.md"))[n]
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace(text.split('"')[1], title, 1), encoding="utf-8")


# --- The output is checked, not believed -------------------------------------------------------------------------


def test_a_page_edited_by_hand_in_public_is_put_back_by_the_next_builds(make_site, tmp_path):
    site = make_site(record("A", 12))
    built(site)
    edit_title(site, 0, "Changed first")
    built(site)  # public/ and the spare now share the inodes of every page this change left alone
    page = site.public / "incidents" / sorted((site.root / "content" / "incidents").glob("*.md"))[5].stem / "index.html"
    time.sleep(2.1)  # settled: signatures trusted
    built(site)
    info = page.stat()
    with open(page, "r+b") as handle:  # in place, same size, old modification time: as a careless tool would
        handle.write(b"<!-- EDITED BY HAND -->")
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    three_builds_end_clean(site, tmp_path)


def test_a_page_edited_in_the_same_second_as_the_build_wrote_it_is_put_back(make_site, tmp_path, mount):
    # On a file system that keeps times to the second, such an edit leaves the page's signature as it was: only the
    # settle rule (signature.py) tells that the signature the build took cannot be trusted.
    image = tmp_path / "coarse.img"
    with open(image, "wb") as handle:
        handle.truncate(32 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-I", "128", str(image)], check=True, capture_output=True)
    out = mount(tmp_path / "coarse", "-o", "loop", str(image)) / "public"
    site = make_site()
    for version in "CDEFGHIJKL":  # a new title for each note each time: every page is written anew
        use(site, record(version, 4))
        built(site, "--destination", str(out))
        page = out / "incidents" / sorted((site.root / "content" / "incidents").glob("*.md"))[0].stem / "index.html"
        before = page.stat()
        with open(page, "r+b") as handle:
            handle.write(b"<!-- EDITED BY HAND -->")
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = page.stat()
        if (after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns) == (
                before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns):
            break  # the same second: the signature does not show the edit
    else:
        pytest.fail("no edit fell in the second the build wrote the page")
    built(site, "--destination", str(out))
    assert snapshot(out) == clean(site, tmp_path / "clean")


STRAYS: dict[str, dict[str, Callable[[Path], object]]] = {
    "files, folders and links": {
        "stray.txt": lambda p: p.write_text("left by hand\n"),
        ".htaccess": lambda p: p.write_text("Options +Indexes\n"),
        "incidents/stray/index.html": lambda p: (p.parent.mkdir(), p.write_text("<p>stray</p>\n")),
        "env.txt": lambda p: p.symlink_to("/etc/hostname"),
    },
    "links and folders where the site's are": {
        "static": lambda p: shutil.rmtree(p) or p.symlink_to("/etc", target_is_directory=True),
        "404.html": lambda p: p.unlink() or p.mkdir(),
    },
}


@pytest.mark.parametrize("kind", sorted(STRAYS))
def test_files_and_folders_put_into_public_by_hand_are_removed_and_never_come_back(make_site, tmp_path, kind):
    site = make_site(record("A", 6))
    built(site)
    edit_title(site, 0, "Changed first")
    built(site)
    for rel, make in STRAYS[kind].items():
        make(site.public / rel)
    three_builds_end_clean(site, tmp_path)


def test_a_file_left_by_hand_after_an_up_to_date_build_is_removed(make_site, tmp_path):
    site = make_site(record("A", 4))
    built(site)
    time.sleep(2.1)
    built(site)  # records the up-to-date stamp
    assert built(site).startswith("Up to date")
    (site.public / "incidents" / "stray.html").write_text("<p>stray</p>\n")
    assert built(site).startswith("Built")
    assert snapshot(site.public) == clean(site, tmp_path / "clean")


# --- Destinations that are links or mount points -----------------------------------------------------------------


def test_a_destination_that_is_a_link_is_built_at_its_target_and_stays_a_link(make_site, tmp_path):
    site = make_site(record("A", 6))
    target = tmp_path / "srv" / "www"
    target.mkdir(parents=True)
    site.public.symlink_to(target, target_is_directory=True)
    three_builds_end_clean(site, tmp_path, target)
    assert site.public.is_symlink() and site.public.resolve() == target
    assert leftovers(site.root, target.parent) == []


@pytest.mark.parametrize("kind", ["tmpfs", "bind mount"])
def test_a_destination_that_is_a_mount_point_is_updated_in_place(make_site, tmp_path, mount, kind):
    site = make_site(record("A", 6))
    if kind == "tmpfs":
        tmpfs(mount, site.public)
    else:  # from the same file system: only the kernel's list of mounts tells
        (tmp_path / "volume").mkdir()
        mount(site.public, "--bind", str(tmp_path / "volume"))
    three_builds_end_clean(site, tmp_path)
    assert leftovers(site.public, site.root) == [] and not (site.root / ".public.salvo-spare").exists()
    expected = snapshot(site.public)
    (site.public / "stray.txt").write_text("left by hand\n")
    built(site)
    assert snapshot(site.public) == expected
    before = snapshot(site.public)
    site.write({"content/incidents/2017-07-04-broken.md": "---\ntitle: broken\n"})
    failed = site.run("build", env=build_env())
    assert failed.code == 1 and snapshot(site.public) == before
    assert subprocess.run(["mountpoint", "-q", str(site.public)]).returncode == 0


def test_an_exchange_refused_after_the_new_site_is_made_updates_the_output_in_place(make_site, tmp_path,
                                                                                   monkeypatch):
    site = make_site(record("A", 6))
    built(site)
    use(site, record("B", 6))

    def refuse(new: Path, old: Path) -> bool:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(old))

    monkeypatch.setattr(write, "_exchange", refuse)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", build_env()["SOURCE_DATE_EPOCH"])
    live = site.public.stat().st_ino
    pipeline.build(site.root, site.public)
    assert site.public.stat().st_ino == live, "public/ was replaced, not updated in place"
    expected = clean(site, tmp_path / "clean")
    assert snapshot(site.public) == expected, difference(snapshot(site.public), expected)
    assert leftovers(site.public, site.root) == []
    monkeypatch.undo()
    edit_title(site, 1, "Changed again")
    built(site)  # the next build, with the exchange working again, starts from what this one left
    expected = clean(site, tmp_path / "clean-again")
    assert snapshot(site.public) == expected, difference(snapshot(site.public), expected)


def test_a_full_disk_under_a_mount_point_leaves_it_as_it_was(make_site, tmp_path, mount):
    site = make_site(record("A", 6))
    disk = tmpfs(mount, site.public, "1m")
    built(site)
    before = snapshot(disk)
    fill(disk, 4096)
    use(site, record("B", 6))
    run = site.run("build", env=build_env())
    assert run.code == 3, run
    (line,) = run.err.splitlines()
    assert line.startswith(f"{disk.resolve()}/") and ": No space left on device: free some space" in line, line
    assert {rel: data for rel, data in snapshot(disk).items() if rel != "filler"} == before
    assert leftovers(disk) == []


# --- Environment failures: one line, exit code 3, the last good site whole ---------------------------------------


def fill(disk: Path, leave: int) -> None:
    """Fill a file system but for about `leave` bytes."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_full_disk_is_one_line_and_exit_code_3_and_the_site_stays_whole(make_site, tmp_path, mount):
    site = make_site(record("A", 6))
    disk = tmpfs(mount, tmp_path / "disk", "1m")
    out = disk / "public"
    built(site, "--destination", str(out))
    before = snapshot(out)
    fill(disk, 8192)
    use(site, record("B", 6))
    run = site.run("build", "--destination", str(out), env=build_env())
    assert run.code == 3, run
    (line,) = run.err.splitlines()
    assert line.startswith(f"{disk.resolve()}/") and line.endswith(": No space left on device: free some space on "
                                                                  "that disk, then build again"), line
    assert snapshot(out) == before
    assert leftovers(disk, out) == []
    (disk / "filler").unlink()
    built(site, "--destination", str(out))
    assert snapshot(out) == clean(site, tmp_path / "clean")


def test_a_read_only_output_and_a_parent_that_cannot_be_made_are_one_line_and_exit_code_3(make_site, tmp_path,
                                                                                          mount):
    site = make_site(record("A", 4))
    disk = tmpfs(mount, tmp_path / "disk")
    out = disk / "public"
    built(site, "--destination", str(out))
    before = snapshot(out)
    read_only(disk)
    use(site, record("B", 4))
    for destination, path in [(out, out), (disk / "new" / "public", disk / "new")]:
        run = site.run("build", "--destination", str(destination), env=build_env())
        assert run.code == 3, run
        assert run.err.splitlines() == [f"{path.resolve()}: Read-only file system: the file system is mounted "
                                        "read-only: remount it read-write, or build elsewhere (--destination)"]
    assert snapshot(out) == before


def test_a_destination_this_user_may_not_write_is_one_line_and_exit_code_3(tmp_path):
    # As `nobody`: root may write anywhere. The site and output are made where nobody can read them.
    shared = Path(tempfile.mkdtemp(prefix="salvo-nobody-"))
    try:
        shared.chmod(0o755)
        site = Site(shared / "site")
        site.write({"site.toml": SITE_TOML, **record("A", 3)})
        built(site)
        before = snapshot(site.public)
        use(site, record("B", 3))
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, str(BUILD),
                   "build"]
        run = subprocess.run(command, cwd=site.root, capture_output=True, text=True, env=build_env(
            XDG_CACHE_HOME=str(shared / "nobody-cache")), timeout=120)
        assert run.returncode == 3, run
        assert run.stderr.splitlines()[-1] == (f"{site.public.resolve()}: Permission denied: this user may not change "
                                               "it: change its owner or permissions, or build elsewhere "
                                               "(--destination)"), run.stderr
        assert snapshot(site.public) == before
    finally:
        shutil.rmtree(shared)


# --- A source that cannot be written -----------------------------------------------------------------------------


def test_a_read_only_source_builds_with_its_cache_in_the_users_cache_folder(make_site, tmp_path, mount):
    site = make_site(record("A", 4))
    (tmp_path / "ro").mkdir()
    source = mount(tmp_path / "ro" / "site", "--bind", str(site.root))
    read_only(source)
    out, caches = tmp_path / "out", tmp_path / "xdg"
    env = build_env(XDG_CACHE_HOME=str(caches))
    runs = []
    for _ in range(3):
        run = subprocess.run([sys.executable, str(BUILD), "build", "--source", str(source), "--destination", str(out)],
                             capture_output=True, text=True, env=env, timeout=120)
        assert run.returncode == 0, run
        runs.append(run)
        time.sleep(2.1)
    (kept,) = (caches / "salvo").iterdir()
    assert runs[0].stderr.splitlines() == [f"Note: {source} cannot be written: the cache is kept in {kept}"]
    assert runs[2].stdout.startswith("Up to date")  # the stamp is kept there too
    assert (kept / "stamp.json").is_file()
    assert not (site.root / ".salvo-cache").exists() and not site.public.exists()
    assert snapshot(out) == clean(site, tmp_path / "clean")


def test_a_read_only_source_without_a_cache_folder_builds_without_a_cache(make_site, tmp_path, mount):
    site = make_site(record("A", 4))
    (tmp_path / "ro").mkdir()
    source = mount(tmp_path / "ro" / "site", "--bind", str(site.root))
    read_only(source)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(BUILD), "build", "--source", str(source), "--destination", str(out)],
                         capture_output=True, text=True, env=build_env(XDG_CACHE_HOME=str(source / "cache")),
                         timeout=120)
    assert run.returncode == 0, run
    assert run.stderr.splitlines() == [f"Note: {source} cannot be written: building without a cache (set "
                                       "XDG_CACHE_HOME to a folder that can be written to keep one)"]
    assert snapshot(out) == clean(site, tmp_path / "clean")


# --- One module decides "unchanged" ------------------------------------------------------------------------------


def test_an_up_to_date_build_imports_only_the_stamp_and_the_signatures(make_site):
    site = make_site(record("A", 3))
    built(site)
    time.sleep(2.1)
    built(site)
    run = site.run("build", env=build_env(PYTHONVERBOSE="1"))
    assert run.code == 0 and run.out.startswith("Up to date"), run
    imported = {line.split()[1].strip("'") for line in run.err.splitlines() if line.startswith("import ")}
    assert {name for name in imported if name.startswith("salvo")} == {
        "salvo", "salvo.cli", "salvo.errors", "salvo.options", "salvo.schema", "salvo.signature", "salvo.stamp"}
