"""The site's values: frozen, checked, and free of I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salvo.config import Period
from salvo.hashing import digest
from salvo.options import KST
from salvo.schema import LAUNCH as LAUNCH  # the kinds of incident are the schema's
from salvo.schema import NUCLEAR_TEST as NUCLEAR_TEST

SUPPLEMENT = "supplement"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from."""

    title: str
    publisher: str
    url: str


@dataclass(frozen=True, slots=True)
class When:
    """A local date in Korea, known to the day or only to the month, with an optional time."""

    date: dt.date
    precision: str  # "day" or "month"
    time: str | None = None

    # The instant used to place the event in a term: the time if known, else noon; mid-month if no day. Asked
    # for many times per note (ordering, terms, figures), so computed once.
    moment: dt.datetime = field(init=False, repr=False, compare=False)

    @property
    def iso(self) -> str:
        """The date as written in notes and in <time datetime>: YYYY-MM-DD or YYYY-MM."""
        return self.date.isoformat() if self.precision == "day" else self.date.isoformat()[:7]

    def __post_init__(self) -> None:
        """Compute the moment."""
        day = self.date if self.precision == "day" else self.date.replace(day=15)
        hour, minute = map(int, (self.time or "12:00").split(":"))
        object.__setattr__(self, "moment", dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST))


@dataclass(frozen=True, slots=True)
class Incident:
    """One launch event or nuclear test, as its note describes it."""

    stem: str
    slug: str
    rel: str
    title: str
    when: When
    kind: str
    missile_type: str | None
    missile_name: str | None
    count: int | None
    launch_site: str | None
    facility: str | None  # the canonical name of the launch site in launch-sites.toml (as written without one)
    province: str | None
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    apogee_km: float | None
    landing: str | None
    outcome: str | None
    outcome_detail: str | None
    hypersonic: str | None
    overflew_japan: bool
    record_status: str
    event_id: str | None
    yield_kt: str | None
    seismic_magnitude: float | None
    caveats: tuple[str, ...]
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    draft: bool
    unfinished: tuple[str, ...] = ()  # the required fields a draft leaves blank
    fingerprint: str = field(init=False, repr=False, compare=False)  # see fingerprinted()

    def __post_init__(self) -> None:
        """Compute the fingerprint once, where the note is checked."""
        fingerprinted(self)

    @property
    def comparable(self) -> bool:
        """Whether the incident belongs to the record the periods are compared on."""
        return self.record_status != SUPPLEMENT

    @property
    def is_launch(self) -> bool:
        """A missile launch, as opposed to a nuclear test."""
        return self.kind == LAUNCH


@dataclass(frozen=True, slots=True)
class ContextEvent:
    """A diplomatic milestone: summit, agreement, talks, visit or statement."""

    stem: str
    slug: str
    rel: str
    title: str
    when: When
    end_date: dt.date | None
    kind: str
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    draft: bool
    unfinished: tuple[str, ...] = ()  # the required fields a draft leaves blank
    fingerprint: str = field(init=False, repr=False, compare=False)  # see fingerprinted()

    def __post_init__(self) -> None:
        """Compute the fingerprint once, where the note is checked."""
        fingerprinted(self)


@dataclass(frozen=True, slots=True)
class Page:
    """A plain page such as About or Methodology."""

    stem: str
    slug: str
    rel: str
    title: str
    description: str
    weight: int
    draft: bool
    fingerprint: str = field(init=False, repr=False, compare=False)  # see fingerprinted()

    def __post_init__(self) -> None:
        """Compute the fingerprint once, where the note is checked."""
        fingerprinted(self)


Note = Incident | ContextEvent | Page


def fingerprinted(note: Incident | ContextEvent | Page) -> None:
    """Give a note its fingerprint: a digest of its type and every field (repr() shows them all, nested values
    included), what pages that show the note depend on. A note's Markdown body is not part of it (the body is
    kept apart, in Notes.bodies): only the note's own page shows it."""
    object.__setattr__(note, "fingerprint", digest(type(note).__name__, repr(note)))


@dataclass(frozen=True)
class Notes:
    """Everything validated from content/, before assembly."""

    incidents: tuple[Incident, ...]
    context: tuple[ContextEvent, ...]
    pages: tuple[Page, ...]


def period_of(moment: dt.datetime, periods: tuple[Period, ...], likely: Period | None = None) -> Period | None:
    """The term in office at that instant, or None outside every term (`likely` is tried first: the term of the
    previous event, when events come in order)."""
    if likely is not None and likely.contains(moment):
        return likely
    return next((p for p in periods if p.contains(moment)), None)
