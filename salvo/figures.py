"""Per-term figures, computed from the notes alone: counts, rates, mix, extremes, pauses and diplomacy."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from salvo.config import Period
from salvo.model import KST, ContextEvent, Incident

DIPLOMACY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Extreme:
    """The incident that holds a record in a term, and the value."""

    value: float
    slug: str
    title: str


@dataclass(frozen=True)
class Pause:
    """The longest stretch between two consecutive launches in a term."""

    days: int
    after: str  # ISO date of the launch that opened the pause
    before: str  # ISO date of the launch that closed it


@dataclass(frozen=True)
class Diplomacy:
    """Launches in the days before and after a context event."""

    slug: str
    title: str
    date: str
    day: dt.date
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
class PeriodFigures:
    """Every figure the comparison shows for one term."""

    period: Period
    days: int
    counted_to: str  # ISO date the day count runs to
    ongoing: bool
    launch_events: int
    missiles: int
    launch_days: int
    nuclear_tests: int
    rate_per_100_days: float
    class_mix: tuple[tuple[str, int], ...]
    icbm_launches: int
    overflights_japan: int
    longest_range: Extreme | None
    highest_apogee: Extreme | None
    days_to_first_launch: int | None
    longest_pause: Pause | None
    supplementary_launches: int
    context_events: int
    diplomacy: tuple[Diplomacy, ...]
    intervals: tuple[Interval, ...]
    cumulative: tuple[tuple[int, int], ...]  # (days since inauguration, launch events so far)

    def as_dict(self) -> dict[str, object]:
        """Every figure named, for data/periods.json."""
        def extreme(e: Extreme | None) -> dict[str, object] | None:
            return {"km": e.value, "incident": e.slug} if e else None
        p = self.period
        return {
            "name": p.name, "label": p.label, "slug": p.slug, "party": p.party,
            "start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None,
            "days": self.days, "days_counted_to": self.counted_to, "ongoing": self.ongoing,
            "launch_events": self.launch_events, "missiles": self.missiles, "launch_days": self.launch_days,
            "nuclear_tests": self.nuclear_tests, "launch_events_per_100_days": self.rate_per_100_days,
            "class_mix": dict(self.class_mix), "icbm_launch_events": self.icbm_launches,
            "overflights_of_japan": self.overflights_japan,
            "longest_range": extreme(self.longest_range), "highest_apogee": extreme(self.highest_apogee),
            "days_to_first_launch": self.days_to_first_launch,
            "longest_pause_days": self.longest_pause.days if self.longest_pause else None,
            "longest_pause": {"after": self.longest_pause.after, "before": self.longest_pause.before}
            if self.longest_pause else None,
            "supplementary_launch_events": self.supplementary_launches,
            "context_events": self.context_events,
        }


def period_figures(period: Period, inside: list[Incident], context: tuple[ContextEvent, ...],
                   latest: dt.date | None) -> PeriodFigures:
    """All figures of one term from the incidents inside it, in order; supplementary launches are counted apart,
    never with the record."""
    launches = [i for i in inside if i.is_launch and i.comparable]
    start = period.start.astimezone(KST)
    end = period.end.astimezone(KST).date() if period.end else (latest or start.date())
    days = max((end - start.date()).days, 1)
    mix: dict[str, int] = {}
    for launch in launches:
        mix[launch.missile_type or "Unknown"] = mix.get(launch.missile_type or "Unknown", 0) + 1
    cumulative = tuple((_days_in(i, start), n) for n, i in enumerate(launches, start=1))
    events = tuple(c for c in context if period.contains(c.when.moment))
    diplomacy = tuple(_diplomacy(e, launches) for e in events)
    return PeriodFigures(
        period=period,
        days=days,
        counted_to=end.isoformat(),
        ongoing=period.end is None,
        launch_events=len(launches),
        missiles=sum(i.count or 1 for i in launches),
        launch_days=len({i.when.iso for i in launches}),
        nuclear_tests=sum(1 for i in inside if not i.is_launch),
        rate_per_100_days=round(len(launches) * 100 / days, 2),
        class_mix=tuple(sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))),
        icbm_launches=sum(1 for i in launches if i.missile_type == "ICBM"),
        overflights_japan=sum(1 for i in launches if i.overflew_japan),
        longest_range=_extreme(launches, "distance_km"),
        highest_apogee=_extreme(launches, "apogee_km"),
        days_to_first_launch=cumulative[0][0] if cumulative else None,
        longest_pause=_longest_pause(launches),
        supplementary_launches=sum(1 for i in inside if i.is_launch and not i.comparable),
        context_events=len(events),
        diplomacy=diplomacy,
        intervals=tuple(_interval(a, b, launches) for a, b in itertools.pairwise(diplomacy)),
        cumulative=cumulative,
    )


def _days_in(incident: Incident, start: dt.datetime) -> int:
    """Whole days from the inauguration to the incident."""
    return (incident.when.moment - start).days


def _extreme(launches: list[Incident], field: str) -> Extreme | None:
    """The launch with the largest known value of a field; the earliest wins a tie."""
    known = [(getattr(i, field), i) for i in launches if getattr(i, field) is not None]
    if not known:
        return None
    value, incident = max(known, key=lambda pair: pair[0])
    return Extreme(value, incident.slug, incident.title)


def _longest_pause(launches: list[Incident]) -> Pause | None:
    """The most days between two consecutive launches; the earliest wins a tie."""
    best: Pause | None = None
    for before, after in itertools.pairwise(launches):
        days = (after.when.date - before.when.date).days
        if best is None or days > best.days:
            best = Pause(days, before.when.iso, after.when.iso)
    return best


def _interval(after: Diplomacy, before: Diplomacy, launches: list[Incident]) -> Interval:
    """Launch events from one milestone's day up to the next milestone's day."""
    start, end = after.day, before.day
    return Interval(after, before, (end - start).days, sum(1 for i in launches if start <= i.when.date < end))


def _diplomacy(event: ContextEvent, launches: list[Incident]) -> Diplomacy:
    """Launches in the window before a context event and in the window after it (the day itself after)."""
    window = dt.timedelta(days=DIPLOMACY_WINDOW_DAYS)
    day = event.when.date
    before = sum(1 for i in launches if day - window <= i.when.date < day)
    after = sum(1 for i in launches if day <= i.when.date < day + window)
    return Diplomacy(event.slug, event.title, event.when.iso, day, event.kind, before, after)
