"""Per-term figures and the charts drawn from them, on small sites with known answers."""

from __future__ import annotations

import datetime as dt
import json

from conftest import SITE_TOML, Page, incident
from hypothesis import given
from hypothesis import strategies as st

from salvo.charts import _ticks


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
    assert trump["days_counted"] == 1461
    assert trump["launch_events_per_100_days"] == round(3 * 100 / 1461, 2)
    assert trump["longest_range"]["km"] == 1000 and trump["highest_apogee"]["km"] == 4475
    assert trump["class_mix"] == {"ICBM": 2, "SRBM": 1}
    assert trump["icbm_launch_events"] == 2
    assert trump["longest_pause"] == {"days": 268, "after": "2017-03-06", "before": "2017-11-29",
                                      "approximate": False}


def test_records_leave_out_failed_flights_and_a_single_launch_day_has_no_pause(make_site):
    site = make_site({
        "content/incidents/2017-03-06-a.md": incident("A", "2017-03-06", distance_km=5000, apogee_km=900,
                                                      outcome="failure"),
        "content/incidents/2017-03-06-b.md": incident("B", "2017-03-06", missile_type="SRBM", distance_km=600,
                                                      apogee_km=80),
    })
    assert site.run("build").code == 0
    trump = periods(site)["Trump (1st term)"]
    assert trump["longest_range"] == {"km": 600, "incident": "2017-03-06-b"}
    assert trump["highest_apogee"] == {"km": 80, "incident": "2017-03-06-b"}
    assert trump["longest_pause"] is None
    row = [r for r in site.page("periods/index.html").text_of("tr") if r.startswith("Longest pause")]
    assert row == ["Longest pause between launch days none none none none"]


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
    assert "Under Barack Obama, North Korea carried out 0 launch events (0 missiles on 0 days) in 2,922 days" \
        in sentences


def test_a_pause_that_starts_or_ends_on_a_month_only_date_is_marked_approximate(make_site):
    site = make_site({
        "content/incidents/2022-05-x.md": incident("Month only", "2022-05", time=None),
        "content/incidents/2022-09-01-y.md": incident("Day known", "2022-09-01"),
    })
    assert site.run("build").code == 0
    assert periods(site)["Biden"]["longest_pause"]["approximate"] is True
    sentence = site.page("periods/biden/index.html").text_of("p", class_="lede")[0]
    assert "The longest pause between two launch days lasted about 109 days." in sentence


def test_the_current_term_is_counted_to_the_date_the_record_is_complete_to(make_site):
    toml = SITE_TOML.replace("compare_from = 2009-01-20", "compare_from = 2009-01-20\ncomplete_to = 2025-03-10")
    site = make_site({
        "content/incidents/2025-01-14-a.md": incident("Before", "2025-01-14"),
        "content/incidents/2025-03-10-b.md": incident("After", "2025-03-10"),
    }, toml=toml)
    assert site.run("build").code == 0
    current = periods(site)["Trump (2nd term)"]
    assert (current["counted_from"], current["counted_to"], current["term_runs_past_record"]) == (
        "2025-01-21", "2025-03-10", True)
    assert current["days_counted"] == 49  # 21 January (noon on the 20th in Washington) to 10 March, both included
    assert current["launch_events"] == 1
    home = site.page("index.html")
    assert home.text_of("figcaption", id="rates-t") == ["Launch events per 100 days in office, to 10 March 2025"]
    assert home.text_of("p", class_="takeaway")[0].startswith("To 10 March 2025, the date the record is complete to,")
    assert "21 Jan 2025 to 10 Mar 2025" in home.text_of("th")[4]
    site.write({"content/incidents/2025-03-11-c.md": incident("Later", "2025-03-11"),
                "content/incidents/2025-03-12-d.md": incident("Draft", "2025-03-12", draft="true")})
    run = site.run("build")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/incidents/2025-03-11-c.md:3: `date` 2025-03-11 is after 2025-03-10, the date the record is "
        "complete to (`complete_to` in site.toml): once every incident up to 2025-03-11 is in, move `complete_to` "
        "to it; until then keep this note a draft (`draft: true`)")
    assert len(run.err.splitlines()) == 2  # the problem and the summary: the draft is not refused


def test_a_term_begun_before_the_record_is_counted_from_the_record_start(make_site):
    toml = SITE_TOML.replace("[[periods]]", """[[periods]]
name = "Ronald Reagan"
label = "Reagan"
party = "Republican"
start = 1981-01-20T12:00:00-05:00
end = 1989-01-20T12:00:00-05:00

[[periods]]
name = "Between"
label = "Between"
start = 1989-01-20T12:00:00-05:00
end = 2009-01-20T12:00:00-05:00

[[periods]]""", 1)
    site = make_site({"content/incidents/1984-04-09-a.md": incident("A", "1984-04-09")}, toml=toml)
    assert site.run("build").code == 0
    reagan = periods(site)["Reagan"]
    assert (reagan["counted_from"], reagan["record_starts_after_inauguration"]) == ("1984-01-01", True)
    assert reagan["days_counted"] == 1847  # 1 January 1984 to 20 January 1989
    assert reagan["days_to_first_launch"] is None  # the days before the record are unknown
    cells = [r for r in site.page("periods/index.html").text_of("tr") if r.startswith("Days to first launch")]
    # /periods/ has one table for the terms since compare_from and one for those before
    assert cells == ["Days to first launch none none none none", "Days to first launch n/a none"]


def test_launches_outside_the_record_are_listed_apart_and_never_counted(make_site):
    site = make_site({
        "content/incidents/2025-02-26-cruise.md": incident("Cruise", "2025-02-26", missile_type="cruise",
                                                           record_status="supplement", count="null"),
        "content/incidents/2025-03-10-b.md": incident("Ballistic", "2025-03-10", count=2),
    })
    assert site.run("build").code == 0
    current = periods(site)["Trump (2nd term)"]
    assert current["launch_events"] == 1 and current["missiles"] == 2
    assert current["class_mix"] == {"ICBM": 1}
    year = site.page("years/2025/index.html")
    assert [r for r in year.text_of("tr") if r.startswith("Trump")] == ["Trump (2nd term) 1 2 0 1"]
    assert year.text_of("h3") == ["Launch events counted 1", "Outside the ballistic record, not counted 1"]
    cruise = site.page("classes/cruise/index.html")
    assert [r for r in cruise.text_of("tr") if r.startswith("Trump")] == ["Trump (2nd term) 0 0 0 1"]


def test_a_judgement_call_is_shown_beside_each_figure_it_moves_with_the_figure_the_other_way(make_site):
    toml = SITE_TOML.replace("[vocabularies.missile_types]", """[[judgement_calls]]
id = "counted-anyway"
title = "The launch of 6 March 2017 is counted"
explanation = "Sources disagree on what it was."
incidents = ["2017-03-06-a"]

[[judgement_calls]]
id = "left-out"
title = "The salvo of 10 March 2017 is not counted"
explanation = "Only one report mentions it."
incidents = ["2017-03-10-s"]

[vocabularies.missile_types]""")
    site = make_site({
        "content/incidents/2017-03-06-a.md": incident("A", "2017-03-06", count=2),
        "content/incidents/2017-03-10-s.md": incident("S", "2017-03-10", record_status="supplement", count=3),
        "content/incidents/2017-11-29-c.md": incident("C", "2017-11-29", missile_type="SRBM"),
    }, toml=toml)
    run = site.run("build")
    assert run.code == 0, run.err
    trump = periods(site)["Trump (1st term)"]
    assert (trump["launch_events"], trump["missiles"]) == (2, 3)
    assert trump["judgement_calls"]["counted-anyway"]["launch_events"] == 1
    assert trump["judgement_calls"]["counted-anyway"]["missiles"] == 1
    assert trump["judgement_calls"]["left-out"]["launch_events"] == 3
    assert trump["judgement_calls"]["left-out"]["missiles"] == 6
    assert "nuclear_tests" not in trump["judgement_calls"]["left-out"]  # only what it moves
    home = site.page("index.html")
    cells = [r for r in home.text_of("tr") if r.startswith("Launch events ")]
    assert cells[0].split() == ["Launch", "events", "0", "2ab", "0", "0"]
    notes = home.text_of("li", id="n-left-out-trump-1st-term")
    assert notes and "launch events 3 instead of 2; missiles 6 instead of 3" in notes[0]
    rows = site.page("periods/index.html").text_of("tr")
    assert "Trump (1st term) launch events 2 1" in rows and "Trump (1st term) launch events 2 3" in rows


def test_a_judgement_call_that_names_no_launch_note_is_a_problem_at_its_line(make_site):
    toml = SITE_TOML.replace("[vocabularies.missile_types]", """[[judgement_calls]]
id = "typo"
title = "A call"
explanation = "Why."
incidents = ["2017-03-06-b"]
missile_types = ["ICMB"]

[vocabularies.missile_types]""")
    site = make_site({"content/incidents/2017-03-06-a.md": incident("A", "2017-03-06")}, toml=toml)
    run = site.run("build")
    assert run.code == 1
    line = toml.splitlines().index('id = "typo"') + 1
    assert run.err.splitlines()[:1] == [
        f"site.toml:{line + 4}: `ICMB` is not in [vocabularies.missile_types]. Did you mean `ICBM`?"]
    site.write({"site.toml": toml.replace('missile_types = ["ICMB"]\n', "")})
    run = site.run("build")
    assert run.err.splitlines()[:1] == [
        f"site.toml:{line}: judgement call `typo` names `2017-03-06-b`, which is no launch note in "
        "content/incidents/: write the note's file name without .md"]


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
    lines = {p["attrs"]["data-period"]: int(p["attrs"]["data-value"]) for p in home.find_all("polyline")
             if "data-period" in p["attrs"]}  # each term's own line; the others drawn behind it in grey have none
    assert lines == {f["slug"]: f["launch_events"] for f in figures.values()}  # a term of none is drawn flat
    mix = {(r["attrs"]["data-period"], r["attrs"]["data-class"]): int(r["attrs"]["data-value"])
           for r in home.find_all("rect") if "data-class" in r["attrs"]}
    assert mix == {("obama", "ICBM"): 1, ("obama", "SRBM"): 1, ("trump-1st-term", "ICBM"): 2,
                   ("trump-1st-term", "SRBM"): 1}
    svg = home.find_all("svg", id="per-year-svg")[0]
    assert svg["attrs"]["role"] == "group" and svg["attrs"]["aria-labelledby"] == "per-year-t per-year-d"
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


def test_timeline_places_context_between_launches_in_either_order(make_site):
    site = make_site({
        "content/context/2018-06-12-singapore.md": (
            '---\ntitle: "Singapore summit"\ndate: "2018-06-12"\nkind: summit\n'
            'sources: [{title: "S", publisher: "P", url: "https://example.com/s"}]\n---\nMet.\n'),
        "content/incidents/2018-04-01-a.md": incident("Launch A", "2018-04-01"),
        "content/incidents/2018-07-01-b.md": incident("Launch B", "2018-07-01"),
    })
    assert site.run("build").code == 0
    oldest: Page = site.page("timeline/oldest-first/index.html")
    kinds = [li["attrs"]["data-kind"] for li in oldest.find_all("li") if "data-kind" in li["attrs"]]
    assert kinds == ["launch", "context", "launch"]
    newest: Page = site.page("timeline/index.html")
    assert [li["attrs"]["data-kind"] for li in newest.find_all("li") if "data-kind" in li["attrs"]] == kinds[::-1]


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


def test_generated_words_are_grammatical(make_site):
    site = make_site({
        "content/incidents/2017-03-06-a.md": incident("A", "2017-03-06", landing='"Sea of Japan (East Sea) / unknown"',
                                                      latitude=39.9, longitude=125.2),
        "content/incidents/2017-03-07-b.md": incident("B", "2017-03-07", landing='"unknown / unknown"',
                                                      latitude=39.9, longitude=125.2),
    })
    assert site.run("build").code == 0
    rows = site.page("incidents/2017-03-06-a/index.html").text_of("tr")
    assert "Landing Sea of Japan (East Sea); not recorded for the others" in rows
    assert "Landing unknown" in site.page("incidents/2017-03-07-b/index.html").text_of("tr")
    description = site.page("periods/index.html").text_of("desc", id="map-trump-1st-term-d")[0]
    assert description == "Map of launch sites under Trump (1st term): 2 launch events at 1 site."


@given(st.integers(min_value=0, max_value=10**9))
def test_gridlines_are_few_round_and_cover_any_maximum(maximum):
    ticks = _ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= maximum and len(ticks) <= 6
    if maximum:
        step = ticks[1]
        assert ticks == list(range(0, ticks[-1] + 1, step)) and ticks[-1] - step < maximum
        digits = str(step).rstrip("0")
        assert digits in ("1", "2", "25", "5"), f"{step} is not a round step"


def test_a_term_with_more_than_five_thousand_launch_events_builds(make_site):
    start = dt.date(2017, 2, 1)
    days = [start + dt.timedelta(days=n % 1400) for n in range(5001)]
    site = make_site({f"content/incidents/{day}-n{n}.md": incident(f"Launch {n}", str(day))
                      for n, day in enumerate(days)})
    run = site.run("build")
    assert run.code == 0 and "Traceback" not in run.err, run.err
    assert periods(site)["Trump (1st term)"]["launch_events"] == 5001
    line = site.page("index.html").find_all("polyline", **{"data-period": "trump-1st-term"})
    assert [p["attrs"]["data-value"] for p in line] == ["5001"]
