"""The readers' second edition (issue 18), measured in Chromium: the first screen, both orders of the timeline,
text sizes and table fit at 320, 390 and 1366 px, honest charts, incident pages that read like a story, and an
index page for every folder of URLs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import moment

WIDTHS = {"phone-320": (320, 640), "phone-390": (390, 844), "desktop-1366": (1366, 900)}
MOBILE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 1}

# Every text node a reader can see, with its rendered size: the computed font size, times the scale an SVG
# element is drawn at (so a label in a scaled-down drawing counts at the size it appears).
TEXT_SIZES = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });  // what a reader can open counts too
  const small = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, e = node.parentElement;
    if (!node.textContent.trim() || !e || !e.getClientRects().length) continue;
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden') continue;
    let size = parseFloat(style.fontSize);
    if (e instanceof SVGElement && e.getScreenCTM()) { const m = e.getScreenCTM(); size *= Math.hypot(m.a, m.b); }
    if (size < 11.95) {
      small.push(`${e.tagName}.${e.getAttribute('class') || ''} ${size.toFixed(1)}px: ${node.textContent.trim()}`);
    }
  }
  return small;
}"""

# Every visible table: whether it fits its box, and if not whether its first column stays and a cue shows.
TABLES = """() => [...document.querySelectorAll('table')].filter(t => t.getClientRects().length).map(t => {
  const box = t.closest('.table-scroll');
  const fits = box ? box.scrollWidth <= box.clientWidth + 1 : t.getBoundingClientRect().right <= innerWidth + 1;
  const first = t.querySelector('tbody th, tbody td');
  return { caption: (t.caption ? t.caption.textContent : t.className).trim().slice(0, 60), fits,
           sticky: !!first && getComputedStyle(first).position === 'sticky',
           cue: !!box && getComputedStyle(box).backgroundImage.includes('gradient'),
           page: document.documentElement.scrollWidth <= innerWidth };
})"""


@pytest.fixture(scope="module")
def figures(site_dir: Path) -> dict[str, dict[str, Any]]:
    """data/periods.json by term slug."""
    data = json.loads((site_dir / "data" / "periods.json").read_text(encoding="utf-8"))
    return {p["slug"]: p for p in data["periods"]}


@pytest.fixture(scope="module")
def complete_to(figures: dict[str, dict[str, Any]]) -> dt.date:
    """The date the record is complete to: where the running term's count stops."""
    return dt.date.fromisoformat(next(p["counted_to"] for p in figures.values() if p["end"] is None))


@pytest.mark.parametrize("size", ["phone-390", "desktop-1366"])
def test_the_first_screen_holds_the_sentence_the_chart_and_the_complete_to_date(browser, base_url, figures, complete_to,
                                                                                 size):
    width, height = WIDTHS[size]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  **(MOBILE if width < 500 else {}))
    page = context.new_page()
    page.goto("/")
    chart = page.locator("#rates").bounding_box()
    sentence = page.locator("p.takeaway")
    date = page.locator(f'#rates time[datetime="{complete_to.isoformat()}"]')
    assert chart and chart["y"] + chart["height"] <= height, f"the chart ends at {chart} on a {width}x{height} screen"
    box = date.bounding_box()
    assert box and box["y"] + box["height"] <= height and date.is_visible()
    text = sentence.inner_text()
    context.close()
    # Every term, newest first, with its count linked and its rate shown, bars as long as the rates.
    assert f"{complete_to.day} {complete_to:%B %Y}" in text


def test_the_sentence_states_figures_alike_for_every_term(page, figures, complete_to):
    page.goto("/")
    text = " ".join(page.locator("p.takeaway").inner_text().split())
    compared = [f for f in figures.values() if f["start"] >= "2009"]
    assert text.startswith(f"To {complete_to.day} {complete_to:%B %Y}, the date the record is complete to,"), text
    for f in compared:  # each term's count and rate, in the same words
        words = rf"\b{f['launch_events']}( launch events)? under {re.escape(f['label'])}(?!\w)"
        assert re.search(words, text), f["label"]
        assert f"{f['launch_events_per_100_days']:.2f}" in text
    assert not re.search(r"\b(most|least|hottest|surge|spike|only|just|record-breaking)\b", text, re.I), text


def test_the_rate_chart_shows_every_term_newest_first_with_its_count(page, figures):
    page.goto("/")
    rows = page.eval_on_selector_all("#rates li", """els => els.map(li => ({
        who: li.querySelector('.who').innerText, rate: parseFloat(li.querySelector('.rate').innerText),
        bar: li.querySelector('.bar').getBoundingClientRect().width,
        count: (li.querySelector('a[data-figure=launch_events]') || {}).innerText,
        href: (li.querySelector('a[data-figure=launch_events]') || {}).href || '' }))""")
    terms = sorted(figures.values(), key=lambda f: f["start"], reverse=True)
    assert [r["who"] for r in rows] == [f["label"] for f in terms]
    assert [r["rate"] for r in rows] == [f["launch_events_per_100_days"] for f in terms]
    assert [r["count"] for r in rows] == [str(f["launch_events"]) for f in terms]
    assert all(r["href"].endswith(f"/periods/{f['slug']}/#launch-events") for r, f in zip(rows, terms, strict=True))
    top = max(rows, key=lambda r: r["rate"])
    for r in rows:  # bar length in proportion to the rate, to within a pixel
        assert abs(r["bar"] - top["bar"] * r["rate"] / top["rate"]) <= 1.5, r
    # A click on the bar follows the row's link to the incidents it counts.
    bar = page.locator("#rates li .bar").first.bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_url(f"**/periods/{terms[0]['slug']}/#launch-events")


def test_the_timeline_is_newest_first_with_a_year_index_and_oldest_first_one_click_away(browser, base_url, records):
    for script in (True, False):  # both orders work without JavaScript
        context = browser.new_context(base_url=base_url, java_script_enabled=script)
        page = context.new_page()
        page.goto("/timeline/")
        dates = page.eval_on_selector_all("ol.timeline time", "ts => ts.map(t => t.getAttribute('datetime'))")
        assert [moment(d) for d in dates] == sorted(map(moment, dates), reverse=True) and len(dates) > len(records)
        years = page.eval_on_selector_all(".year-index a", "as => as.map(a => a.getAttribute('href'))")
        assert years == [f"#y{y}" for y in sorted({int(r["date"][:4]) for r in records} | {int(d[:4]) for d in dates},
                                                  reverse=True)]
        page.locator('.year-index a[href="#y2017"]').click()
        assert page.locator("#y2017").evaluate("e => Math.abs(e.getBoundingClientRect().top) < 5")
        page.locator("#order-link").click()
        page.wait_for_url("**/timeline/oldest-first/")
        dates = page.eval_on_selector_all("ol.timeline time", "ts => ts.map(t => t.getAttribute('datetime'))")
        assert [moment(d) for d in dates] == sorted(map(moment, dates))
        context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_text_is_never_under_12_px_and_every_table_fits_or_says_it_scrolls(browser, base_url, page_kinds, size):
    width, height = WIDTHS[size]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  **(MOBILE if width < 500 else {}))
    page = context.new_page()
    small, tables, wide = [], [], []
    for kind, path in page_kinds.items():
        page.goto(path)
        small += [f"{kind}: {s}" for s in page.evaluate(TEXT_SIZES)]
        for t in page.evaluate(TABLES):
            if not (t["fits"] or (t["sticky"] and t["cue"])):
                tables.append(f"{kind}: {t}")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(kind)
    context.close()
    assert small == [], f"text under 12 px at {width} px:\n" + "\n".join(small[:30])
    assert tables == [], f"tables that neither fit nor say they scroll at {width} px:\n" + "\n".join(tables)
    assert wide == [], f"pages wider than {width} px: {wide}"


def test_the_home_comparison_table_fits_a_320_px_phone(browser, base_url):
    """The four terms compared on the home page are all in view on the smallest phone, nothing to scroll."""
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640}, **MOBILE)
    page = context.new_page()
    page.goto("/")
    box = page.locator("#compare ~ .table-scroll").first
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert box.locator("thead th").count() == 5
    context.close()


def test_charts_are_honest(page, figures, complete_to):
    page.goto("/periods/")
    # Counts beside proportions: the class-mix bars are as long as the counts, and the numbers behind show both.
    bars = page.eval_on_selector_all("#class-mix rect", """rs => rs.map(r => ({period: r.dataset.period,
        value: +r.dataset.value, width: r.getBoundingClientRect().width}))""")
    totals: dict[str, list[float]] = {}
    for b in bars:
        totals.setdefault(b["period"], [0, 0])
        totals[b["period"]][0] += b["value"]
        totals[b["period"]][1] += b["width"]
    per_event = {p: w / n for p, (n, w) in totals.items()}
    assert max(per_event.values()) - min(per_event.values()) < 0.05, per_event
    assert {p: n for p, (n, _) in totals.items()} == {s: f["launch_events"] for s, f in figures.items()
                                                      if f["launch_events"]}
    cells = page.eval_on_selector_all("#class-mix tbody td", "tds => tds.map(t => t.textContent)")
    assert any(re.fullmatch(r"\d+ \(\d+%\)", c) for c in cells), cells
    # Axes say what they count.
    assert page.locator("#per-year-svg text.axis").all_text_contents() == ["Launch events", "Year"]
    assert "years since inauguration" in page.locator("#cumulative .axes").inner_text()
    # Each term's line starts where the record does: a term begun before it starts that many days in.
    for slug, f in figures.items():
        points = page.locator(f'#cumulative polyline[data-period="{slug}"]').get_attribute("points")
        first_x = int(points.split()[0].split(",")[0])
        started = dt.date.fromisoformat(f["counted_from"])
        inaugurated = dt.date.fromisoformat(f["start"][:10]) + dt.timedelta(days=1)  # noon in Washington: next day
        assert first_x == (started - inaugurated).days, slug
        assert (first_x > 0) == f["record_starts_after_inauguration"], slug
    # The partial year and the running term are marked.
    assert page.locator(f'#per-year rect.partial[data-year="{complete_to.year}"]').count() >= 1
    assert page.locator("#per-year rect.partial").count() == page.locator(
        f'#per-year rect[data-year="{complete_to.year}"]').count()
    running = [s for s, f in figures.items() if f["term_runs_past_record"]]
    assert page.locator("#cumulative circle.ongoing").count() == len(running) == 1


@pytest.mark.parametrize("size", ["phone-390", "desktop-1366"])
def test_an_incident_page_reads_like_a_story(browser, base_url, page_kinds, size):
    width, height = WIDTHS[size]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  **(MOBILE if width < 500 else {}))
    page = context.new_page()
    page.goto(page_kinds["incident"])
    head = page.locator("h1").bounding_box()
    dateline = page.locator(".dateline").bounding_box()
    account = page.locator("article .body > p").first.bounding_box()
    facts = page.locator(".story-facts").bounding_box()
    sources = page.locator("#sources").bounding_box()
    context.close()
    assert head["y"] < dateline["y"] < account["y"] < height, "the account starts below the first screen"
    assert sources["y"] > account["y"] + account["height"]
    if width > 900:  # the facts beside the account
        assert facts["x"] > account["x"] + account["width"] and facts["y"] < account["y"] + account["height"]
    else:  # below it
        assert facts["y"] > account["y"] + account["height"]


def test_every_folder_of_urls_has_an_index_page(site_dir: Path, page):
    folders = {p.parent for p in site_dir.rglob("index.html")} | {p.parent for p in site_dir.rglob("*.csv")}
    folders |= {f.parent for f in folders if f != site_dir}
    missing = sorted(str(f.relative_to(site_dir)) for f in folders
                     if f.is_relative_to(site_dir) and not (f / "index.html").is_file()
                     and f.relative_to(site_dir).parts[:1] != ("static",))
    assert missing == []
    for path in ("/context/", "/incidents/", "/data/", "/timeline/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1
