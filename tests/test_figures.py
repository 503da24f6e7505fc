"""Per-term figures and the charts drawn from them, on small sites with known answers."""

from __future__ import annotations

import json

from conftest import Page, incident


def periods(site) -> dict[str, dict]:
    """data/periods.json by period label."""
    data = json.loads((site.public / "data/periods.json").read_text(encoding="utf-8"))
    return {p["label"]: p for p in data["periods"]}


def test_inauguration_day_launches_fall_either_side_of_noon_eastern(make_site):
    # Noon Eastern on 20 January 2017 is 02:00 on 21 January in Korea.
    site = make_site({
        "content/incidents/2017-01-21-before.md": incident("Before noon", "2017-01-21", time='"01:59"'),
        "content/incidents/2017-01-21-after.md": incident("After noon", "2017-01-21", time='"02:00"'),
    })
    assert site.run("build").code == 0
    figures = periods(site)
    assert figures["Obama"]["launch_events"] == 1
    assert figures["Trump (1st term)"]["launch_events"] == 1
    assert figures["Trump (1st term)"]["days_to_first_launch"] == 0
    before = site.page("incidents/2017-01-21-before/index.html")
    assert before.text_of("p", class_="place")[0].startswith("The 1st launch event under Barack Obama")


def test_counts_missiles_days_rates_and_extremes(make_site):
    site = make_site({
        "content/incidents/2017-03-06-a.md": incident("A", "2017-03-06", count=4, distance_km=1000, apogee_km=260),
        "content/incidents/2017-03-06-b.md": incident("B", "2017-03-06", count=1, missile_type="SRBM",
                                                      distance_km="null", apogee_km="null"),
        "content/incidents/2017-11-29-c.md": incident("C", "2017-11-29", count=1, distance_km=950, apogee_km=4475),
        "content/incidents/2017-09-03-n.md": incident("Test", "2017-09-03", kind="nuclear_test", missile_type=None,
                                                      outcome=None, count=None),
    })
    run = site.run("build")
    assert run.code == 0, run.err
    trump = periods(site)["Trump (1st term)"]
    assert (trump["launch_events"], trump["missiles"], trump["launch_days"], trump["nuclear_tests"]) == (3, 6, 2, 1)
    assert trump["days"] == 1461
    assert trump["launch_events_per_100_days"] == round(3 * 100 / 1461, 2)
    assert trump["longest_range"]["km"] == 1000 and trump["highest_apogee"]["km"] == 4475
    assert trump["class_mix"] == {"ICBM": 2, "SRBM": 1}
    assert trump["icbm_launch_events"] == 2
    assert trump["longest_pause"] == {"after": "2017-03-06", "before": "2017-11-29"}
    assert trump["longest_pause_days"] == 268


def test_term_without_launches_and_month_only_dates(make_site):
    site = make_site({
        "content/incidents/2022-05-x.md": incident("Month only", "2022-05", time=None, distance_km="null"),
    })
    assert site.run("build").code == 0
    figures = periods(site)
    assert figures["Obama"]["launch_events"] == 0
    assert figures["Obama"]["days_to_first_launch"] is None and figures["Obama"]["longest_range"] is None
    assert figures["Biden"]["launch_events"] == 1
    page = site.page("incidents/2022-05-x/index.html")
    times = page.find_all("time")
    assert times[0]["attrs"]["datetime"] == "2022-05"
    assert page.text_of("time")[0] == "May 2022"
    home = site.page("index.html")
    sentences = " ".join(home.text_of("ul", class_="sentences"))
    assert "No launch is in the record for this term" in sentences


def test_ongoing_term_is_counted_to_the_latest_event(make_site):
    site = make_site({
        "content/incidents/2025-01-14-a.md": incident("Before", "2025-01-14"),
        "content/incidents/2025-03-10-b.md": incident("After", "2025-03-10"),
    })
    assert site.run("build").code == 0
    current = periods(site)["Trump (2nd term)"]
    assert current["ongoing"] is True and current["days_counted_to"] == "2025-03-10"
    assert current["days"] == 48  # from 21 January in Korea (noon on the 20th in Washington) to 10 March
    assert current["launch_events"] == 1


def test_supplementary_launches_are_apart_from_the_comparable_counts(make_site):
    site = make_site({
        "content/incidents/2025-02-26-cruise.md": incident("Cruise", "2025-02-26", missile_type="cruise",
                                                           record_status="supplement", count="null"),
        "content/incidents/2025-03-10-b.md": incident("Ballistic", "2025-03-10"),
    })
    assert site.run("build").code == 0
    current = periods(site)["Trump (2nd term)"]
    assert current["launch_events"] == 1 and current["supplementary_launch_events"] == 1
    assert current["class_mix"] == {"ICBM": 1}


def test_charts_draw_the_figures_the_tables_show(make_site):
    site = make_site({
        "content/incidents/2016-02-07-a.md": incident("A", "2016-02-07"),
        "content/incidents/2016-03-10-b.md": incident("B", "2016-03-10", missile_type="SRBM"),
        "content/incidents/2017-03-06-c.md": incident("C", "2017-03-06"),
        "content/incidents/2017-11-29-d.md": incident("D", "2017-11-29"),
        "content/incidents/2017-12-01-e.md": incident("E", "2017-12-01", missile_type="SRBM"),
    })
    assert site.run("build").code == 0
    home = site.page("index.html")
    figures = periods(site)
    bars = {(r["attrs"]["data-year"], r["attrs"]["data-period"]): int(r["attrs"]["data-value"])
            for r in home.find_all("rect") if "data-year" in r["attrs"]}
    assert bars == {("2016", "obama"): 2, ("2017", "trump-1st-term"): 3}
    heights = {k: float(r["attrs"]["height"]) for r in home.find_all("rect") if "data-year" in r["attrs"]
               for k in [(r["attrs"]["data-year"], r["attrs"]["data-period"])]}
    assert abs(heights[("2017", "trump-1st-term")] / heights[("2016", "obama")] - 1.5) < 0.01
    lines = {p["attrs"]["data-period"]: int(p["attrs"]["data-value"]) for p in home.find_all("polyline")}
    assert lines == {slug: figures[label]["launch_events"] for label, slug in
                     (("Obama", "obama"), ("Trump (1st term)", "trump-1st-term"))}
    mix = {(r["attrs"]["data-period"], r["attrs"]["data-class"]): int(r["attrs"]["data-value"])
           for r in home.find_all("rect") if "data-class" in r["attrs"]}
    assert mix == {("obama", "ICBM"): 1, ("obama", "SRBM"): 1, ("trump-1st-term", "ICBM"): 2,
                   ("trump-1st-term", "SRBM"): 1}
    svg = home.find_all("svg", id="per-year-svg")[0]
    assert svg["attrs"]["role"] == "img"
    assert home.text_of("title", id="per-year-t") == ["Launch events per year"]


def test_diplomacy_window_counts_launches_around_a_summit(make_site):
    site = make_site({
        "content/context/2018-06-12-singapore.md": (
            '---\ntitle: "Singapore summit"\ndate: "2018-06-12"\nkind: summit\n'
            'sources: [{title: "S", publisher: "P", url: "https://example.com/s"}]\n---\nMet.\n'),
        "content/incidents/2018-04-01-a.md": incident("A", "2018-04-01"),
        "content/incidents/2018-07-01-b.md": incident("B", "2018-07-01"),
        "content/incidents/2018-07-02-c.md": incident("C", "2018-07-02"),
    })
    assert site.run("build").code == 0
    page = site.page("periods/trump-1st-term/index.html")
    rows = [r for r in page.text_of("tr") if r.startswith("Singapore summit")]
    assert rows == ["Singapore summit 12 June 2018 1 2"]


def test_diplomacy_table_shows_a_month_only_context_date_as_a_month(make_site):
    site = make_site({
        "content/context/2018-06-summit.md": (
            '---\ntitle: "Summit"\ndate: "2018-06"\nkind: summit\n'
            'sources: [{title: "S", publisher: "P", url: "https://example.com/s"}]\n---\nMet.\n'),
        "content/incidents/2018-04-01-a.md": incident("A", "2018-04-01"),
        "content/incidents/2018-07-01-b.md": incident("B", "2018-07-01"),
    })
    assert site.run("build").code == 0
    page = site.page("periods/trump-1st-term/index.html")
    assert [r for r in page.text_of("tr") if r.startswith("Summit")] == ["Summit June 2018 1 1"]


def test_home_timeline_places_context_between_launches(make_site):
    site = make_site({
        "content/context/2018-06-12-singapore.md": (
            '---\ntitle: "Singapore summit"\ndate: "2018-06-12"\nkind: summit\n'
            'sources: [{title: "S", publisher: "P", url: "https://example.com/s"}]\n---\nMet.\n'),
        "content/incidents/2018-04-01-a.md": incident("Launch A", "2018-04-01"),
        "content/incidents/2018-07-01-b.md": incident("Launch B", "2018-07-01"),
    })
    assert site.run("build").code == 0
    home: Page = site.page("index.html")
    kinds = [li["attrs"]["data-kind"] for li in home.find_all("li") if "data-kind" in li["attrs"]]
    assert kinds == ["launch", "context", "launch"]


def test_launches_between_consecutive_milestones(make_site):
    summit = ('---\ntitle: "{t}"\ndate: "{d}"\nkind: summit\n'
              'sources: [{{title: "S", publisher: "P", url: "https://example.com/s"}}]\n---\nMet.\n')
    site = make_site({
        "content/context/2018-06-12-singapore.md": summit.format(t="Singapore", d="2018-06-12"),
        "content/context/2019-02-27-hanoi.md": summit.format(t="Hanoi", d="2019-02-27"),
        "content/incidents/2018-04-01-a.md": incident("A", "2018-04-01"),
        "content/incidents/2019-05-04-b.md": incident("B", "2019-05-04"),
    })
    assert site.run("build").code == 0
    page = site.page("periods/trump-1st-term/index.html")
    assert "Singapore Hanoi 260 0" in page.text_of("tr")
