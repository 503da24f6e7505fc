"""Every kind of page in a real browser: loads cleanly, stays on the site, passes axe, fits a 360 px phone."""

from __future__ import annotations

import pytest

from .conftest import PHONE, axe_violations, moment

# Every kind of page once: year, province and tag pages share the class page's template (the phone test below
# still loads each of them).
KINDS = ["home", "timeline", "timeline-oldest-first", "incidents", "context-index", "data", "incident", "nuclear-test",
         "context", "periods", "period", "groups", "class", "page", "data-files", "404"]


@pytest.mark.parametrize("kind", KINDS)
def test_page_loads_cleanly_and_axe_finds_nothing(page, console_errors, page_kinds, kind):
    path = page_kinds[kind]
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("load")
    assert page.locator("h1").count() == 1, f"{path}: not exactly one h1"
    assert page.locator("main#main").count() == 1
    violations = axe_violations(page)
    assert violations == [], f"{path} ({kind}):\n" + "\n".join(violations)
    assert console_errors == [], f"{path} ({kind}):\n" + "\n".join(console_errors)


@pytest.mark.parametrize("kind", ["home", "timeline", "incident", "periods"])  # every element the dark theme restyles
def test_phone_in_dark_theme_passes_axe(browser, base_url, page_kinds, kind):
    """The dark palette's contrast, and the phone layout's scrolling tables, in one pass."""
    context = browser.new_context(base_url=base_url, color_scheme="dark", **PHONE)
    page = context.new_page()
    page.goto(page_kinds[kind])
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    violations = axe_violations(page)
    context.close()
    assert background != "rgb(253, 252, 249)", "dark theme not applied"
    assert violations == [], f"{page_kinds[kind]} (phone, dark):\n" + "\n".join(violations)


def test_every_kind_of_page_fits_a_phone(browser, base_url, page_kinds):
    """At 360 px nothing scrolls sideways: wide tables scroll inside their own .table-scroll region."""
    context = browser.new_context(base_url=base_url, **PHONE)
    page = context.new_page()
    problems = []
    for path in page_kinds.values():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{path}: page is {width}px wide; widest: {wide}")
    context.close()
    assert problems == [], "\n".join(problems)


def test_keyboard_skip_link_and_visible_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link not visible on focus"
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main", timeout=5000)  # following the link is a navigation: wait for it, a while at most
    # Tab onward: every focused control shows an outline (links, summaries, form fields, scroll containers).
    seen = set()
    for _ in range(400):  # past the comparison table, whose every figure is a link
        if {"A", "SUMMARY", "DIV"} <= seen:
            break
        page.keyboard.press("Tab")
        tag, outline = page.evaluate("""() => { const e = document.activeElement;
            return [e.tagName + (e.className ? '.' + e.className : ''), getComputedStyle(e).outlineStyle]; }""")
        assert outline != "none", f"{tag} has no visible focus outline"
        seen.add(tag.split(".")[0])
    assert {"A", "SUMMARY"} <= seen, seen


def test_details_with_chart_numbers_open_from_the_keyboard(page):
    page.goto("/")
    summary = page.locator("#per-year summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#per-year details").evaluate("d => d.open")
    assert page.locator("#per-year table tbody tr").first.is_visible()


def test_missing_path_gets_the_404_page(page):
    response = page.goto("/no/such/page/")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    page.get_by_role("main").get_by_role("link", name="timeline").click()
    page.wait_for_url("**/")
    assert page.locator("ol.timeline").count() > 0


def test_print_style_keeps_the_record_and_drops_the_controls(page):
    page.goto("/timeline/")
    page.emulate_media(media="print")
    assert page.locator("header.masthead nav").is_hidden()
    assert page.locator("#filters").is_hidden()
    assert page.locator("ol.timeline > li.entry").last.is_visible()
    page.goto("/")
    page.emulate_media(media="print")
    assert page.locator("#per-year-svg").is_visible() and page.locator("#rates").is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


def test_context_events_stand_between_the_launches_and_look_different(page):
    page.goto("/timeline/oldest-first/")
    entries = page.eval_on_selector_all("ol.timeline > li.entry", """els => els.map(e => ({
        kind: e.dataset.kind, date: e.querySelector('time').getAttribute('datetime'),
        background: getComputedStyle(e).backgroundColor,
        marker: getComputedStyle(e, '::before').borderRadius,
        badge: e.querySelector('.badge').textContent }))""")
    dates = [moment(e["date"]) for e in entries]
    assert dates == sorted(dates), "the timeline is not in date order"
    kinds = [e["kind"] for e in entries]
    between = [i for i in range(1, len(kinds) - 1)
               if kinds[i] == "context" and kinds[i - 1] != "context" and kinds[i + 1] != "context"]
    assert between, "no context event sits between two incidents"
    context = entries[between[0]]
    launch = next(e for e in entries if e["kind"] == "launch")
    assert context["background"] != launch["background"]
    assert context["marker"] != launch["marker"]
    assert context["badge"] and context["badge"] != launch["badge"]
