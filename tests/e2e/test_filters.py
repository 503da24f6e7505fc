"""The timeline filters: progressive enhancement over the full list, state kept in the URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .conftest import PHONE

VISIBLE = "ol.timeline > li.entry:not([hidden])"


def shown(page) -> list[dict[str, str]]:
    """The visible timeline entries' data attributes."""
    return page.eval_on_selector_all(VISIBLE, "els => els.map(e => Object.assign({}, e.dataset))")


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def count_text(page) -> str:
    return page.locator("#f-count").inner_text()


def test_script_is_small_deferred_and_alone(site_dir: Path, page, console_errors):
    script = site_dir / "static" / "filter.js"
    assert script.stat().st_size < 15 * 1024, f"filter.js is {script.stat().st_size} bytes"
    requests = []
    page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page.goto("/timeline/")
    page.wait_for_load_state("networkidle")
    tags = page.eval_on_selector_all("script", "els => els.map(s => [s.src, s.defer, s.async, s.type])")
    assert len(tags) == 1 and tags[0][0].endswith("/static/filter.js") and tags[0][1], tags
    # The page, its style sheet, the script and the icon: nothing fetched by the script, no fonts, all local.
    assert {kind for kind, _ in requests} <= {"document", "stylesheet", "script", "image", "other"}, requests
    assert len(requests) <= 4, requests
    assert console_errors == []


def test_everything_listed_before_filtering(page, records, site_dir: Path):
    page.goto("/timeline/")
    entries = page.locator("ol.timeline > li.entry")
    contexts = len([p for p in (site_dir / "context").iterdir() if p.is_dir()])
    assert entries.count() == len(records) + contexts
    assert len(shown(page)) == entries.count()
    assert page.locator("#filters").is_visible()
    assert count_text(page).startswith(f"{len(records)} of {len(records)} incidents")
    assert urlsplit(page.url).query == ""


def test_class_filter_changes_list_count_and_url(page, records):
    page.goto("/timeline/")
    page.select_option("#f-class", "ICBM")
    icbm = [r for r in records if r["missile_type"] == "ICBM"]
    items = shown(page)
    assert len(items) == len(icbm) and {i["class"] for i in items} == {"ICBM"}
    assert query(page) == {"class": ["ICBM"]}
    assert count_text(page).startswith(f"{len(icbm)} of {len(records)} incidents")
    # Headings of terms and years with nothing left are hidden too.
    assert page.locator("section.term:not([hidden])").count() == len({r["administration"] for r in icbm})


def test_filters_combine(page, records):
    page.goto("/timeline/")
    page.select_option("#f-period", "trump-1st-term")
    page.select_option("#f-year", "2017")
    page.select_option("#f-outcome", "success")
    page.select_option("#f-kind", "launch")
    expected = [r for r in records if r["administration"] == "Trump (1st term)" and r["date"].startswith("2017")
                and r["outcome"] == "success" and r["kind"] == "launch"]
    items = shown(page)
    assert expected and len(items) == len(expected)
    assert query(page) == {"period": ["trump-1st-term"], "year": ["2017"], "outcome": ["success"], "kind": ["launch"]}


def test_kind_filter_separates_launches_tests_and_context(page, records, site_dir: Path):
    page.goto("/timeline/")
    page.select_option("#f-kind", "nuclear_test")
    assert len(shown(page)) == sum(1 for r in records if r["kind"] == "nuclear_test")
    page.select_option("#f-kind", "context")
    items = shown(page)
    assert len(items) == len([p for p in (site_dir / "context").iterdir() if p.is_dir()])
    assert {i["kind"] for i in items} == {"context"}
    assert query(page) == {"kind": ["context"]}


def test_search_matches_names_sites_and_dates(page, records):
    page.goto("/timeline/")
    search = page.locator("#f-q")
    search.fill("Hwasong-15")
    hits = [r for r in records if "hwasong-15" in (r["missile_name"] or "").lower()]
    assert hits and len(shown(page)) >= len(hits)
    assert query(page) == {"q": ["Hwasong-15"]}
    search.fill("Sohae")
    assert all("sohae" in (page.locator(VISIBLE).nth(i).inner_text().lower())
               for i in range(page.locator(VISIBLE).count()))
    assert page.locator(VISIBLE).count() > 0
    # A date as the page shows it, and as ISO.
    search.fill("4 July 2017")
    assert [i["year"] for i in shown(page)] == ["2017"]
    search.fill("2017-07-04")
    assert [i["year"] for i in shown(page)] == ["2017"]
    # Several words must all match, in any order; a word matches at the start of a word ("14" is not "Hwasong-14").
    search.fill("1984 sohae")
    assert page.locator(VISIBLE).count() == 0
    search.fill("hwasong-14 2017 pyongan")
    assert page.locator(VISIBLE).count() >= 1
    assert all(i["year"] == "2017" for i in shown(page))
    search.fill("july 2017")  # the incidents of that month, and any context event of it
    assert len([i for i in shown(page) if i["kind"] != "context"]) == sum(1 for r in records
                                                                          if r["date"].startswith("2017-07"))
    # Provinces are searchable though the line does not show them.
    province = next(r["province"] for r in records if r["province"])
    search.fill(province.lower())
    assert len(shown(page)) >= sum(1 for r in records if r["province"] == province)


def test_no_match_says_so_and_clear_restores_everything(page, records):
    page.goto("/timeline/")
    page.locator("#f-q").fill("zzzz no such thing")
    assert page.locator(VISIBLE).count() == 0
    assert page.locator("#f-empty").is_visible()
    assert count_text(page).startswith(f"0 of {len(records)}")
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("location.search === ''")
    assert page.locator("#f-empty").is_hidden()
    assert page.locator(VISIBLE).count() == page.locator("ol.timeline > li.entry").count()


def test_a_shared_url_restores_the_filters(page, records):
    page.goto("/timeline/?class=ICBM&year=2017&q=hwasong#y2017")
    assert page.locator("#f-class").input_value() == "ICBM"
    assert page.locator("#f-year").input_value() == "2017"
    assert page.locator("#f-q").input_value() == "hwasong"
    expected = [r for r in records if r["missile_type"] == "ICBM" and r["date"].startswith("2017")]
    assert len(shown(page)) == len(expected)
    assert urlsplit(page.url).fragment == "y2017"
    # Values the form does not offer are ignored, not half-applied.
    page.goto("/timeline/?class=Nonsense&year=1700")
    assert page.locator("#f-class").input_value() == ""
    assert len(shown(page)) == page.locator("ol.timeline > li.entry").count()


def test_filters_work_from_the_keyboard(page, records):
    page.goto("/timeline/")
    page.locator("#f-q").focus()
    assert page.locator("#f-q").evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.type("tonghae")
    assert 0 < page.locator(VISIBLE).count() < len(records)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-period"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-class"
    page.keyboard.press("ArrowDown")  # closed select: chooses the next option
    assert page.locator("#f-class").input_value() != ""
    assert "class" in query(page) and "q" in query(page)


def test_option_counts_follow_the_other_filters(page, records):
    page.goto("/timeline/")
    icbm = sum(1 for r in records if r["missile_type"] == "ICBM")
    assert page.locator("#f-class option[value=ICBM]").inner_text() == f"ICBM ({icbm})"
    page.select_option("#f-year", "2017")
    icbm_2017 = sum(1 for r in records if r["missile_type"] == "ICBM" and r["date"].startswith("2017"))
    assert page.locator("#f-class option[value=ICBM]").inner_text() == f"ICBM ({icbm_2017})"


def test_without_javascript_the_full_timeline_and_its_pages_remain(browser, base_url, records, site_dir: Path):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto("/timeline/?class=ICBM")
    entries = page.locator("ol.timeline > li.entry")
    assert entries.count() == len(records) + len([p for p in (site_dir / "context").iterdir() if p.is_dir()])
    assert entries.last.is_visible()
    assert page.locator("#filters").is_hidden()
    assert page.locator("#f-empty").is_hidden()
    # The same selections as plain pages: by class, year and administration.
    intro = page.locator("p.by")
    pages = {name: intro.get_by_role("link", name=name, exact=True).get_attribute("href")
             for name in ("missile class", "year", "administration")}
    assert pages == {"missile class": "/classes/", "year": "/years/", "administration": "/periods/"}
    page.goto("/classes/")
    page.get_by_role("link", name="Intercontinental ballistic missile").click()
    assert page.locator("ol.timeline > li.entry").count() == sum(1 for r in records if r["missile_type"] == "ICBM")
    context.close()


def test_search_understands_missile_names_dates_and_counts_what_it_shows(page, records):
    """Issue 18.7: names matched whole and without punctuation, dates as people type them, an honest count."""
    page.goto("/timeline/")
    search = page.locator("#f-q")

    def dates(query: str) -> list[str]:
        search.fill(query)
        found = sorted(i["date"] for i in shown(page) if i["kind"] != "context")
        visible = page.locator(VISIBLE)
        incidents = sum(1 for i in shown(page) if i["kind"] != "context")
        # The count says what is shown: as many incidents and context events as are visible.
        assert count_text(page).startswith(f"{incidents} of {len(records)} incidents"), (query, count_text(page))
        assert f" and {visible.count() - incidents} of " in count_text(page), (query, count_text(page))
        return found

    hwasong_15 = sorted(r["date"] for r in records if r["missile_name"] == "Hwasong-15")
    assert len(hwasong_15) == 3
    for query in ("hwasong 15", "Hwasong-15", "HWASONG15", "hwasong–15"):
        assert dates(query) == hwasong_15, query  # not the Hwasong-12 of 15 September 2017
    kn23 = sorted(r["date"] for r in records if "KN-23" in (r["missile_name"] or ""))
    assert kn23
    for query in ("kn23", "KN-23", "kn 23"):
        assert dates(query) == kn23, query
    july_4 = [r["date"] for r in records if r["date"] == "2017-07-04"]
    for query in ("4 July 2017", "July 4, 2017", "july 4th 2017", "2017-07-04", "2017/7/4", "4 jul 2017"):
        assert dates(query) == july_4, query
    july = sorted(r["date"] for r in records if r["date"].startswith("2017-07"))
    for query in ("July 2017", "jul 2017", "2017-07"):
        assert dates(query) == july, query
    # A word that is no name still matches the start of words: every Hwasong.
    every = [r["date"] for r in records if "hwasong" in (r["missile_name"] or "").lower()]
    assert set(dates("hwas")) >= set(every) and len(every) > len(hwasong_15)


def test_url_parameters_are_read_whatever_their_case(page, records):
    page.goto("/timeline/?CLASS=icbm&Period=BIDEN&q=Hwasong")
    assert page.locator("#f-class").input_value() == "ICBM"
    assert page.locator("#f-period").input_value() == "biden"
    expected = [r for r in records if r["missile_type"] == "ICBM" and r["administration"] == "Biden"]
    assert len(shown(page)) == sum(1 for r in expected if "hwasong" in (r["missile_name"] or "").lower())
    page.goto("/timeline/?class=icbm")
    assert len(shown(page)) == sum(1 for r in records if r["missile_type"] == "ICBM")
    # The other order keeps the filters: one click, one URL.
    assert page.locator("#order-link").get_attribute("href").endswith("/timeline/oldest-first/?class=ICBM")
    page.locator("#order-link").click()
    page.wait_for_url("**/timeline/oldest-first/?class=ICBM")
    items = shown(page)
    assert len(items) == sum(1 for r in records if r["missile_type"] == "ICBM")
    assert [i["date"] for i in items] == sorted(i["date"] for i in items)
