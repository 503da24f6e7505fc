"""The Site -> {output path: bytes}: Markdown, sanitizer, Jinja2 with strict undefined, data files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from salvo import charts
from salvo.assemble import Entry, Site
from salvo.cache import Cache, Packed, code_digest
from salvo.config import JudgementCall, Period
from salvo.errors import Problem, SiteError, display_path
from salvo.figures import DIPLOMACY_WINDOW_DAYS, Tally, tally
from salvo.hashing import digest
from salvo.markup import plain_text, render_markdown, warm_markdown
from salvo.model import Incident
from salvo.parallel import parallel_map
from salvo.slugs import slugify

DEFAULT_ROOT = Path(__file__).resolve().parent.parent
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
LATEST = 8  # incidents the home page lists, newest first
GROUP_TITLES = {"classes": "Missile classes", "years": "Years", "provinces": "Provinces", "sites": "Launch sites",
                "tags": "Tags"}
CSV_FIELDS = ("event_id", "date", "time_kst", "kind", "administration", "missile_type", "missile_name", "count",
              "launch_site", "province", "latitude", "longitude", "distance_km", "apogee_km", "landing", "outcome",
              "hypersonic", "overflew_japan", "record_status", "in_comparable_record", "judgement_calls", "url",
              "sources")


def template_environment(source: Path) -> jinja2.Environment:
    """Jinja2 reading the site's templates first, then Salvo's own; strict about undefined names. No bytecode
    cache: compiled templates are code, and a cache must never hold code."""
    folders = [source / "templates", DEFAULT_ROOT / "templates"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders with the templates as they were when it began (no stat per page)
    )
    env.filters.update(km=km, day=day_label, landing=landing, short_day=short_day, ordinal=ordinal, number=number,
                       plural=plural, figure_value=figure_value)
    env.globals["figure_names"] = FIGURE_NAMES
    return env


NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010fffd]")


def xml_text(text: str) -> str:
    """The text without control characters and non-characters, which XML forbids and HTML reports as errors."""
    return NOT_TEXT.sub("", text)


def km(value: float | None) -> str:
    """A distance for readers: "933 km", or "unknown" (never None or nan)."""
    return "unknown" if value is None else f"{number(value)} km"


def number(value: float | int | None) -> str:
    """A number with thousands separators and no needless decimals."""
    if value is None:
        return "unknown"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0")


def day_label(value: Any) -> str:
    """A date as a reader says it: "4 July 2017", or "September 1984" when only the month is known."""
    if hasattr(value, "precision"):
        date, precision = value.date, value.precision
    else:
        date, precision = dt.date.fromisoformat(str(value)[:10]), "day"
    month = f"{MONTHS[date.month - 1]} {date.year}"
    return month if precision == "month" else f"{date.day} {month}"


def landing(value: str | None) -> str:
    """Where an event's missiles came down, as the record joins several places ("A / unknown") put in words."""
    places = (value or "unknown").split(" / ")
    known = [p for p in places if p != "unknown"]
    if not known:
        return "unknown"
    return " and ".join(known) + ("; not recorded for the others" if len(known) < len(places) else "")


def short_day(value: dt.date) -> str:
    """A date in a table heading: "19 Apr 2026"."""
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def plural(n: int, noun: str) -> str:
    """"1 launch event", "2 launch events", "1,013 days"."""
    return f"{number(n)} {noun}{'' if n == 1 else 's'}"


FIGURE_NAMES = {
    "launch_events": "launch events", "missiles": "missiles", "launch_days": "launch days",
    "nuclear_tests": "nuclear tests", "launch_events_per_100_days": "launch events per 100 days",
    "class_mix": "missile classes", "icbm_launch_events": "ICBM launch events",
    "overflights_of_japan_home_islands": "flights over Japan's home islands", "longest_range": "longest range flown",
    "highest_apogee": "highest apogee", "days_to_first_launch": "days to first launch",
    "longest_pause": "longest pause (days)",
}


def figure_value(value: Any, name: str) -> str:
    """A figure of data/periods.json as words: a number, a distance, a pause, or a mix of classes."""
    if value is None:
        return "none"
    if name == "class_mix":
        return ", ".join(f"{number(n)} {kind}" for kind, n in value.items()) or "none"
    if isinstance(value, dict):
        return km(value["km"]) if "km" in value else number(value["days"])
    return number(value)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Renderer:
    """Renders every output file of one site."""

    def __init__(self, site: Site, env: jinja2.Environment, cache: Cache, salt: str, source: Path) -> None:
        self.site = site
        self.source = source
        self.env = env
        self.base = site.config.base_path
        self.cache = cache
        self.salt = salt
        nav = [p for p in site.pages if p.weight >= 0]
        env.globals.update(
            site=site, config=site.config, url=self.url, absolute=self.absolute, slug=slugify,
            labels=site.config.vocabularies, nav=nav, group_titles=GROUP_TITLES, call_letter=self.call_letter,
        )
        # What every incident page depends on besides its own entry: the config and the menu.
        self.page_salt = digest(salt, repr(site.config), repr([(p.slug, p.title) for p in nav]))
        self.bodies: dict[str, Markup] = {}  # the feed's, rendered in this build, by Markdown text
        self.fed = site.entries[::-1][: site.config.feed_entries]  # the feed's entries, latest first
        self.fed_slugs = {e.incident.slug for e in self.fed}
        # Each timeline line is drawn once and reused on every list page it appears in. The dict is in the
        # globals before any template module is made, and filled in place when list pages are drawn.
        env.globals["lines"] = {}

    def call_letter(self, call: JudgementCall) -> str:
        """The letter that marks a judgement call's notes beside the figures it moves: a, b, c..."""
        n = self.site.config.judgement_calls.index(call)
        return chr(ord("a") + n) if n < 26 else str(n + 1)

    def body_key(self, text: str) -> str:
        """What a rendered body depends on: its text, the base path its links get, and the code."""
        return digest(self.salt, self.base, text)

    def markdown(self, text: str) -> Markup:
        """A note body as sanitized HTML, from the cache when the same text was rendered before."""
        key = self.body_key(text)
        html = self.cache.get("body", key)
        if html is None:
            html = self.bodies.get(text) or render_markdown(text, self.base)
            self.cache.put("body", key, str(html))
        return Markup(html)

    def page_key(self, entry: Entry) -> str:
        """What an incident page depends on: its note, its term and rank, and its neighbours' titles."""
        neighbours = [(n.slug, n.title) for n in (entry.previous, entry.next) if n]
        return digest(self.page_salt, entry.incident.facts, self.body_key(entry.incident.body),
                      _slug(entry.period), str(entry.rank),
                      str(entry.days_since_previous), repr(neighbours))

    def timeline_lines(self) -> None:
        """Every incident's line in a timeline list, from the `incident_line` macro."""
        lines: dict[str, Markup] = self.env.globals["lines"]  # type: ignore[assignment]
        macro = self.env.get_template("_macros.html").module.incident_line  # type: ignore[attr-defined]
        for entry in self.site.entries:
            key = digest(self.page_salt, entry.incident.facts, _slug(entry.period))
            line = self.cache.get("line", key)
            if line is None:
                line = str(macro(entry))
                self.cache.put("line", key, line)
            lines[entry.incident.slug] = Markup(line)

    def render_incidents(self, entries: tuple[Entry, ...], meanwhile: Callable[[], None] = lambda: None
                         ) -> list[tuple[str, Packed]]:
        """These incidents' pages, in order: cached ones reused, the rest rendered on every core while this
        process runs `meanwhile`."""
        keys = [self.page_key(entry) for entry in entries]
        pages = [self.cache.get("page", key) for key in keys]
        missing = [n for n, page in enumerate(pages) if page is None]
        if missing:  # compiled once here rather than in every worker
            self.env.get_template("incident.html")
            warm_markdown()
        rendered = parallel_map(self.render_incident, [entries[n] for n in missing], meanwhile)
        for n, (body, page) in zip(missing, rendered, strict=True):
            pages[n] = page
            self.cache.put("page", keys[n], page)
            if body is not None:
                self.bodies[entries[n].incident.body] = Markup(body)  # not converted again
        return pages  # type: ignore[return-value]  # every slot is filled now

    def render_incident(self, entry: Entry) -> tuple[str | None, tuple[str, Packed]]:
        """One incident's packed page, and its body HTML if the feed shows it (runs in a worker, so template
        errors become problems here)."""
        incident = entry.incident
        body = Markup(render_markdown(incident.body, self.base))
        try:
            out, page = self.page("incident.html", f"/incidents/{incident.slug}/", entry=entry, incident=incident,
                                  body=body, description=plain_text(body) or incident.title,
                                  locator=charts.locator(incident), land=charts.land_symbol(charts.REGION))
        except jinja2.TemplateError as error:
            raise SiteError([template_problem(error, self.source)]) from None
        return str(body) if incident.slug in self.fed_slugs else None, (out, Packed.of(page))

    def absolute(self, path: str) -> str:
        """A site path as a full URL, for canonical links, the feed, the sitemap and the data files."""
        parts = urlsplit(self.site.config.base_url)
        return f"{parts.scheme}://{parts.netloc}{self.url(path)}"

    def url(self, path: str) -> str:
        """A site path with the base path in front, percent-encoded (non-Latin slugs stay valid)."""
        return self.base + quote(path.lstrip("/"), safe="/#?=&")

    def page(self, template: str, path: str, **context: Any) -> tuple[str, bytes]:
        """Render one HTML page to its output path (a folder's index.html for pretty URLs)."""
        html = xml_text(self.env.get_template(template).render(path=path, canonical=self.absolute(path), **context))
        out = path.strip("/") + "/index.html" if not path.endswith(".html") else path.strip("/")
        return out.lstrip("/"), html.encode("utf-8")

    def render(self) -> Iterator[tuple[str, bytes | Packed]]:
        """Every page, feed and data file of the site."""
        others: list[tuple[str, Packed]] = []
        yield from self.render_incidents(self.site.entries, lambda: others.extend(self.other_pages()))
        yield from others
        yield self.feed()

    def other_pages(self) -> list[tuple[str, Packed]]:
        """Every page but the incidents' and the feed: they depend only on the notes' facts (not incident
        bodies), context events and pages."""
        facts = (f"{e.incident.facts} {_slug(e.period)}" for e in self.site.entries)
        key = digest(self.page_salt, *facts, repr(self.site.context), repr(self.site.pages))
        pages = self.cache.get("site", key)
        if pages is None:
            self.timeline_lines()
            pages = [(path, Packed.of(data)) for path, data in self.site_pages()]
            self.cache.put("site", key, pages)
        else:
            self.cache.keep("line")  # a note's facts changed next time: the other notes' lines stand
        return pages

    def feed(self) -> tuple[str, bytes]:
        """The Atom feed of the latest incidents, with their bodies."""
        bodies = {e.incident.slug: self.markdown(e.incident.body) for e in self.fed}
        return "feed.xml", xml_text(self.env.get_template("feed.xml").render(
            entries=self.fed, bodies=bodies, updated=self.updated())).encode("utf-8")

    def site_pages(self) -> Iterator[tuple[str, bytes]]:
        """The home page, list pages, context and plain pages, data files and sitemap."""
        site = self.site
        compared = [f for f in site.figures if f.period.start.date() >= site.config.compare_from]
        earlier = [f for f in site.figures if f not in compared]
        yield self.page("home.html", "/", latest=self.timeline(site.entries[-LATEST:], False, True),
                        charts=charts.home_charts(site, compared), compared=compared, earlier=earlier,
                        description=site.config.description)
        for path, newest in (("/timeline/", True), ("/timeline/oldest-first/", False)):
            yield self.page("timeline.html", path, timeline=self.timeline(site.entries, True, newest), newest=newest,
                            description="Every incident in the record, " + ("newest" if newest else "oldest")
                            + " first, with diplomatic milestones in between.")
        yield self.page("incidents.html", "/incidents/", timeline=self.timeline(site.entries, False, True),
                        description="Every incident page, newest first.")
        yield self.page("contexts.html", "/context/", timeline=self.timeline((), True, True),
                        description="The diplomatic milestones shown beside the launches.")
        yield self.page("data.html", "/data/", description="The record as data files: CSV and JSON.")
        for placed in site.context:
            body = self.markdown(placed.event.body)
            yield self.page("context.html", f"/context/{placed.event.slug}/", placed=placed, event=placed.event,
                            body=body, description=plain_text(body) or placed.event.title)
        yield self.page("periods.html", "/periods/", description="Every US administration's figures side by side.",
                        charts=charts.home_charts(site, site.figures), compared=compared, earlier=earlier)
        for n, term in enumerate(site.figures):
            period = term.period
            entries = tuple(e for e in site.entries if e.period is period)
            yield self.page("period.html", f"/periods/{period.slug}/", period=period, figures=term,
                            neighbours=site.figures[max(n - 1, 0): n + 2], diplomacy_days=DIPLOMACY_WINDOW_DAYS,
                            charts=charts.period_charts(site, term, entries),
                            description=f"North Korea's missile launches and nuclear tests under {period.name}.")
        for kind, title in GROUP_TITLES.items():
            groups = site.groups_of(kind)
            yield self.page("groups.html", f"/{kind}/", kind=kind, groups=groups,
                            description=f"North Korea's tests by {title.lower()}.")
            for group in groups:
                counted = group.tally
                yield self.page("group.html", f"/{kind}/{group.slug}/", kind=kind, group=group,
                                terms=self.by_term(group.entries),
                                description=f"{group.title}: {plural(len(counted.launch_events), 'launch event')} "
                                f"and {plural(len(counted.nuclear_tests), 'nuclear test')} counted.")
        for page in site.pages:
            body = self.markdown(page.body)
            yield self.page("page.html", f"/{page.slug}/", page=page, body=body,
                            description=page.description or plain_text(body))
        yield self.page("404.html", "/404.html", description="Page not found.")
        yield from self.data_files()
        yield "sitemap.xml", self.env.get_template("sitemap.xml").render(paths=self.sitemap_paths()).encode("utf-8")
        yield "robots.txt", (f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}sitemap.xml\n").encode()

    def updated(self) -> str:
        """The feed's updated stamp: the latest incident's moment, so identical input gives identical output."""
        when = self.site.latest
        if when is None:
            return f"{self.site.config.record_start.isoformat()}T00:00:00+09:00"
        return f"{when.date.isoformat()}T{when.time or '00:00'}:00+09:00"

    def timeline(self, entries: tuple[Entry, ...], with_context: bool, newest: bool = False) -> list[dict[str, Any]]:
        """Entries (and context events) grouped by term, then by year, oldest or newest first; the first group of
        each year is its anchor for the index of years."""
        items: list[tuple[Any, str, Any, Any]] = [(e.incident.when.moment, "incident", e, e.period)
                                                  for e in entries]
        if with_context:
            items += [(c.event.when.moment, "context", c, c.period) for c in self.site.context]
        items.sort(key=lambda item: (item[0], item[1]), reverse=newest)
        terms: list[dict[str, Any]] = []
        anchored: set[int] = set()
        for _, kind, item, period in items:
            year = (item.incident if kind == "incident" else item.event).when.date.year
            if not terms or terms[-1]["period"] != period:
                terms.append({"period": period, "years": []})
            years = terms[-1]["years"]
            if not years or years[-1]["year"] != year:
                years.append({"year": year, "items": [], "anchor": year not in anchored})
                anchored.add(year)
            years[-1]["items"].append({"kind": kind, "item": item})
        return terms

    def by_term(self, entries: tuple[Entry, ...]) -> list[tuple[Period | None, Tally]]:
        """The entries' incidents under the counting rule, term by term (terms with none left out)."""
        terms: dict[Period | None, list[Incident]] = {}
        for entry in entries:
            terms.setdefault(entry.period, []).append(entry.incident)
        return [(period, tally(incidents)) for period, incidents in terms.items()]

    def sitemap_paths(self) -> list[str]:
        """Every HTML page's URL path."""
        site = self.site
        paths = ["/", "/timeline/", "/timeline/oldest-first/", "/incidents/", "/context/", "/data/", "/periods/"]
        paths += [f"/periods/{p.slug}/" for p in site.config.periods]
        paths += [f"/incidents/{e.incident.slug}/" for e in site.entries]
        paths += [f"/context/{c.event.slug}/" for c in site.context]
        for kind in GROUP_TITLES:
            paths += [f"/{kind}/"] + [f"/{kind}/{g.slug}/" for g in site.groups_of(kind)]
        paths += [f"/{p.slug}/" for p in site.pages]
        return [self.absolute(p) for p in paths]

    def data_files(self) -> Iterator[tuple[str, bytes]]:
        """data/incidents.csv, data/incidents.json and data/periods.json."""
        rows = [self.data_row(e) for e in self.site.entries]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(" | ".join(v) if isinstance(v, list) else "" if v is None else v)
                             for k, v in row.items()})
        yield "data/incidents.csv", buffer.getvalue().encode("utf-8")
        yield "data/incidents.json", _json("incidents", rows)
        yield "data/periods.json", _json("periods", [f.as_dict() for f in self.site.figures])

    def data_row(self, entry: Entry) -> dict[str, Any]:
        """One incident as a flat record, with its derived administration."""
        i = entry.incident
        return {
            "event_id": i.event_id, "date": i.when.iso, "time_kst": i.when.time, "kind": i.kind,
            "administration": entry.period.label if entry.period else None, "missile_type": i.missile_type,
            "missile_name": i.missile_name, "count": i.count, "launch_site": i.launch_site, "province": i.province,
            "latitude": i.latitude, "longitude": i.longitude, "distance_km": i.distance_km, "apogee_km": i.apogee_km,
            "landing": i.landing, "outcome": i.outcome, "hypersonic": i.hypersonic,
            "overflew_japan": i.overflew_japan, "record_status": i.record_status,
            "in_comparable_record": i.comparable,
            "judgement_calls": [call.id for call, slugs in self.site.calls if i.slug in slugs],
            "url": self.absolute(f"/incidents/{i.slug}/"),
            "sources": [s.url for s in i.sources],
        }


def _slug(period: Period | None) -> str:
    """A term in a cache key: its slug is enough, as the keys' salt holds site.toml's every term in full."""
    return period.slug if period else ""


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ or a tab gets a leading '."""
    return f"'{value}" if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _json(name: str, records: list[dict[str, Any]]) -> bytes:
    """{name: records} as stable JSON, one record per line: readable, and each line made by json's C encoder
    (indented output is pure Python: a second for 10,000 notes). '<' and '>' are escaped so that the file is
    safe to inline anywhere."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = b",\n".join(encode(r).replace("<", "\\u003c").replace(">", "\\u003e").encode("utf-8") for r in records)
    return b'{"%s": [\n%s\n]}\n' % (name.encode(), lines)  # built as bytes: one copy of a large file, not four


def render_site(site: Site, source: Path, cache: Cache) -> dict[str, bytes | Packed]:
    """Every output file of the site, by path relative to the output folder."""
    return _rendering(site, source, cache, lambda renderer: dict(renderer.render()))


def render_bodies(site: Site, source: Path, cache: Cache, slugs: Collection[str]) -> dict[str, bytes | Packed]:
    """What a change to these incidents' bodies alone changes: their pages and the feed (every other page shows
    only the notes' facts)."""
    def render(renderer: Renderer) -> dict[str, bytes | Packed]:
        entries = tuple(e for e in site.entries if e.incident.slug in slugs)
        return dict([*renderer.render_incidents(entries), renderer.feed()])
    return _rendering(site, source, cache, render)


def _rendering(site: Site, source: Path, cache: Cache,
               render: Callable[[Renderer], dict[str, bytes | Packed]]) -> dict[str, bytes | Packed]:
    """Run `render` with the site's renderer; a template error becomes a problem with its file and line."""
    salt = code_digest(source / "templates", DEFAULT_ROOT / "templates")
    try:
        return render(Renderer(site, template_environment(source), cache, salt, source))
    except jinja2.TemplateError as error:
        raise SiteError([template_problem(error, source)]) from None


def template_problem(error: jinja2.TemplateError, source: Path) -> Problem:
    """A template error as `templates/x.html:line: message`, found in the traceback Jinja2 rewrote."""
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml")) and (path is None or isinstance(error, jinja2.UndefinedError)):
            path, line = name, trace.tb_lineno
        trace = trace.tb_next
    shown = display_path(Path(path), source) if path else "templates"
    if shown.startswith("/"):
        shown = display_path(Path(path or ""), DEFAULT_ROOT)
    return Problem(shown, line or 1, "", f"template error: {error.message or error}: fix the template")
