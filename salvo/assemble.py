"""Validated notes + config -> the Site: order, periods, neighbours, groupings and figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from salvo.config import JudgementCall, Period, SiteConfig
from salvo.figures import Disclosure, PeriodFigures, Tally, period_figures, tally
from salvo.fingerprint import Fingerprints
from salvo.hashing import digest
from salvo.model import ContextEvent, Incident, Notes, Page, When, period_of
from salvo.slugs import slugify


@dataclass(frozen=True, slots=True)
class Entry:
    """An incident in its place: its term, its rank in that term, and its neighbours."""

    incident: Incident
    period: Period | None
    rank: int  # 1-based among incidents of the same kind (and record) in its term
    days_since_previous: int | None
    previous: Incident | None
    next: Incident | None


@dataclass(frozen=True, slots=True)
class PlacedContext:
    """A context event in its term."""

    event: ContextEvent
    period: Period | None


@dataclass(frozen=True)
class Group:
    """The incidents that share a missile class, a year, a province or a tag."""

    kind: str  # "classes", "years", "provinces" or "tags"
    key: str
    slug: str
    title: str
    entries: tuple[Entry, ...]

    @property
    def tally(self) -> Tally:
        """The group's incidents under the counting rule."""
        return tally(e.incident for e in self.entries)


@dataclass(frozen=True)
class Site:
    """Everything the templates need, computed once."""

    config: SiteConfig
    entries: tuple[Entry, ...]
    context: tuple[PlacedContext, ...]
    pages: tuple[Page, ...]
    figures: tuple[PeriodFigures, ...]
    calls: tuple[tuple[JudgementCall, frozenset[str]], ...]  # each judgement call and the slugs it concerns
    groups: tuple[Group, ...]
    latest: When | None  # the latest incident's date and time, which the feed is dated by
    fingerprint: str  # a digest of the notes and configuration it is made from (see assemble)

    def disclosed(self, call: JudgementCall) -> list[tuple[PeriodFigures, Disclosure]]:
        """Each term whose figures a judgement call moves, with what it moves."""
        return [(f, d) for f in self.figures for d in f.disclosures if d.call is call]

    def groups_of(self, kind: str) -> tuple[Group, ...]:
        """The groups of one kind, in their natural order."""
        return tuple(g for g in self.groups if g.kind == kind)


def assemble(notes: Notes, config: SiteConfig, last: Site | None = None) -> Site:
    """Place every incident and context event, group them, and compute each term's figures; the last site built
    when it was built from the same notes and configuration (a Site is a function of them alone)."""
    fingerprint = digest(Fingerprints()(config), *(n.fingerprint for group in (notes.incidents, notes.context,
                                                                              notes.pages) for n in group))
    if last is not None and last.fingerprint == fingerprint:
        return last
    incidents = notes.incidents
    entries = []
    ranks: dict[tuple[str, str, bool], int] = {}
    period = None
    inside: dict[str, list[Incident]] = {p.slug: [] for p in config.periods}
    for i, incident in enumerate(incidents):
        period = period_of(incident.when.moment, config.periods, likely=period)
        if period:
            inside[period.slug].append(incident)
        rank_key = (period.slug if period else "", incident.kind, incident.comparable)
        ranks[rank_key] = ranks.get(rank_key, 0) + 1
        previous = incidents[i - 1] if i else None
        entries.append(Entry(
            incident=incident,
            period=period,
            rank=ranks[rank_key],
            days_since_previous=(incident.when.date - previous.when.date).days if previous else None,
            previous=previous,
            next=incidents[i + 1] if i + 1 < len(incidents) else None,
        ))
    context = tuple(PlacedContext(e, period_of(e.when.moment, config.periods)) for e in notes.context)
    assert config.complete_to is not None, "load_site settles complete_to"
    calls = tuple((call, frozenset(i.slug for i in incidents if call.concerns(i))) for call in config.judgement_calls)
    figures = tuple(period_figures(p, inside[p.slug], notes.context, config.record_start, config.complete_to, calls)
                    for p in config.periods)
    latest = max(incidents, key=lambda i: i.when.moment, default=None)
    return Site(config, tuple(entries), context, notes.pages, figures, calls, _groups(tuple(entries), config),
                latest.when if latest else None, fingerprint)


def _groups(entries: tuple[Entry, ...], config: SiteConfig) -> tuple[Group, ...]:
    """Groupings by missile class, year, province, launch site and tag, each sorted by its natural key."""
    labels = config.vocabularies["missile_types"]
    groups: list[Group] = []
    groups += _group_by(entries, "classes", lambda i: [i.missile_type] if i.missile_type else [],
                        lambda key: labels.get(key, key), order=list(labels))
    groups += _group_by(entries, "years", lambda i: [str(i.when.date.year)], str)
    groups += _group_by(entries, "provinces", lambda i: [i.province] if i.province else [], str)
    groups += _group_by(entries, "sites", lambda i: [i.facility] if i.facility else [], str)
    groups += _group_by(entries, "tags", lambda i: list(i.tags), str)
    return tuple(groups)


def _group_by(entries: tuple[Entry, ...], kind: str, keys: Callable[[Incident], list[str]],
              title: Callable[[str], str], order: list[str] | None = None) -> list[Group]:
    """Group entries under each key their incident has; slugs that collide are merged under one page."""
    found: dict[str, list[Entry]] = {}
    names: dict[str, str] = {}
    for entry in entries:
        for key in keys(entry.incident):
            slug = slugify(key)
            names.setdefault(slug, key)
            found.setdefault(slug, []).append(entry)
    def position(slug: str) -> tuple[int, str]:
        key = names[slug]
        return (order.index(key) if order and key in order else len(order or ()), key.casefold())
    return [Group(kind, names[s], s, title(names[s]), tuple(found[s])) for s in sorted(found, key=position)]
