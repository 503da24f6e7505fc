"""What the site publishes: every output file, as a template and the values it is given, not yet rendered.

Values that cost something to compute (a note's HTML, a chart) are given as calls (salvo.fingerprint.Call),
made only when a page that shows them is rendered; the render stage keys each page by the fingerprints of
the values its template can read, so a page is rendered again exactly when one of them changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from salvo import charts, datafiles
from salvo.assemble import Entry, Site
from salvo.config import Period
from salvo.figures import DIPLOMACY_WINDOW_DAYS, Tally, tally
from salvo.fingerprint import Call, call
from salvo.markup import plain_text, render_markdown
from salvo.model import Incident
from salvo.urls import Urls

LATEST = 8  # incidents the home page lists, newest first
GROUP_TITLES = {"classes": "Missile classes", "years": "Years", "provinces": "Provinces", "sites": "Launch sites",
                "tags": "Tags"}


@dataclass(frozen=True)
class Output:
    """One output file: rendered from a template with these values, or (without a template) the bytes a call
    makes."""

    path: str  # relative to the output folder
    template: str | None
    context: dict[str, Any] = field(default_factory=dict)
    make: Call | None = None


def page(template: str, path: str, urls: Urls, **context: Any) -> Output:
    """An HTML page at a site path ("/incidents/x/" is written to incidents/x/index.html)."""
    out = path.strip("/") + "/index.html" if not path.endswith(".html") else path.strip("/")
    return Output(out.lstrip("/"), template, {"path": path, "canonical": urls.absolute(path), **context})


def body(text: str, base: str) -> Call:
    """A note's Markdown body as sanitized HTML, when needed."""
    return call(html, text, base)


@lru_cache(maxsize=64)  # a page shows its body and describes itself from it: Markdown converts it once
def html(text: str, base: str) -> Markup:
    """Markdown as sanitized HTML, safe to put in a page as it is."""
    return Markup(render_markdown(text, base))


def describe(text: str, base: str, fallback: str) -> str:
    """A page's description: the start of its note's body as plain text, or the fallback."""
    return plain_text(html(text, base)) or fallback


def feed_bodies(texts: tuple[tuple[str, str], ...], base: str) -> dict[str, str]:
    """The feed's entries' bodies as HTML, by slug."""
    return {slug: render_markdown(text, base) for slug, text in texts}


def outputs(site: Site, bodies: Mapping[str, str], urls: Urls) -> Iterator[Output]:
    """Every output file of the site but its static files, in a fixed order: the pages, the feed, the sitemap
    of the pages, and the data files; each made right after it reads the bodies it shows (see Reads)."""
    pages = []
    for made in html_pages(site, bodies, urls):
        pages.append(made)
        yield made
    base = urls.base_path
    fed = site.entries[::-1][: site.config.feed_entries]  # the latest incidents, latest first
    yield Output("feed.xml", "feed.xml", {"entries": fed, "updated": updated(site), "bodies": call(
        feed_bodies, tuple((e.incident.slug, bodies.get(e.incident.rel, "")) for e in fed), base)})
    yield Output("sitemap.xml", "sitemap.xml", {"paths": [p.context["canonical"] for p in pages
                                                          if p.path.endswith("index.html")]})
    yield from (Output(path, None, make=call(datafiles.make, path, site, urls)) for path in datafiles.PATHS)


class Reads(Mapping[str, str]):
    """Notes' bodies by path, noting which are read: outputs() reads those an output shows just before it makes
    it, so the reads between two outputs are the bodies the second one shows (no other value can hold them)."""

    def __init__(self, bodies: Mapping[str, str]) -> None:
        self.bodies = bodies
        self.read: list[str] = []

    def __getitem__(self, rel: str) -> str:
        self.read.append(rel)
        return self.bodies[rel]

    def get(self, rel: str, default: Any = None) -> Any:  # type: ignore[override]
        """The body at this path, or the default (a read either way: a body added later shows there)."""
        self.read.append(rel)
        return self.bodies.get(rel, default)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("outputs read bodies one by one, by path")

    def __len__(self) -> int:
        return len(self.bodies)

    def take(self) -> tuple[str, ...]:
        """The paths of the bodies read since the last call."""
        read, self.read = tuple(self.read), []
        return read


def html_pages(site: Site, bodies: Mapping[str, str], urls: Urls) -> Iterator[Output]:
    """Every HTML page of the site."""
    base = urls.base_path
    config = site.config
    land = call(charts.land_symbol, charts.REGION)  # one value for every page (fingerprinted once)
    for entry in site.entries:
        incident = entry.incident
        text = bodies.get(incident.rel, "")
        yield page("incident.html", f"/incidents/{incident.slug}/", urls, entry=entry, incident=incident,
                   body=body(text, base), description=call(describe, text, base, incident.title),
                   locator=call(charts.locator, incident), land=land)
    compared = [f for f in site.figures if f.period.start.date() >= config.compare_from]
    earlier = [f for f in site.figures if f not in compared]
    yield page("home.html", "/", urls, latest=call(timeline, site, site.entries[-LATEST:], False, True),
               charts=call(charts.home_charts, site, compared), compared=compared, earlier=earlier,
               description=config.description)
    for path, newest in (("/timeline/", True), ("/timeline/oldest-first/", False)):
        yield page("timeline.html", path, urls, timeline=call(timeline, site, site.entries, True, newest),
                   newest=newest, description="Every incident in the record, " + ("newest" if newest else "oldest")
                   + " first, with diplomatic milestones in between.")
    yield page("incidents.html", "/incidents/", urls, timeline=call(timeline, site, site.entries, False, True),
               description="Every incident page, newest first.")
    yield page("contexts.html", "/context/", urls, timeline=call(timeline, site, (), True, True),
               description="The diplomatic milestones shown beside the launches.")
    yield page("data.html", "/data/", urls, description="The record as data files: CSV and JSON.")
    for placed in site.context:
        event = placed.event
        text = bodies.get(event.rel, "")
        yield page("context.html", f"/context/{event.slug}/", urls, placed=placed, event=event,
                   body=body(text, base), description=call(describe, text, base, event.title))
    yield page("periods.html", "/periods/", urls, description="Every US administration's figures side by side.",
               charts=call(charts.home_charts, site, site.figures), compared=compared, earlier=earlier)
    for n, term in enumerate(site.figures):
        period = term.period
        entries = tuple(e for e in site.entries if e.period is period)
        yield page("period.html", f"/periods/{period.slug}/", urls, period=period, figures=term,
                   neighbours=site.figures[max(n - 1, 0): n + 2], diplomacy_days=DIPLOMACY_WINDOW_DAYS,
                   charts=call(charts.period_charts, site, term, entries),
                   description=f"North Korea's missile launches and nuclear tests under {period.name}.")
    for kind, title in GROUP_TITLES.items():
        groups = site.groups_of(kind)
        yield page("groups.html", f"/{kind}/", urls, kind=kind, groups=groups,
                   description=f"North Korea's tests by {title.lower()}.")
        for group in groups:
            counted = group.tally
            yield page("group.html", f"/{kind}/{group.slug}/", urls, kind=kind, group=group,
                       terms=call(by_term, group.entries),
                       description=f"{group.title}: {_plural(len(counted.launch_events), 'launch event')} and "
                       f"{_plural(len(counted.nuclear_tests), 'nuclear test')} counted.")
    for note in site.pages:
        text = bodies.get(note.rel, "")
        yield page("page.html", f"/{note.slug}/", urls, page=note, body=body(text, base),
                   description=note.description or call(describe, text, base, note.title))
    yield page("404.html", "/404.html", urls, description="Page not found.")


def _plural(n: int, noun: str) -> str:
    """"1 launch event", "2 launch events"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def updated(site: Site) -> str:
    """The feed's updated stamp: the latest incident's moment, so identical input gives identical output."""
    when = site.latest
    if when is None:
        return f"{site.config.record_start.isoformat()}T00:00:00+09:00"
    return f"{when.date.isoformat()}T{when.time or '00:00'}:00+09:00"


def timeline(site: Site, entries: tuple[Entry, ...], with_context: bool, newest: bool = False
             ) -> list[dict[str, Any]]:
    """Entries (and context events) grouped by term, then by year, oldest or newest first; the first group of
    each year is its anchor for the index of years."""
    items: list[tuple[Any, str, Any, Any]] = [(e.incident.when.moment, "incident", e, e.period) for e in entries]
    if with_context:
        items += [(c.event.when.moment, "context", c, c.period) for c in site.context]
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


def by_term(entries: tuple[Entry, ...]) -> list[tuple[Period | None, Tally]]:
    """The entries' incidents under the counting rule, term by term (terms with none left out)."""
    terms: dict[Period | None, list[Incident]] = {}
    for entry in entries:
        terms.setdefault(entry.period, []).append(entry.incident)
    return [(period, tally(incidents)) for period, incidents in terms.items()]
