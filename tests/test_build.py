"""End-to-end builds of small sites: build.py as a process, pages read with an HTML parser."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import subprocess
import sys

from conftest import BUILD, incident
from test_output_safety import build_env, record


def test_build_writes_timeline_incident_pages_and_summary(make_site):
    site = make_site({
        "content/incidents/2017-07-04-hwasong-14.md": incident("Hwasong-14 from Panghyon"),
        "content/incidents/2017-07-28-hwasong-14.md": incident("Second Hwasong-14", "2017-07-28"),
    })
    run = site.run("build")
    assert run.code == 0, run.err
    assert "Built 2 notes" in run.out
    titles = site.page("timeline/oldest-first/index.html").text_of("a")
    assert titles.index("Hwasong-14 from Panghyon") < titles.index("Second Hwasong-14")
    titles = site.page("timeline/index.html").text_of("a")  # newest first, as on the home page
    assert titles.index("Hwasong-14 from Panghyon") > titles.index("Second Hwasong-14")
    titles = site.page("index.html").text_of("a")
    assert titles.index("Hwasong-14 from Panghyon") > titles.index("Second Hwasong-14")
    page = site.page("incidents/2017-07-28-hwasong-14/index.html")
    assert page.text_of("h1") == ["Second Hwasong-14"]
    place = page.text_of("p", class_="place")[0]
    assert place == ("The 2nd launch event under Donald Trump (first term); 24 days after the previous incident.")


def test_unknown_distance_is_shown_as_unknown_never_none(make_site):
    site = make_site({"content/incidents/2017-07-04-x.md": incident(distance_km="null", apogee_km=None)})
    assert site.run("build").code == 0
    page = site.page("incidents/2017-07-04-x/index.html")
    rows = page.text_of("tr")
    assert "Distance flown unknown" in rows and "Apogee unknown" in rows
    text = " ".join(page.text_of("main"))
    assert "None" not in text.split() and "nan" not in text.split()


def test_a_long_build_on_a_terminal_says_how_far_it_has_got_and_a_pipe_gets_one_line(make_site):
    site = make_site(record("A", 3000, every=1))
    primary, secondary = pty.openpty()
    with subprocess.Popen([sys.executable, str(BUILD), "build"], cwd=site.root, stdout=subprocess.PIPE,
                          stderr=secondary, env=build_env()) as done:
        os.close(secondary)  # the build holds the only end left: reading fails with EIO once it has exited
        shown = b""
        with contextlib.suppress(OSError):  # read as it goes, so the build never waits on a full terminal
            while chunk := os.read(primary, 4096):
                shown += chunk
        os.close(primary)
        out = done.stdout.read().decode()  # type: ignore[union-attr]
    assert done.returncode == 0, shown[-2000:]
    assert re.search(rb"\r(Reading notes|Rendering pages): [0-9,]+ of [0-9,]+ \([0-9]+%\)\x1b\[K", shown), shown[:300]
    assert shown.endswith(b"\r\x1b[K"), "the line is erased before the summary"
    assert out.startswith("Built 3000 notes")
    (site.root / ".salvo-cache").rename(site.root / "old-cache")  # a whole build again, to a pipe this time
    piped = site.run("build", env=build_env())
    assert piped.code == 0 and piped.err == "" and piped.out.count("\n") == 1, piped
