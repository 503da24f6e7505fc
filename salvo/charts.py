"""Figures -> static SVG charts: numbers in, shapes out. No script, nothing to fetch.

Every mark carries its value in data-value, so tests can check that what is drawn is what the tables say.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from salvo.figures import PeriodFigures, tally
from salvo.model import Incident
from salvo.slugs import slugify

if TYPE_CHECKING:
    from salvo.assemble import Entry, Site

OUTLINE = Path(__file__).with_name("geo") / "outline.json"
WIDTH = 640


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: its id, title, a description in words, the SVG, and the table behind it."""

    id: str
    title: str
    description: str
    svg: Markup
    table_head: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]


def _svg(chart_id: str, title: str, description: str, height: float, body: str) -> Markup:
    """An accessible SVG element, labelled by its title and described by its description: a group, since its
    marks are links to the incidents they count."""
    return Markup(
        f'<svg class="chart" id="{chart_id}-svg" viewBox="0 0 {WIDTH} {height:.0f}" role="group" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "middle") -> str:
    """An escaped text label."""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">{escape(text)}</text>'


def _ticks(maximum: int) -> list[int]:
    """Round gridline values from 0 up to the maximum."""
    if maximum <= 0:
        return [0]
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if maximum / s <= 5)
    return list(range(0, maximum + step, step))


def per_year(site: Site) -> Chart:
    """Launch events per year, stacked by administration, with the nuclear tests marked; each bar links to the
    incidents it counts, and the year the record ends in is marked as partial."""
    periods = site.config.periods
    years = [e.incident.when.date.year for e in site.entries] or [site.config.record_start.year]
    first, last = min(years), max(years)
    counted: dict[tuple[int, str], list[Incident]] = {}
    for e in site.entries:
        counted.setdefault((e.incident.when.date.year, e.period.slug if e.period else ""), []).append(e.incident)
    counts = {key: len(tally(incidents).launch_events) for key, incidents in counted.items()}
    totals = {y: sum(v for (yy, _), v in counts.items() if yy == y) for y in range(first, last + 1)}
    tests = [i for e in site.entries for i in tally([e.incident]).nuclear_tests]
    complete_to = site.config.complete_to
    partial = complete_to.year if complete_to and complete_to < dt.date(complete_to.year, 12, 31) else None
    top = _ticks(max(totals.values(), default=0))[-1] or 1
    left, right, plot_top, bottom = 34, WIDTH - 8, 22, 200
    span = last - first + 1
    band = (right - left) / span
    scale = (bottom - plot_top) / top
    parts = [f'<line x1="{left}" x2="{right}" y1="{bottom - t * scale:.1f}" y2="{bottom - t * scale:.1f}" '
             f'class="grid"/>' + _text(left - 4, bottom - t * scale + 4, str(t), "tick", "end")
             for t in _ticks(top)]
    for year in range(first, last + 1):
        x = left + (year - first) * band
        y = bottom
        for index, period in enumerate(periods):
            n = counts.get((year, period.slug), 0)
            if n:
                h = n * scale
                y -= h
                name = f"{year}, {escape(period.label)}: {_plural(n, 'launch event')}"
                parts.append(f'<a href="{site_url(site, f"/years/{year}/")}#{period.slug}-launch-events" '
                             f'aria-label="{name}" data-figure="launch_events"><rect x="{x + 1:.1f}" y="{y:.1f}" '
                             f'width="{max(band - 2, 1):.1f}" height="{h:.1f}" class="p{index % 8}" data-year="{year}" '
                             f'data-period="{period.slug}" data-value="{n}"><title>{name}</title></rect></a>')
        if year % 5 == 0 or (year == first and year % 5 < 3) or year == partial:
            parts.append(_text(x + band / 2, bottom + 14, f"{year}*" if year == partial else str(year), "tick"))
    for test in tests:
        year = test.when.date.year
        x = left + (year - first) * band + band / 2
        y = bottom - totals.get(year, 0) * scale - 8
        parts.append(f'<path d="M{x:.1f} {y - 5:.1f} l5 8 h-10 z" class="nuke" data-year="{year}" data-value="1">'
                     f"<title>Nuclear test, {escape(test.when.iso)}</title></path>")
    legend = _legend([(f"p{i % 8}", p.label) for i, p in enumerate(periods)
                      if any(k[1] == p.slug and n for k, n in counts.items())], 226)
    busiest = max(totals, key=lambda y: totals[y])
    description = (f"Bars show launch events per year from {first} to {last}, coloured by US administration; "
                   f"triangles mark the {_plural(len(tests), 'nuclear test')}. The most launch events in a year: "
                   f"{totals[busiest]}, in {busiest}."
                   + (f" {partial}* runs to {complete_to:%-d %B %Y}, the date the record is complete to." if partial
                      else ""))
    rows = tuple((f"{y} (to {complete_to:%-d %B})" if y == partial else str(y), str(totals[y]),
                  str(sum(1 for t in tests if t.when.date.year == y)))
                 for y in range(first, last + 1) if totals[y] or any(t.when.date.year == y for t in tests))
    title = "Launch events per year"
    return Chart("per-year", title, description, _svg("per-year", title, description, 226 + legend[1],
                                                      "".join(parts) + legend[0]),
                 ("Year", "Launch events", "Nuclear tests"), rows)


def _legend(items: list[tuple[str, str]], y: float) -> tuple[str, float]:
    """A wrapped legend of (colour class, label) swatches; returns the SVG and its height."""
    parts, x, row = [], 8.0, 0
    for css, label in items:
        width = 30 + 8 * len(label)
        if x + width > WIDTH:
            x, row = 8.0, row + 1
        top = y + row * 18
        parts.append(f'<rect x="{x:.0f}" y="{top:.0f}" width="12" height="12" class="{css}"/>'
                     + _text(x + 16, top + 10, label, "legend", "start"))
        x += width
    return "".join(parts), (row + 1) * 18 + 4


def cumulative(site: Site) -> Chart:
    """Cumulative launch events against days into each term's span, one line per term, ending where its span
    does; each line links to the incidents it counts."""
    figures = [f for f in site.figures if f.launch_events]
    top = _ticks(max((f.launch_events for f in figures), default=0))[-1] or 1
    days = max((f.days for f in figures), default=1461)
    left, right, plot_top, bottom = 34, WIDTH - 8, 12, 230
    sx, sy = (right - left) / days, (bottom - plot_top) / top
    parts = [f'<line x1="{left}" x2="{right}" y1="{bottom - t * sy:.1f}" y2="{bottom - t * sy:.1f}" class="grid"/>'
             + _text(left - 4, bottom - t * sy + 4, str(t), "tick", "end") for t in _ticks(top)]
    for year in range(0, days // 365 + 1):
        parts.append(_text(left + year * 365 * sx, bottom + 14, f"year {year}" if year else "day 0", "tick"))
    index = {p.slug: i for i, p in enumerate(site.config.periods)}
    for f in figures:
        points = [f"{left:.1f},{bottom:.1f}"]
        for day, n in f.cumulative:
            points.append(f"{left + day * sx:.1f},{bottom - (n - 1) * sy:.1f}")
            points.append(f"{left + day * sx:.1f},{bottom - n * sy:.1f}")
        points.append(f"{left + f.days * sx:.1f},{bottom - f.launch_events * sy:.1f}")
        name = f"{escape(f.period.label)}: {_plural(f.launch_events, 'launch event')}"
        parts.append(f'<a href="{site_url(site, f"/periods/{f.period.slug}/")}#launch-events" aria-label="{name}" '
                     f'data-figure="launch_events"><polyline points="{" ".join(points)}" '
                     f'class="line p{index[f.period.slug] % 8}" data-period="{f.period.slug}" '
                     f'data-value="{f.launch_events}"><title>{name}</title></polyline></a>')
    legend = _legend([(f"p{index[f.period.slug] % 8}", f.period.label) for f in figures], 252)
    description = ("Each line counts launch events from a term's first day (or the record's start, 1 January "
                   "1984, for a term begun before it) to its last day or the date the record is complete to. "
                   "Launch events in the first 365 days: "
                   + "; ".join(f"{f.period.label} {f.by_day(365)}" for f in figures if f.by_day(365) is not None)
                   + ".")
    rows = tuple((f.period.label, _or_dash(f.days_to_first_launch), _or_dash(f.by_day(365)), _or_dash(f.by_day(730)),
                  str(f.launch_events)) for f in site.figures)
    title = "Launches since inauguration, term against term"
    return Chart("cumulative", title, description,
                 _svg("cumulative", title, description, 252 + legend[1], "".join(parts) + legend[0]),
                 ("Administration", "Days to first launch", "By day 365", "By day 730", "Whole span"), rows)


def _or_dash(value: int | None) -> str:
    """A figure for a table, or a dash where it does not exist (a span shorter than the day asked about)."""
    return "–" if value is None else f"{value:,}"


def _plural(n: int, noun: str) -> str:
    """"1 site", "29 sites"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def site_url(site: Site, path: str) -> str:
    """A site path under the site's base path."""
    return site.config.base_path + path.lstrip("/")


def class_mix(site: Site) -> Chart:
    """Each term's launch events split by missile class, as shares of a full-width bar."""
    figures = [f for f in site.figures if f.launch_events]
    labels = list(site.config.vocabularies["missile_types"])
    row_h, left = 26, 118
    parts = []
    for row, f in enumerate(figures):
        y = 8 + row * row_h
        parts.append(_text(left - 6, y + 15, f.period.label, "tick", "end"))
        x = float(left)
        for name, n in sorted(f.tally.classes, key=lambda kv: labels.index(kv[0]) if kv[0] in labels else 99):
            w = (WIDTH - 8 - left) * n / f.launch_events
            label = f"{escape(f.period.label)}: {n} {escape(name)}"
            parts.append(f'<a href="{site_url(site, f"/classes/{slugify(name)}/")}#{f.period.slug}-launch-events" '
                         f'aria-label="{label}" data-figure="class_mix"><rect x="{x:.1f}" y="{y}" width="{w:.1f}" '
                         f'height="20" class="c{_class_index(name, labels)}" data-period="{f.period.slug}" '
                         f'data-class="{escape(name)}" data-value="{n}"><title>{label}</title></rect></a>')
            if w > 34:
                parts.append(_text(x + w / 2, y + 14, name, "bar-label"))
            x += w
    height = 8 + len(figures) * row_h
    used = [n for n in labels if any(dict(f.tally.classes).get(n) for f in figures)]
    legend = _legend([(f"c{_class_index(name, labels)}", name) for name in used], height + 6)
    description = "For each administration, the share of launch events by missile class. " + " ".join(
        f"{f.period.label}: " + ", ".join(f"{n} {name}" for name, n in f.tally.classes) + "." for f in figures)
    rows = tuple((f.period.label, *(str(dict(f.tally.classes).get(n, 0)) for n in used)) for f in figures)
    title = "Mix of missile classes by administration"
    return Chart("class-mix", title, description, _svg("class-mix", title, description, height + 6 + legend[1],
                                                       "".join(parts) + legend[0]), ("Administration", *used), rows)


def _class_index(name: str, labels: list[str]) -> int:
    """A stable colour index for a missile class."""
    return labels.index(name) % 9 if name in labels else 8


@lru_cache(maxsize=1)
def _outline() -> tuple[tuple[float, float, float, float], tuple[tuple[tuple[float, float], ...], ...]]:
    """The Natural Earth outline of the peninsula and Japan (see geo/outline.json for its source)."""
    data = json.loads(OUTLINE.read_text(encoding="utf-8"))
    return tuple(data["bbox"]), tuple(tuple(tuple(p) for p in ring) for ring in data["land"])


MAP_W = 300
# The part of the outline the maps show: the peninsula and the sea its missiles fly over.
VIEW = (123.5, 33.0, 135.5, 43.4)


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular projection of the VIEW box onto a MAP_W-wide map."""
    west, _, east, north = VIEW
    k = math.cos(math.radians(38))
    scale = MAP_W / ((east - west) * k)
    return (lon - west) * k * scale, (north - lat) * scale


def _map_height() -> float:
    """The map's height for its width."""
    west, south, _, _ = VIEW
    return _project(west, south)[1]


def land_symbol() -> Markup:
    """The land outline once, as an SVG symbol the small multiples reuse."""
    _, rings = _outline()
    paths = "".join("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in (_project(*p) for p in ring)) + "Z"
                    for ring in rings)
    return Markup(f'<svg class="defs" aria-hidden="true" width="0" height="0"><symbol id="land" '
                  f'viewBox="0 0 {MAP_W} {_map_height():.0f}"><path d="{paths}"/></symbol></svg>')


def site_map(chart_id: str, label: str, entries: tuple[Entry, ...]) -> Chart:
    """Launch sites of one term on the outline, circles sized by launch events."""
    sites: dict[tuple[float, float], list[Entry]] = {}
    unplaced = 0
    for e in entries:
        i = e.incident
        if not tally([i]).launch_events:
            continue
        if i.latitude is None or i.longitude is None:
            unplaced += 1
            continue
        sites.setdefault((i.latitude, i.longitude), []).append(e)
    height = _map_height()
    parts = [f'<use href="#land" x="0" y="0" width="{MAP_W}" height="{height:.0f}" class="land"/>']
    for (lat, lon), group in sorted(sites.items(), key=lambda kv: -len(kv[1])):
        x, y = _project(lon, lat)
        r = 2.5 + 2.2 * math.sqrt(len(group))
        name = group[0].incident.launch_site or "unknown site"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" class="site" data-value="{len(group)}">'
                     f"<title>{escape(name)}: {_plural(len(group), 'launch event')}</title></circle>")
    total = sum(len(g) for g in sites.values())
    description = (f"Map of launch sites under {label}: {_plural(total, 'launch event')} at "
                   f"{_plural(len(sites), 'site')}" + (f"; {unplaced:,} more at sites with no known coordinates."
                                                       if unplaced else "."))
    rows = tuple((g[0].incident.launch_site or "unknown", g[0].incident.province or "unknown", str(len(g)))
                 for _, g in sorted(sites.items(), key=lambda kv: (-len(kv[1]), kv[1][0].incident.launch_site or "")))
    title = f"Launch sites under {label}"
    svg = Markup(f'<svg class="map" viewBox="0 0 {MAP_W} {height:.0f}" role="img" aria-labelledby="{chart_id}-t '
                 f'{chart_id}-d"><title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">'
                 f'{escape(description)}</desc>{"".join(parts)}</svg>')
    return Chart(chart_id, title, description, svg, ("Launch site", "Province", "Launch events"), rows)


def home_charts(site: Site) -> dict[str, object]:
    """The comparison charts for the home and periods pages."""
    maps = []
    for f in site.figures:
        entries = tuple(e for e in site.entries if e.period == f.period)
        if f.launch_events:
            maps.append(site_map(f"map-{f.period.slug}", f.period.label, entries))
    return {"per_year": per_year(site), "cumulative": cumulative(site), "class_mix": class_mix(site),
            "maps": maps, "land": land_symbol()}


def period_charts(figures: PeriodFigures, entries: tuple[Entry, ...]) -> dict[str, object]:
    """The map of one term's launch sites."""
    return {"map": site_map(f"map-{figures.period.slug}", figures.period.label, entries), "land": land_symbol()}
