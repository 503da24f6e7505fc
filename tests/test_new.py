"""`build.py new`: a note with every field, values checked at once, never overwriting, asked in a terminal."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import yaml
from conftest import BUILD, ROOT, Run, Site, incident

from salvo.schema import INCIDENT

TITLE = "Hwasong-14 ICBM launched from Panghyon"
STEM = "2017-07-04-hwasong-14-icbm-launched-from-panghyon"


def new(site: Site, *args: str, env: dict[str, str] | None = None) -> Run:
    """Run `build.py new` with no terminal on stdin (so it never waits for answers)."""
    done = subprocess.run([sys.executable, str(BUILD), "new", *args], cwd=site.root, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


def notes(site: Site) -> list[str]:
    """The incident notes' file names."""
    return sorted(p.name for p in (site.root / "content" / "incidents").iterdir())


def front(path: Path) -> dict:
    """A note's front matter, read with plain PyYAML."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_scaffold_has_every_field_with_the_given_values_and_commented_blanks(make_site):
    site = make_site()
    run = new(site, TITLE, "--date", "2017-07-04", "--time", "09:40", "--type", "ICBM", "--name", "Hwasong-14",
              "--count", "1", "--site", "Panghyon", "--province", "North Pyongan", "--distance", "933",
              "--apogee", "2802.5", "--landing", "Sea of Japan (East Sea)", "--outcome", "success")
    assert run.code == 0, run.err
    path = site.root / "content" / "incidents" / f"{STEM}.md"
    assert run.out == f"content/incidents/{STEM}.md\n"
    assert "sources" in run.err
    values = front(path)
    assert tuple(values) == tuple(f.name for f in INCIDENT)
    assert values | {"sources": None} == {
        "title": TITLE, "date": "2017-07-04", "time": "09:40", "kind": "launch", "missile_type": "ICBM",
        "missile_name": "Hwasong-14", "count": 1, "launch_site": "Panghyon", "province": "North Pyongan",
        "latitude": None, "longitude": None, "distance_km": 933, "apogee_km": 2802.5,
        "landing": "Sea of Japan (East Sea)", "outcome": "success", "outcome_detail": None, "hypersonic": None,
        "overflew_japan": False, "record_status": "editor", "event_id": None, "yield_kt": None,
        "seismic_magnitude": None, "caveats": [], "sources": None, "tags": [], "draft": True,
    }
    assert values["sources"] == [{"title": None, "publisher": None, "url": None}]
    lines = path.read_text(encoding="utf-8").split("\n")
    blanks = [line for line in lines if re.match(r"\s*(- )?\w+: (null|\[\])", line)]
    assert len(blanks) == 12 and all(re.search(r"  # \S", line) for line in blanks)
    assert "latitude: null  # the launch facility's latitude in degrees, a number; null if unknown" in lines
    assert sum("TODO" in line for line in lines if line.lstrip().startswith(("sources:", "- title:", "url:"))) == 3


def test_bad_values_are_refused_at_once_with_builds_messages_and_nothing_is_written(make_site):
    site = make_site()
    cases = [
        (("--time", "9:40"), f"content/incidents/{STEM}.md:4: `time` must be \"HH:MM\" on a 24-hour clock "
                             "(Korea Standard Time), not \"9:40\""),
        (("--type", "ICMB"), f"content/incidents/{STEM}.md:6: `missile_type` is `ICMB`, which is not in "
                             "[vocabularies.missile_types] of site.toml. Did you mean `ICBM`? "
                             "Use one of: SRBM, IRBM, ICBM, cruise"),
        (("--date", "2017-02-30"), "content/incidents/2017-02-30-hwasong-14-icbm-launched-from-panghyon.md:3: "
                                   "`date` 2017-02-30 is not a real date: check the month and the day"),
    ]
    for args, message in cases:
        run = new(site, TITLE, "--date", "2017-07-04", *args)
        assert run.code == 1, run.err
        assert run.err.splitlines() == [message, "Error: 1 problem found; nothing was written."]
        assert run.out == ""
    assert notes(site) == []


def test_the_same_incident_twice_is_refused_and_the_note_kept(make_site):
    site = make_site()
    assert new(site, TITLE, "--date", "2017-07-04", "--time", "09:40").code == 0
    path = site.root / "content" / "incidents" / f"{STEM}.md"
    path.write_text(path.read_text(encoding="utf-8") + "Edited by hand.\n", encoding="utf-8")
    before = path.read_bytes()
    run = new(site, TITLE, "--date", "2017-07-04", "--time", "09:40", "--type", "ICBM")
    assert run.code == 1
    assert run.err.startswith(f"content/incidents/{STEM}.md: already records \"{TITLE}\" on 2017-07-04 at 09:40: "
                              "edit that note instead")
    assert "Nothing was written." in run.err
    assert path.read_bytes() == before
    assert notes(site) == [f"{STEM}.md"]


def test_a_second_incident_on_the_same_date_gets_a_distinct_slug(make_site):
    site = make_site()
    first = new(site, "SRBM launch", "--date", "2022-01-17", "--time", "08:50")
    second = new(site, "SRBM launch", "--date", "2022-01-17", "--time", "08:54")
    third = new(site, "???", "--name", "KN-24", "--date", "2022-01-17")
    assert (first.code, second.code, third.code) == (0, 0, 0), second.err + third.err
    assert second.out == "content/incidents/2022-01-17-srbm-launch-2.md\n"
    assert third.out == "content/incidents/2022-01-17-kn-24.md\n"
    assert notes(site) == ["2022-01-17-kn-24.md", "2022-01-17-srbm-launch-2.md", "2022-01-17-srbm-launch.md"]
    assert front(site.root / "content/incidents/2022-01-17-srbm-launch-2.md")["time"] == "08:54"


def test_date_defaults_to_today_in_korea_and_the_note_is_a_draft(make_site):
    site = make_site()
    # 2024-03-01 20:00 UTC is already 2 March in Korea.
    epoch = int(dt.datetime(2024, 3, 1, 20, 0, tzinfo=dt.UTC).timestamp())
    run = new(site, "Cruise missiles", env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)})
    assert run.code == 0, run.err
    assert run.out == "content/incidents/2024-03-02-cruise-missiles.md\n"
    values = front(site.root / "content/incidents/2024-03-02-cruise-missiles.md")
    assert (values["date"], values["draft"]) == ("2024-03-02", True)


def test_without_title_or_terminal_it_is_a_usage_error(make_site):
    site = make_site()
    run = new(site)
    assert run.code == 2
    assert run.err.startswith("usage: build.py new [-h] [--source DIR] [--date YYYY-MM-DD]")
    assert run.err.splitlines()[-1] == ("build.py new: error: the incident's title is required (run it in a terminal "
                                        "to be asked for it)")
    assert notes(site) == []


class Terminal:
    """build.py run on a pseudo-terminal, driven line by line, every wait bounded."""

    def __init__(self, site: Site, *args: str) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen([sys.executable, str(BUILD), *args], cwd=site.root, stdin=slave,
                                        stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = ""
        self.seen = 0

    def expect(self, text: str, timeout: float = 20) -> str:
        """Wait until `text` appears after what was already expected; return the output up to it."""
        deadline = time.monotonic() + timeout
        while (found := self.output.find(text, self.seen)) == -1:
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {text!r}; output so far:\n{self.output}"
            if not self.read(min(left, 1.0)):
                assert self.process.poll() is None, f"exited before {text!r}:\n{self.output}"
        before, self.seen = self.output[self.seen: found], found + len(text)
        return before

    def read(self, timeout: float) -> bool:
        """Read what is waiting on the terminal, if anything."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the other side closed
            return False
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)

    def send(self, line: str) -> None:
        """Type a line."""
        os.write(self.master, line.encode() + b"\n")

    def finish(self, timeout: float = 30) -> int:
        """Wait for the process to end, reading the rest of its output; return its exit code."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait(timeout=10)
        while self.read(0.1):
            pass
        os.close(self.master)
        return code


def test_in_a_terminal_it_asks_for_the_essentials_and_checks_each_answer(make_site):
    site = make_site()
    term = Terminal(site, "new", "--date", "2017-07-04", "--outcome", "success")
    try:
        term.expect("Title (required): ")
        term.send("Hwasong-14 from Panghyon")
        term.expect("Time in Korea, HH:MM (blank if unknown): ")
        term.send("9:40")
        assert "must be \"HH:MM\" on a 24-hour clock" in term.expect("Time in Korea, HH:MM (blank if unknown): ")
        term.send("09:40")
        term.expect("Missile type, one of SRBM, IRBM, ICBM, cruise (blank if unknown): ")
        term.send("ICBM")
        term.expect("Number of missiles (blank if unknown): ")
        term.send("")
        term.expect("Launch site (blank if unknown): ")
        term.send("Panghyon")
        term.expect("content/incidents/2017-07-04-hwasong-14-from-panghyon.md")
    finally:
        code = term.finish()
    assert code == 0, term.output
    assert "Date in Korea" not in term.output  # given on the command line, so not asked
    values = front(site.root / "content/incidents/2017-07-04-hwasong-14-from-panghyon.md")
    assert {k: values[k] for k in ("title", "date", "time", "missile_type", "count", "launch_site", "outcome")} == {
        "title": "Hwasong-14 from Panghyon", "date": "2017-07-04", "time": "09:40", "missile_type": "ICBM",
        "count": None, "launch_site": "Panghyon", "outcome": "success"}


def test_a_new_note_never_breaks_the_build_and_is_published_once_filled_in(make_site):
    site = make_site({"content/incidents/2017-07-28-second.md": incident("Second", "2017-07-28")})
    run = new(site, TITLE, "--date", "2017-07-04", "--type", "ICBM")
    assert run.code == 0, run.err
    assert run.err.splitlines()[-1] == (
        f"Created content/incidents/{STEM}.md as a draft: `build` leaves it out until you set `draft: false`, `serve` "
        "shows it. Fill in outcome, sources first; blanks marked null may stay null when unknown.")
    path = site.root / "content" / "incidents" / f"{STEM}.md"
    built = site.run("build")
    assert built.code == 0, built.err
    assert not (site.public / "incidents" / STEM).exists()
    assert site.run("build", "--drafts").code == 0
    banner = site.page(f"incidents/{STEM}/index.html").text_of("p", class_="draft-banner")
    assert banner == ["Draft: left out of the published site until you set draft: false. Still to fill in: outcome, "
                      "sources."]
    text = path.read_text(encoding="utf-8")
    filled = {"title": '"Press release"', "publisher": '"Japan Ministry of Defense"',
              "url": '"https://www.mod.go.jp/en/"', "outcome": "success", "draft": "false"}
    for key, value in filled.items():
        text, n = re.subn(rf"^(\s*(?:- )?{key}): (null|true)  # .*$", rf"\1: {value}", text, count=1, flags=re.M)
        assert n == 1, key
    path.write_text(text, encoding="utf-8")
    built = site.run("build")
    assert built.code == 0, built.err
    page = site.page(f"incidents/{STEM}/index.html")
    assert page.text_of("h1") == [TITLE] and not page.find_all("p", class_="draft-banner")


def test_a_known_site_fills_in_its_canonical_name_province_and_coordinates(make_site):
    site = make_site({"launch-sites.toml": (ROOT / "launch-sites.toml").read_text(encoding="utf-8")})
    run = new(site, "SRBM launch", "--date", "2024-05-17", "--site", "Wonsan")
    assert run.code == 0, run.err
    values = front(site.root / "content/incidents/2024-05-17-srbm-launch.md")
    assert {k: values[k] for k in ("launch_site", "province", "latitude", "longitude")} == {
        "launch_site": "Wonsan Kalma International Airport", "province": "Kangwon Province", "latitude": 39.1677,
        "longitude": 127.4817}
    given = new(site, "Cruise missile", "--date", "2024-05-17", "--site", "sunan", "--province", "Pyongyang City")
    assert given.code == 0, given.err
    values = front(site.root / "content/incidents/2024-05-17-cruise-missile.md")
    assert (values["launch_site"], values["province"]) == ("Pyongyang International Airport", "Pyongyang City")


def test_a_near_miss_site_gets_a_suggestion_and_nothing_is_written(make_site):
    site = make_site({"launch-sites.toml": (ROOT / "launch-sites.toml").read_text(encoding="utf-8")})
    run = new(site, "SRBM launch", "--date", "2024-05-17", "--site", "Wonsn")
    assert run.code == 1
    assert run.err.splitlines()[0].startswith("content/incidents/2024-05-17-srbm-launch.md:9: `launch_site` is "
                                              "`Wonsn`, which is not a name or alias in launch-sites.toml. Did you "
                                              "mean `Wonsan`?")
    assert notes(site) == []
