"""The counting rule, and every figure the site shows, computed by it from the incidents alone.

One rule for every page and every term: a figure counts the launch events of the ballistic record (a
judgement call may move named incidents across that line, and is then disclosed with the figure both ways);
nuclear tests are counted apart; launches outside the record are listed, never counted. A term's days are
the Korean calendar days the record covers of it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from salvo.config import JudgementCall, Period
from salvo.model import KST, ContextEvent, Incident, When

DIPLOMACY_WINDOW_DAYS = 90
FAILURE = "failure"  # the outcome whose distance and apogee are not flights' records


@dataclass(frozen=True)
class Tally:
    """Incidents sorted by the counting rule, each group in date order."""

    launch_events: tuple[Incident, ...]  # counted
    nuclear_tests: tuple[Incident, ...]  # counted apart
    outside: tuple[Incident, ...]  # launches outside the ballistic record: listed, never counted

    @property
    def missiles(self) -> int:
        """Missiles in the counted launch events; an event whose count is unknown counts as one."""
        return sum(i.count or 1 for i in self.launch_events)

    @property
    def launch_days(self) -> int:
        """Distinct days with at least one counted launch event."""
        return len({i.when.iso for i in self.launch_events})

    def of_class(self, name: str) -> tuple[Incident, ...]:
        """The counted launch events of one missile class."""
        return tuple(i for i in self.launch_events if (i.missile_type or "Unknown") == name)

    @property
    def classes(self) -> tuple[tuple[str, int], ...]:
        """(missile class, counted launch events), most first."""
        counts: dict[str, int] = {}
        for i in self.launch_events:
            counts[i.missile_type or "Unknown"] = counts.get(i.missile_type or "Unknown", 0) + 1
        return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def over_japan(self) -> tuple[Incident, ...]:
        """Counted launch events that flew over the Japanese home islands."""
        return tuple(i for i in self.launch_events if i.overflew_japan)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to list."""
        return not (self.launch_events or self.nuclear_tests or self.outside)


def tally(incidents: Iterable[Incident], flipped: frozenset[str] = frozenset()) -> Tally:
    """Sort incidents by the counting rule; launches whose slug is in `flipped` cross it the other way."""
    launches: list[Incident] = []
    tests: list[Incident] = []
    outside: list[Incident] = []
    for incident in incidents:
        if not incident.is_launch:
            tests.append(incident)
        elif incident.comparable != (incident.slug in flipped):
            launches.append(incident)
        else:
            outside.append(incident)
    return Tally(tuple(launches), tuple(tests), tuple(outside))


@dataclass(frozen=True)
class Extreme:
    """The incident that holds a record in a term, and the value."""

    value: float
    slug: str
    title: str


@dataclass(frozen=True)
class Pause:
    """The longest stretch between two consecutive launch days in a term."""

    days: int
    after: Incident  # the launch that opened the pause
    before: Incident  # the launch that closed it

    @property
    def approximate(self) -> bool:
        """Whether either end is known only to the month."""
        return "month" in (self.after.when.precision, self.before.when.precision)


@dataclass(frozen=True)
class Span:
    """The Korean calendar days of a term that the record covers."""

    first: dt.date
    last: dt.date  # inclusive
    starts_late: bool  # the record starts after the inauguration
    ends_early: bool  # the term runs on past the date the record is complete to

    @property
    def days(self) -> int:
        """Days covered."""
        return max((self.last - self.first).days + 1, 0)


def span(period: Period, record_start: dt.date, complete_to: dt.date) -> Span:
    """A term's covered days: from the later of its first day and the record's start to the earlier of its last
    day and the date the record is complete to."""
    first = period.start.astimezone(KST).date()
    last = (period.end.astimezone(KST).date() - dt.timedelta(days=1)) if period.end else None
    return Span(max(first, record_start), min(last, complete_to) if last else complete_to,
                record_start > first, last is None or complete_to < last)


@dataclass(frozen=True)
class Diplomacy:
    """Launches in the days before and after a context event."""

    slug: str
    title: str
    when: When
    kind: str
    launches_before: int
    launches_after: int


@dataclass(frozen=True)
class Interval:
    """Launches between two consecutive diplomatic milestones of a term."""

    after: Diplomacy
    before: Diplomacy
    days: int
    launches: int


@dataclass(frozen=True)
class Disclosure:
    """A judgement call that moves some of a term's figures: each moved figure as shown and the other way."""

    call: JudgementCall
    incidents: tuple[Incident, ...]  # the term's incidents it concerns
    moved: tuple[tuple[str, object, object], ...]  # (figure name, value shown, value the other way)


@dataclass(frozen=True)
class PeriodFigures:
    """Every figure the comparison shows for one term."""

    period: Period
    span: Span
    tally: Tally
    cumulative: tuple[tuple[int, int], ...]  # (days into the span, launch events so far)
    longest_range: Extreme | None
    highest_apogee: Extreme | None
    longest_pause: Pause | None
    diplomacy: tuple[Diplomacy, ...]
    intervals: tuple[Interval, ...]
    disclosures: tuple[Disclosure, ...] = field(default=())

    @property
    def days(self) -> int:
        """Days the record covers of the term."""
        return self.span.days

    @property
    def launch_events(self) -> int:
        """Counted launch events."""
        return len(self.tally.launch_events)

    @property
    def nuclear_tests(self) -> int:
        """Nuclear tests."""
        return len(self.tally.nuclear_tests)

    @property
    def rate_per_100_days(self) -> float:
        """Counted launch events per 100 days covered."""
        return round(self.launch_events * 100 / self.days, 2) if self.days else 0.0

    @property
    def icbm_launches(self) -> int:
        """Counted ICBM launch events."""
        return len(self.tally.of_class("ICBM"))

    @property
    def days_to_first_launch(self) -> int | None:
        """Days from the inauguration to the first counted launch; None when there is none, or when the record
        starts after the inauguration (the days before it are unknown)."""
        return None if self.span.starts_late or not self.cumulative else self.cumulative[0][0]

    def by_day(self, day: int) -> int | None:
        """Launch events in the first `day` days of the span; None if the span is shorter."""
        return sum(1 for d, _ in self.cumulative if d < day) if self.days >= day else None

    def figures(self) -> dict[str, object]:
        """Every figure by name, as data/periods.json gives them (and as disclosures compare them)."""
        def extreme(e: Extreme | None) -> dict[str, object] | None:
            return {"km": e.value, "incident": e.slug} if e else None
        pause = self.longest_pause
        return {
            "launch_events": self.launch_events, "missiles": self.tally.missiles,
            "launch_days": self.tally.launch_days, "nuclear_tests": self.nuclear_tests,
            "launch_events_per_100_days": self.rate_per_100_days, "class_mix": dict(self.tally.classes),
            "icbm_launch_events": self.icbm_launches, "overflights_of_japan_home_islands": len(self.tally.over_japan),
            "longest_range": extreme(self.longest_range), "highest_apogee": extreme(self.highest_apogee),
            "days_to_first_launch": self.days_to_first_launch,
            "longest_pause": {"days": pause.days, "after": pause.after.when.iso, "before": pause.before.when.iso,
                              "approximate": pause.approximate} if pause else None,
        }

    def as_dict(self) -> dict[str, object]:
        """The term, its span and every figure, for data/periods.json."""
        p, s = self.period, self.span
        return {
            "name": p.name, "label": p.label, "slug": p.slug, "party": p.party,
            "start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None,
            "days_counted": s.days, "counted_from": s.first.isoformat(), "counted_to": s.last.isoformat(),
            "record_starts_after_inauguration": s.starts_late, "term_runs_past_record": s.ends_early,
            **self.figures(),
            "judgement_calls": {d.call.id: {name: other for name, _, other in d.moved} for d in self.disclosures},
        }


def period_figures(period: Period, inside: list[Incident], context: tuple[ContextEvent, ...], record_start: dt.date,
                   complete_to: dt.date, calls: tuple[tuple[JudgementCall, frozenset[str]], ...] = ()
                   ) -> PeriodFigures:
    """All figures of one term from the incidents inside it, in order, with each judgement call that moves any
    of them disclosed with the figures the other way."""
    figures = _figures(period, inside, context, span(period, record_start, complete_to))
    disclosures = []
    for call, slugs in calls:
        concerned = tuple(i for i in inside if i.slug in slugs)
        if concerned:
            shown = figures.figures()
            other = _figures(period, inside, context, figures.span, frozenset(slugs)).figures()
            moved = tuple((name, shown[name], other[name]) for name in shown if shown[name] != other[name])
            disclosures.append(Disclosure(call, concerned, moved))
    return replace(figures, disclosures=tuple(disclosures))


def _figures(period: Period, inside: list[Incident], context: tuple[ContextEvent, ...], covered: Span,
             flipped: frozenset[str] = frozenset()) -> PeriodFigures:
    """A term's figures under the counting rule, with these launches moved across it."""
    counted = tally(inside, flipped)
    launches = list(counted.launch_events)
    flown = [i for i in launches if i.outcome != FAILURE]
    diplomacy = tuple(_diplomacy(e, launches) for e in context if period.contains(e.when.moment))
    return PeriodFigures(
        period=period,
        span=covered,
        tally=counted,
        cumulative=tuple(((_day(i) - covered.first).days, n) for n, i in enumerate(launches, start=1)),
        longest_range=_extreme(flown, "distance_km"),
        highest_apogee=_extreme(flown, "apogee_km"),
        longest_pause=_longest_pause(launches),
        diplomacy=diplomacy,
        intervals=tuple(_interval(a, b, launches) for a, b in itertools.pairwise(diplomacy)),
    )


def _day(item: Incident | ContextEvent | Diplomacy) -> dt.date:
    """The Korean day an event is placed on: its date, or the middle of its month when only that is known."""
    return item.when.moment.date()


def _extreme(launches: list[Incident], name: str) -> Extreme | None:
    """The launch with the largest known value of a field; the earliest wins a tie."""
    known = [(getattr(i, name), i) for i in launches if getattr(i, name) is not None]
    if not known:
        return None
    value, incident = max(known, key=lambda pair: pair[0])
    return Extreme(value, incident.slug, incident.title)


def _longest_pause(launches: list[Incident]) -> Pause | None:
    """The most days between two consecutive launch days; the earliest wins a tie; None with fewer than two."""
    best: Pause | None = None
    days = [next(group) for _, group in itertools.groupby(launches, key=_day)]
    for before, after in itertools.pairwise(days):
        gap = (_day(after) - _day(before)).days
        if best is None or gap > best.days:
            best = Pause(gap, before, after)
    return best


def _interval(after: Diplomacy, before: Diplomacy, launches: list[Incident]) -> Interval:
    """Launch events from one milestone's day up to the next milestone's day."""
    start, end = _day(after), _day(before)
    return Interval(after, before, (end - start).days, sum(1 for i in launches if start <= _day(i) < end))


def _diplomacy(event: ContextEvent, launches: list[Incident]) -> Diplomacy:
    """Launches in the window before a context event and in the window after it (the day itself after)."""
    window = dt.timedelta(days=DIPLOMACY_WINDOW_DAYS)
    day = _day(event)
    before = sum(1 for i in launches if day - window <= _day(i) < day)
    after = sum(1 for i in launches if day <= _day(i) < day + window)
    return Diplomacy(event.slug, event.title, event.when, event.kind, before, after)
