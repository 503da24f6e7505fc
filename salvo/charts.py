"""Figures -> charts for the pages: numbers in, marks out. Static SVG and HTML: no script, nothing to fetch.

Charts re-flow rather than shrink: horizontal positions are percentages of the chart's width and text is set in
CSS pixels, so a label keeps its size on a 320 px phone as on a desktop (no viewBox scales the text). Every mark
carries its value in data-value and links to the incidents it counts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import chain, count
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from salvo.figures import PeriodFigures, tally
from salvo.model import KST, Incident
from salvo.slugs import slugify

if TYPE_CHECKING:
    from salvo.assemble import Entry, Site

OUTLINE = Path(__file__).with_name("geo") / "outline.json"
@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: its id, title, a description in words, the drawing (SVG, or HTML holding
    several), its legend as (swatch class, label) pairs, and the table behind it."""

    id: str
    title: str
    description: str
    svg: Markup
    table_head: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    legend: tuple[tuple[str, str], ...] = ()


def _svg(chart_id: str, title: str, description: str, height: float, body: str, css: str = "chart") -> Markup:
    """A full-width SVG element of a fixed height in CSS pixels, labelled by its title and described by its
    description: a group, since its marks are links to the incidents they count."""
    return Markup(
        f'<svg class="{css}" id="{chart_id}-svg" width="100%" height="{height:.0f}" role="group" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _pc(value: float) -> str:
    """A percentage of the chart's width, as SVG writes it."""
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _text(x: float | str, y: float, text: str, css: str = "", anchor: str = "middle") -> str:
    """An escaped text label; x is in pixels, or a percentage string from _pc."""
    x = x if isinstance(x, str) else f"{x:.1f}"
    return f'<text x="{x}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">{escape(text)}</text>'


def _ticks(maximum: int) -> list[int]:
    """Round gridline values from 0 up to the maximum: at most six, a round step apart, for any maximum."""
    if maximum <= 0:
        return [0]
    steps = chain((1, 2, 5, 10, 20, 25, 50), (m * 10**e for e in count(2) for m in (1, 2, 5)))
    step = next(s for s in steps if maximum / s <= 5)
    return list(range(0, maximum + step, step))


def _grid(top: int, bottom: float, scale: float) -> str:
    """Gridlines across the whole width, each but the baseline labelled above its left end (no margin to
    reserve)."""
    return "".join(f'<line x1="0" x2="100%" y1="{bottom - t * scale:.1f}" y2="{bottom - t * scale:.1f}" '
                   f'class="grid"/>' + (_text(0, bottom - t * scale - 4, f"{t:,}", "tick", "start") if t else "")
                   for t in _ticks(top))


def _x_label(position: float, text: str, y: float, css: str) -> str:
    """An axis label along the bottom, kept inside the chart at either edge."""
    anchor = "start" if position < 4 else "end" if position > 96 else "middle"
    return _text(_pc(min(max(position, 0), 100)), y, text, css, anchor)


def partial_year(site: Site) -> int | None:
    """The year the record ends in, when it ends before 31 December of it."""
    complete_to = site.config.complete_to
    return complete_to.year if complete_to and complete_to < dt.date(complete_to.year, 12, 31) else None


PLOT_H = 170  # the height of a chart's plot area, in CSS pixels


def per_year(site: Site) -> Chart:
    """Launch events per year, stacked by administration, with the nuclear tests marked; each bar and marker links
    to the incidents it counts, and the year the record ends in is marked as partial."""
    periods = site.config.periods
    years = [e.incident.when.date.year for e in site.entries] or [site.config.record_start.year]
    first, last = min(years), max(years)
    by_key: dict[tuple[int, str], list[Incident]] = {}
    for e in site.entries:
        by_key.setdefault((e.incident.when.date.year, e.period.slug if e.period else "none"), []).append(e.incident)
    counted = {key: tally(incidents) for key, incidents in by_key.items()}
    counts = {key: len(t.launch_events) for key, t in counted.items()}
    tested = {key: len(t.nuclear_tests) for key, t in counted.items() if t.nuclear_tests}
    totals = {y: sum(v for (yy, _), v in counts.items() if yy == y) for y in range(first, last + 1)}
    complete_to = site.config.complete_to
    partial = partial_year(site)
    top = _ticks(max(totals.values(), default=0))[-1] or 1
    plot_top = 36
    bottom = plot_top + PLOT_H
    band = 100 / (last - first + 1)
    scale = PLOT_H / top
    parts = [_text(0, 12, "Launch events", "axis", "start"), _grid(top, bottom, scale)]
    for year in range(first, last + 1):
        x = (year - first) * band
        y = bottom
        for index, period in enumerate(periods):
            n = counts.get((year, period.slug), 0)
            if n:
                h = n * scale
                y -= h
                name = f"{year}, {escape(period.label)}: {_plural(n, 'launch event')}"
                css = f"p{index % 8}" + (" partial" if year == partial else "")
                parts.append(f'<a href="{site_url(site, f"/years/{year}/")}#{period.slug}-launch-events" '
                             f'aria-label="{name}" data-figure="launch_events"><rect x="{_pc(x + band * .1)}" '
                             f'y="{y:.1f}" width="{_pc(band * .8)}" height="{h:.1f}" class="{css}" data-year="{year}" '
                             f'data-period="{period.slug}" data-value="{n}"><title>{name}</title></rect></a>')
        near_end = partial is not None and last - year < 3
        if year == partial or (year % 5 == 0 and not near_end):
            css = "tick" if year % 10 == 0 or year == partial else "tick minor"
            parts.append(_x_label(x + band / 2, str(year), bottom + 16, css))
    for (year, slug), n in sorted(tested.items()):
        x = _pc((year - first) * band + band / 2)
        y = bottom - totals.get(year, 0) * scale - 7
        name = f"{year}: {_plural(n, 'nuclear test')}"
        dots = "".join(f'<circle cx="{x}" cy="{y - k * 11:.1f}" r="4.5" class="nuke"/>' for k in range(n))
        parts.append(f'<a href="{site_url(site, f"/years/{year}/")}#{slug}-nuclear-tests" aria-label="{name}" '
                     f'data-figure="nuclear_tests"><g data-year="{year}" data-value="{n}"><title>{name}</title>'
                     f"{dots}</g></a>")
    parts.append(_text(_pc(50), bottom + 36, "Year", "axis"))
    legend = [(f"p{i % 8}", p.label) for i, p in enumerate(periods)
              if any(k[1] == p.slug and n for k, n in counts.items())]
    legend.append(("nuke", "Nuclear test"))
    if partial:
        legend.append(("partial", f"{partial}: to {complete_to:%-d %B}, a part of the year"))
    busiest = max(totals, key=lambda y: totals[y])
    tests = sum(tested.values())
    description = (f"Bars show launch events per year from {first} to {last}, coloured by US administration; "
                   f"dots mark the {_plural(tests, 'nuclear test')}. The most launch events in a year: "
                   f"{totals[busiest]}, in {busiest}."
                   + (f" {partial} runs to {complete_to:%-d %B %Y}, the date the record is complete to." if partial
                      else ""))
    rows = tuple((f"{y} (to {complete_to:%-d %B})" if y == partial else str(y), str(totals[y]),
                  str(sum(n for (yy, _), n in tested.items() if yy == y)))
                 for y in range(first, last + 1) if totals[y] or any(yy == y for yy, _ in tested))
    title = "Launch events per year"
    return Chart("per-year", title, description, _svg("per-year", title, description, bottom + 42, "".join(parts)),
                 ("Year", "Launch events", "Nuclear tests"), rows, tuple(legend))


def _inauguration_day(f: PeriodFigures) -> dt.date:
    """The Korean date of a term's first day."""
    return f.period.start.astimezone(KST).date()


def _term_days(f: PeriodFigures) -> int:
    """Days from a term's first day to the last one the record covers."""
    return (f.span.last - _inauguration_day(f)).days + 1


PANEL_H = 120  # the plot height of one small multiple


def cumulative(site: Site, figures: tuple[PeriodFigures, ...] | list[PeriodFigures]) -> Chart:
    """Cumulative launch events against days since each inauguration, one small chart per term on the same
    scales, the other terms in grey behind it. A term begun before the record starts is drawn from the day the
    record does; a term still running ends with an open dot at the date the record is complete to."""
    figures = list(figures)
    top = _ticks(max((f.launch_events for f in figures), default=0))[-1] or 1
    longest = max((_term_days(f) for f in figures), default=1461)
    full = max(longest, 1461)
    years = full // 365
    index = {p.slug: i for i, p in enumerate(site.config.periods)}
    lines = {f.period.slug: _steps(f, top) for f in figures}
    panels = []
    for f in figures:
        panels.append(_panel(site, f, figures, lines, top, full, years, index[f.period.slug]))
    description = ("For each administration, launch events counted from its first day (or from 1 January 1984, "
                   "when the record starts, for a term begun before it) to its last day or the date the record is "
                   "complete to, on the same scales. Launch events in the first 365 days: "
                   + "; ".join(f"{f.period.label} {f.by_day(365)}" for f in figures if f.by_day(365) is not None)
                   + ".")
    axes = (f'<p class="axes">Up: launch events counted, 0 to {top:,}. Across: years since inauguration, 0 to '
            f'{years}.</p>')
    svg = Markup(axes + '<div class="panels">' + "".join(panels) + "</div>")
    rows = tuple((f.period.label, _or_dash(f.days_to_first_launch), _or_dash(f.by_day(365)), _or_dash(f.by_day(730)),
                  str(f.launch_events)) for f in figures)
    legend = (("line-own", "The term named"), ("line-other", "The other terms"), ("ongoing", "Term still running"))
    return Chart("cumulative", "Launch events since inauguration, term against term", description, svg,
                 ("Administration", "Days to first launch", "By day 365", "By day 730", "Whole span counted"), rows,
                 legend)


def _steps(f: PeriodFigures, top: int) -> str:
    """A term's running count as polyline points in (days since inauguration, top minus count) units."""
    offset = (f.span.first - _inauguration_day(f)).days
    points = [f"{offset},{top}"]
    for day, n in f.cumulative:
        points += [f"{offset + day},{top - n + 1}", f"{offset + day},{top - n}"]
    points.append(f"{offset + f.days},{top - f.launch_events}")
    return " ".join(points)


def _panel(site: Site, f: PeriodFigures, figures: list[PeriodFigures], lines: dict[str, str], top: int, full: int,
           years: int, colour: int) -> str:
    """One term's small chart: a title with its count, gridlines, the other terms in grey, its own line."""
    plot_top, bottom = 18, 18 + PANEL_H  # room above the top gridline for its label
    slug = f.period.slug
    name = f"{escape(f.period.label)}: {_plural(f.launch_events, 'launch event')}"
    href = f'{site_url(site, f"/periods/{slug}/")}#launch-events'
    others = "".join(f'<polyline points="{lines[g.period.slug]}" class="other" vector-effect="non-scaling-stroke"/>'
                     for g in figures if g is not f)
    own = (f'<polyline points="{lines[slug]}" class="line p{colour % 8}" data-period="{slug}" '
           f'data-value="{f.launch_events}" vector-effect="non-scaling-stroke"><title>{name}</title></polyline>')
    if f.launch_events:  # a line of none links to nothing
        own = f'<a href="{href}" aria-label="{name}" data-figure="launch_events">{own}</a>'

    plot = (f'<svg x="0" y="{plot_top}" width="100%" height="{PANEL_H}" viewBox="0 0 {full} {top}" '
            f'preserveAspectRatio="none" overflow="visible"><g aria-hidden="true">{others}</g>{own}</svg>')
    ticks = "".join(_x_label(y * 365 * 100 / full, str(y), bottom + 16, "tick" if y % 2 == 0 else "tick minor")
                    for y in range(0, years + 1))
    end = ""
    if f.span.ends_early:
        end = (f'<circle cx="{_pc((_term_days(f)) * 100 / full)}" '
               f'cy="{bottom - f.launch_events * PANEL_H / top:.1f}" r="4" class="ongoing p{colour % 8}"/>')
    scope = (" so far" if f.span.ends_early else f" from {f.span.first:%-d %b %Y}" if f.span.starts_late else "")
    title = (f'<p class="panel-title"><a href="{site_url(site, f"/periods/{slug}/")}">{escape(f.period.label)}</a>: '
             + (f'<a href="{href}" data-figure="launch_events">{f.launch_events:,}</a>' if f.launch_events else "0")
             + f" in {f.days:,} days{scope}</p>")
    svg = (f'<svg class="chart small" width="100%" height="{bottom + 22}" role="group" aria-label="{name}">'
           f"{_grid(top, bottom, PANEL_H / top)}{plot}{end}{ticks}</svg>")
    return f'<div class="panel">{title}{svg}</div>'


def _or_dash(value: int | None) -> str:
    """A figure for a table, or a dash where it does not exist (a span shorter than the day asked about)."""
    return "–" if value is None else f"{value:,}"


def _plural(n: int, noun: str) -> str:
    """"1 site", "29 sites"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def site_url(site: Site, path: str) -> str:
    """A site path under the site's base path."""
    return site.config.base_path + path.lstrip("/")


ROW_H = 46  # a row of the class-mix chart: its label, then its bar
ON_DARK = {0}  # class colours dark enough for white labels


def class_mix(site: Site, figures: tuple[PeriodFigures, ...] | list[PeriodFigures]) -> Chart:
    """Each term's launch events split by missile class, as bars whose length is the count (so a term of 3 events
    is not drawn as large as one of 81), each part labelled with its count and linked to the incidents."""
    figures = [f for f in figures if f.launch_events]
    labels = list(site.config.vocabularies["missile_types"])
    widest = max((f.launch_events for f in figures), default=1)
    parts = []
    for row, f in enumerate(figures):
        y = row * ROW_H
        parts.append(_text(0, y + 14, f"{f.period.label}: {_plural(f.launch_events, 'launch event')}", "row",
                           "start"))
        x = 0.0
        for name, n in sorted(f.tally.classes, key=lambda kv: labels.index(kv[0]) if kv[0] in labels else 99):
            w = 100 * n / widest
            share = round(100 * n / f.launch_events)
            label = f"{escape(f.period.label)}: {n} {escape(name)} ({share}%)"
            colour = _class_index(name, labels)
            parts.append(f'<a href="{site_url(site, f"/classes/{slugify(name)}/")}#{f.period.slug}-launch-events" '
                         f'aria-label="{label}" data-figure="class_mix"><rect x="{_pc(x)}" y="{y + 20}" '
                         f'width="{_pc(w)}" height="20" class="c{colour}" data-period="{f.period.slug}" '
                         f'data-class="{escape(name)}" data-value="{n}"><title>{label}</title></rect></a>')
            if w >= 4:  # a count fits inside its part on a desktop; on a phone only in the wider parts
                css = "seg" + (" light" if colour in ON_DARK else "") + ("" if w >= 9 else " minor")
                parts.append(_text(_pc(x + w / 2), y + 35, f"{n:,}", css))
            x += w
    height = len(figures) * ROW_H
    used = [n for n in labels if any(dict(f.tally.classes).get(n) for f in figures)]
    description = ("For each administration, its launch events by missile class; bar lengths are counts on one "
                   "scale. " + " ".join(f"{f.period.label}: " + ", ".join(f"{n} {name}" for name, n in f.tally.classes)
                                        + "." for f in figures))
    rows = tuple((f.period.label, *(_share(dict(f.tally.classes).get(n, 0), f.launch_events) for n in used),
                  f"{f.launch_events:,}") for f in figures)
    title = "Missile classes by administration, counts"
    legend = tuple((f"c{_class_index(name, labels)}", f"{name}: {site.config.vocabularies['missile_types'][name]}")
                   for name in used)
    return Chart("class-mix", title, description, _svg("class-mix", title, description, height, "".join(parts)),
                 ("Administration", *used, "All"), rows, legend)


def _share(n: int, total: int) -> str:
    """A count with its share of the total: "60 (74%)"."""
    return f"{n:,} ({round(100 * n / total)}%)" if n else "0"


def _class_index(name: str, labels: list[str]) -> int:
    """A stable colour index for a missile class."""
    return labels.index(name) % 9 if name in labels else 8


@lru_cache(maxsize=1)
def _outline() -> tuple[tuple[tuple[tuple[float, float], ...], ...], tuple[tuple[tuple[float, float], ...], ...]]:
    """The Natural Earth land and national borders from Beijing to Tokyo (see geo/outline.json for the source)."""
    data = json.loads(OUTLINE.read_text(encoding="utf-8"))
    return (tuple(tuple(tuple(p) for p in ring) for ring in data["land"]),
            tuple(tuple(tuple(p) for p in line) for line in data["borders"]))


@dataclass(frozen=True)
class View:
    """A box of longitude and latitude drawn as a map MAP_W units wide (equirectangular, longitudes scaled by the
    cosine of the middle latitude). Its text is 15 units high, so a map drawn at least 240 px wide (the CSS makes
    sure) never shows text under 12 px."""

    id: str
    west: float
    south: float
    east: float
    north: float

    @property
    def k(self) -> float:
        """How much shorter a degree of longitude is than one of latitude, in the middle of the box."""
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        """Drawing units per degree of latitude."""
        return MAP_W / ((self.east - self.west) * self.k)

    @property
    def height(self) -> float:
        """The map's height in drawing units."""
        return (self.north - self.south) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """A point's place on the map."""
        return (lon - self.west) * self.k * self.scale, (self.north - lat) * self.scale

    def near(self, points: tuple[tuple[float, float], ...]) -> bool:
        """Whether a ring or line comes within a degree of the box."""
        return (min(p[0] for p in points) <= self.east + 1 and max(p[0] for p in points) >= self.west - 1
                and min(p[1] for p in points) <= self.north + 1 and max(p[1] for p in points) >= self.south - 1)


MAP_W = 300
# The peninsula and its launch sites, Seoul and the DMZ; and the region from Beijing to Tokyo for an incident's
# locator map, wide enough for a range ring of some 1,500 km.
PENINSULA = View("peninsula", 123.0, 35.6, 132.5, 43.1)
REGION = View("region", 114.5, 29.0, 145.5, 47.0)
CITIES = (("Pyongyang", 125.7625, 39.0392, "end"), ("Seoul", 126.978, 37.5665, "end"),
          ("Beijing", 116.4074, 39.9042, "start"), ("Tokyo", 139.6503, 35.6762, "end"))
# Names a reader finds the maps by, placed where no launch site is: (text, lon, lat, class).
NAMES = {
    "peninsula": (("CHINA", 125.0, 42.4, "country"), ("NORTH KOREA", 128.0, 41.5, "country"),
                  ("SOUTH KOREA", 127.9, 36.2, "country"), ("DMZ", 128.55, 38.72, "place-start"),
                  ("Yellow Sea", 123.1, 36.4, "sea-start"), ("Sea of Japan", 132.4, 39.8, "sea-end"),
                  ("(East Sea)", 132.4, 39.42, "sea-end"), ("← Beijing", 123.1, 40.3, "place-start"),
                  ("Tokyo ↘", 132.4, 35.8, "place-end")),
    "region": (("CHINA", 119.0, 43.0, "country"), ("JAPAN", 137.5, 37.4, "country"),
               ("RUSSIA", 135.5, 45.6, "country"), ("Sea of Japan", 134.0, 40.5, "sea")),
}


@lru_cache(maxsize=4)
def land_symbol(view: View = PENINSULA) -> Markup:
    """The land and borders of a view once, as an SVG symbol its maps reuse."""
    rings, lines = _outline()

    def path(points: tuple[tuple[float, float], ...], close: bool) -> str:
        return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in (view.xy(*p) for p in points)) + ("Z" if close else "")

    land = "".join(path(r, True) for r in rings if view.near(r))
    borders = "".join(path(line, False) for line in lines if view.near(line))
    box = f'viewBox="0 0 {MAP_W} {view.height:.0f}"'
    return Markup(f'<svg class="defs" aria-hidden="true" width="0" height="0"><symbol id="land-{view.id}" {box}>'
                  f'<path d="{land}"/></symbol><symbol id="borders-{view.id}" {box}><path d="{borders}"/></symbol>'
                  "</svg>")


def _base(view: View) -> str:
    """The land, borders, cities and names of a view."""
    size = f'x="0" y="0" width="{MAP_W}" height="{view.height:.0f}"'
    parts = [f'<use href="#land-{view.id}" {size} class="land"/><use href="#borders-{view.id}" {size} class="border"/>']
    for name, lon, lat, anchor in CITIES:
        x, y = view.xy(lon, lat)
        if 0 <= x <= MAP_W and 0 <= y <= view.height:
            dx = -6 if anchor == "end" else 6
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="city"/>'
                         + _text(x + dx, y + 5, name, "place", anchor))
    for name, lon, lat, css in NAMES[view.id]:
        x, y = view.xy(lon, lat)
        anchor = "start" if css.endswith("start") else "end" if css.endswith("end") else "middle"
        parts.append(_text(x, y, name, css.split("-")[0], anchor))  # class "sea", "country" or "place"
    return "".join(parts)


def _map_svg(chart_id: str, view: View, title: str, description: str, body: str) -> Markup:
    """A map: a drawing that scales with its width, whose marks are links (a group)."""
    return Markup(f'<svg class="map" viewBox="0 0 {MAP_W} {view.height:.0f}" role="group" aria-labelledby="'
                  f'{chart_id}-t {chart_id}-d"><title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">'
                  f"{escape(description)}</desc>{_base(view)}{body}</svg>")


def _sites(site: Site, entries: tuple[Entry, ...]
           ) -> tuple[dict[str, tuple[tuple[float, float], list[Incident]]], int]:
    """A term's counted launch events by launch site (its canonical name in the gazetteer, so one site written
    several ways counts once), with the site's position (the gazetteer's, else the notes'); and how many have no
    known site or position."""
    sites: dict[str, tuple[tuple[float, float], list[Incident]]] = {}
    unplaced = 0
    gazetteer = site.config.sites
    for e in entries:
        i = e.incident
        if not tally([i]).launch_events:
            continue
        known = gazetteer.find(i.facility) if gazetteer else None
        position = ((known.longitude, known.latitude) if known and known.latitude is not None
                    else (i.longitude, i.latitude))
        if i.facility is None or (i.facility not in sites and None in position):
            unplaced += 1
            continue
        sites.setdefault(i.facility, (position, []))[1].append(i)  # type: ignore[arg-type]
    return sites, unplaced


def _radius(n: int, largest: int) -> float:
    """A circle whose area is in proportion to its count, the largest 13 units across the radius."""
    return 13 * math.sqrt(n / max(largest, 1))


def _size_legend(view: View, largest: int) -> str:
    """Three circles that say what a circle's size counts, in the sea south-east of the peninsula."""
    values = sorted({1, *(v for v in (2, 5, 10, 20, 50, 100, 200, 500) if v * 2 <= largest), largest})
    values = [values[0], values[len(values) // 2], values[-1]] if len(values) > 3 else values
    x0, y0 = view.xy(129.9, 37.6)
    parts = [_text(MAP_W - 4, y0 - 22, "Launch events", "place", "end")]
    x = x0
    for v in dict.fromkeys(values):
        r = _radius(v, largest)
        parts.append(f'<circle cx="{x + r:.1f}" cy="{y0 + 13 - r:.1f}" r="{r:.1f}" class="key-site"/>'
                     + _text(x + r, y0 + 30, f"{v:,}", "place"))
        x += 2 * r + 14
    return "".join(parts)


def site_map(site: Site, f: PeriodFigures, entries: tuple[Entry, ...], largest: int) -> Chart:
    """One term's launch sites on the peninsula, circles sized by counted launch events (one scale for every term),
    each linking to the incidents it counts."""
    chart_id, label = f"map-{f.period.slug}", f.period.label
    sites, unplaced = _sites(site, entries)
    parts = []
    for name, ((lon, lat), group) in sorted(sites.items(), key=lambda kv: -len(kv[1][1])):
        x, y = PENINSULA.xy(lon, lat)
        n = len(group)
        words = f"{escape(name)}: {_plural(n, 'launch event')}"
        parts.append(f'<a href="{site_url(site, f"/sites/{slugify(name)}/")}#{f.period.slug}-launch-events" '
                     f'aria-label="{words}" data-figure="launch_events"><circle cx="{x:.1f}" cy="{y:.1f}" '
                     f'r="{_radius(n, largest):.1f}" class="site" data-value="{n}"><title>{words}</title></circle></a>')
    total = sum(len(g) for _, g in sites.values())
    description = (f"Map of launch sites under {label}: {_plural(total, 'launch event')} at "
                   f"{_plural(len(sites), 'site')}" + (f"; {unplaced:,} more at sites with no known position."
                                                       if unplaced else "."))
    rows = tuple((name, g[0].province or "unknown", str(len(g)))
                 for name, (_, g) in sorted(sites.items(), key=lambda kv: (-len(kv[1][1]), kv[0])))
    title = f"Launch sites under {label}"
    svg = _map_svg(chart_id, PENINSULA, title, description, "".join(parts) + _size_legend(PENINSULA, largest))
    return Chart(chart_id, title, description, svg, ("Launch site", "Province", "Launch events"), rows)


def largest_site(site: Site) -> int:
    """The most counted launch events at one site in one term: the top of every map's circle scale."""
    return max((len(g) for f in site.figures
                for _, g in _sites(site, tuple(e for e in site.entries if e.period == f.period))[0].values()),
               default=1)


def _ring(lon: float, lat: float, km: float) -> list[tuple[float, float]]:
    """The points a distance from a place in every direction (a circle on the globe), as (lon, lat)."""
    d = km / 6371.0088
    phi, lam = math.radians(lat), math.radians(lon)
    points = []
    for bearing in range(0, 361, 4):
        b = math.radians(bearing)
        phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(b))
        lam2 = lam + math.atan2(math.sin(b) * math.sin(d) * math.cos(phi), math.cos(d) - math.sin(phi) * math.sin(phi2))
        points.append((math.degrees(lam2), math.degrees(phi2)))
    return points


def locator(incident: Incident) -> Chart | None:
    """Where an incident happened, on the map from Beijing to Tokyo, with a ring at the distance flown when the
    record knows it (a flight recorded as a failure has none); None without a position."""
    if incident.latitude is None or incident.longitude is None:
        return None
    x, y = REGION.xy(incident.longitude, incident.latitude)
    place = incident.launch_site or "The site"
    parts = []
    flown = incident.distance_km if incident.outcome != "failure" else None
    note = ""
    if flown:
        ring = _ring(incident.longitude, incident.latitude, flown)
        points = [REGION.xy(*p) for p in ring]
        parts.append('<path class="ring" d="M' + " L".join(f"{px:.1f} {py:.1f}" for px, py in points) + '"/>')
        inside = [(px, py) for px, py in points if 20 <= px <= MAP_W - 20 and 15 <= py <= REGION.height - 8]
        if inside:
            lx, ly = max(inside, key=lambda p: p[0] - abs(p[1] - y))  # the ring's most easterly visible point
            parts.append(_text(lx - 4, ly - 4, f"{flown:,.0f} km", "place", "end"))
        else:
            note = f" The {flown:,.0f} km it flew reach beyond this map."
    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="here"/>')
    what = "flew" if incident.is_launch else ""
    description = (f"Map of the region from Beijing to Tokyo: {place} is marked"
                   + (f", with a ring {flown:,.0f} km around it, the distance the launch {what} (its direction is "
                      "not drawn)." if flown and not note else ".") + note)
    chart_id = "locator"
    title = f"Where: {place}"
    return Chart(chart_id, title, description, _map_svg(chart_id, REGION, title, description, "".join(parts)), (), ())


def home_charts(site: Site, figures: tuple[PeriodFigures, ...] | list[PeriodFigures]) -> dict[str, object]:
    """The comparison charts of these terms, for the home and periods pages."""
    largest = largest_site(site)
    maps = [site_map(site, f, tuple(e for e in site.entries if e.period == f.period), largest)
            for f in figures if f.launch_events]
    return {"per_year": per_year(site), "cumulative": cumulative(site, figures),
            "class_mix": class_mix(site, figures), "maps": maps, "land": land_symbol()}


def period_charts(site: Site, figures: PeriodFigures, entries: tuple[Entry, ...]) -> dict[str, object]:
    """The map of one term's launch sites."""
    return {"map": site_map(site, figures, entries, largest_site(site)), "land": land_symbol()}
