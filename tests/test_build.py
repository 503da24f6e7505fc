"""End-to-end builds of small sites: build.py as a process, pages read with an HTML parser."""

from __future__ import annotations

from conftest import incident


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
