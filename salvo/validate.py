"""RawNote -> Incident, ContextEvent or Page; every check, every note, problems collected in one pass."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from salvo.config import CONFIG_FILE, SiteConfig
from salvo.errors import Problem, did_you_mean
from salvo.markup import costly_markdown
from salvo.model import LAUNCH, ContextEvent, Incident, Note, Notes, Page, Source, When
from salvo.notes import RawNote
from salvo.schema import CONTEXT, INCIDENT, KIND, PAGE, Field
from salvo.sites import UNKNOWN, normal
from salvo.slugs import slugify

MISSING = object()
DATE = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
STEM_DATE = re.compile(r"^([0-9]{4}-[0-9]{2}(?:-[0-9]{2})?)-(.+)$")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
MAX_NUMBER = 10**9
MAX_SEGMENT_BYTES = 200
ALWAYS_REQUIRED = ("title", "date", "kind")  # what even a draft must give: the note, its page and its kind
RESERVED_PAGES = {"incidents", "context", "periods", "classes", "years", "provinces", "tags", "data", "static",
                  "index", "404", "feed", "sitemap", "robots", "favicon"}


class Checker:
    """Checks one note's fields, recording problems with their file lines."""

    def __init__(self, raw: RawNote, config: SiteConfig, today: dt.date) -> None:
        self.raw = raw
        self.config = config
        self.today = today
        self.problems: list[Problem] = []
        self.draft = raw.values.get("draft") is True
        self.blanks: list[str] = []  # required fields a draft leaves blank: it cannot be published until filled in

    def fail(self, key: str, message: str) -> None:
        """Record a problem at the line of the key."""
        self.problems.append(Problem(self.raw.rel, self.raw.line(key), key.split(".")[0], message))

    def get(self, key: str, check: Callable[[str, Any], Any], required: bool = False, default: Any = None) -> Any:
        """The checked value of a top-level key, its default, or None after recording a problem."""
        value = self.raw.values.get(key, MISSING)
        if value is MISSING or (value is None and required):
            if required and self.draft and key not in ALWAYS_REQUIRED:
                self.blanks.append(key)
            elif required and value is None:
                self.fail(key, f"`{key}` is required but is null: fill it in")
            elif required:
                self.problems.append(Problem(self.raw.rel, 1, key, f"missing field `{key}`: add `{key}: ...` "
                                             "to the front matter"))
            return default
        if value is None:
            return None
        return check(key, value)

    def text(self, key: str, value: Any) -> str | None:
        """A piece of text; YAML's booleans, numbers and dates where text goes get a hint to quote."""
        if isinstance(value, str):
            if not value.strip():
                self.fail(key, f"`{key}` is empty: write the text, or null if unknown")
                return None
            if control := CONTROL.search(value):
                self.fail(key, f"`{key}` contains the control character U+{ord(control.group()):04X}, which cannot "
                          "be published: remove it (check the `\\` escapes in double quotes)")
                return None
            return value.strip()
        if isinstance(value, bool | int | float | dt.date):
            raw = _shown(self.raw.front.raw.get(key, str(value)))
            self.fail(key, f"`{key}` must be text, but YAML read `{raw}` as {_yaml_kind(value)}: "
                      f"put it in quotes, `{key}: \"{raw}\"`")
        else:
            self.fail(key, f"`{key}` must be text, not {_yaml_kind(value)}")
        return None

    def word(self, vocabulary: str) -> Callable[[str, Any], str | None]:
        """A checker for a key of a site.toml vocabulary."""
        allowed = self.config.vocabularies[vocabulary]

        def check(key: str, value: Any) -> str | None:
            text = self.text(key, value)
            if text is None:
                return None
            if text not in allowed:
                self.fail(key, f"`{key}` is `{_shown(text)}`, which is not in [vocabularies.{vocabulary}] of site.toml."
                          f"{did_you_mean(text, tuple(allowed))} Use one of: {', '.join(allowed)}")
                return None
            return text

        return check

    def number(self, key: str, value: Any, whole: bool = False) -> float | int | None:
        """A finite number of at least 0 (at least 1 and whole for counts)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raw = _shown(self.raw.front.raw.get(key, value))
            what = "a whole number" if whole else "a number"
            self.fail(key, f"`{key}` must be {what} or null when unknown, not `{raw}`")
            return None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            self.fail(key, f"`{key}` must be a real number, not {value}: write null when unknown")
            return None
        if abs(value) > MAX_NUMBER:
            self.fail(key, f"`{key}` is `{_shown(self.raw.front.raw.get(key, value))}`, far too large to be right "
                      f"(the limit is {MAX_NUMBER:,}): check the number")
            return None
        if whole and (not isinstance(value, int) or value < 1):
            self.fail(key, f"`{key}` must be a whole number of 1 or more, not {value}: write null when unknown")
            return None
        if value < 0:
            self.fail(key, f"`{key}` must be 0 or more, not {value}: write null when unknown")
            return None
        return value

    def integer(self, key: str, value: Any) -> int | None:
        """A whole number, negative allowed (menu weights)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"`{key}` must be a whole number, not `{_shown(self.raw.front.raw.get(key, value))}`")
            return None
        if abs(value) > MAX_NUMBER:
            self.fail(key, f"`{key}` is {_shown(value)}, far too large (the limit is {MAX_NUMBER:,}): check the number")
            return None
        return value

    def count(self, key: str, value: Any) -> int | None:
        """A whole number of missiles, at least 1."""
        result = self.number(key, value, whole=True)
        return int(result) if result is not None else None

    def coordinate(self, key: str, value: Any) -> float | None:
        """A latitude or longitude in degrees."""
        limit = 90 if key == "latitude" else 180
        result = self.number(key, abs(value) if isinstance(value, int | float) and not isinstance(value, bool)
                             else value)
        if result is None:
            return None
        if result > limit:
            self.fail(key, f"`{key}` must be between -{limit} and {limit} degrees, not {value}")
            return None
        return float(value)

    def flag(self, key: str, value: Any) -> bool:
        """true or false."""
        if not isinstance(value, bool):
            self.fail(key, f"`{key}` must be true or false, not `{_shown(self.raw.front.raw.get(key, value))}`")
            return False
        return value

    def when(self, key: str, value: Any) -> When | None:
        """A "YYYY-MM-DD" or "YYYY-MM" date in the record's span and not in the future."""
        if isinstance(value, dt.datetime):
            self.fail(key, f"`{key}` must be a date without a time; put the time in `time: \"HH:MM\"`")
            return None
        if isinstance(value, dt.date):
            when = When(value, "day")
        elif isinstance(value, str) and (match := DATE.match(value.strip())):
            year, month, day = match.groups()
            try:
                when = When(dt.date(int(year), int(month), int(day or 1)), "day" if day else "month")
            except ValueError:
                self.fail(key, f"`{key}` {value} is not a real date: check the month and the day")
                return None
        else:
            self.fail(key, f"`{key}` must be \"YYYY-MM-DD\", or \"YYYY-MM\" when only the month is known, "
                      f"not `{_shown(self.raw.front.raw.get(key, value))}`")
            return None
        if when.date > self.today:
            self.fail(key, f"`{key}` {when.iso} is in the future (today is {self.today}): check the year")
            return None
        if when.date < self.config.record_start.replace(day=1 if when.precision == "month" else
                                                          self.config.record_start.day):
            self.fail(key, f"`{key}` {when.iso} is before the record starts ({self.config.record_start}, "
                      "`record_start` in site.toml)")
            return None
        return when

    def plain_date(self, key: str, value: Any) -> dt.date | None:
        """A full date, for end dates."""
        when = self.when(key, value)
        if when and when.precision != "day":
            self.fail(key, f"`{key}` must be a full date \"YYYY-MM-DD\"")
            return None
        return when.date if when else None

    def time(self, key: str, value: Any) -> str | None:
        """A quoted "HH:MM" in Korea Standard Time."""
        raw = _shown(self.raw.front.raw.get(key, str(value)))
        if key in self.raw.front.plain or not isinstance(value, str):
            self.fail(key, f"`{key}` must be quoted, `{key}: \"{raw}\"`: unquoted, YAML 1.1 may read a time "
                      "as a number of minutes")
            return None
        if not TIME.match(value):
            self.fail(key, f"`{key}` must be \"HH:MM\" on a 24-hour clock (Korea Standard Time), "
                      f"not \"{_shown(value)}\"")
            return None
        return value

    def texts(self, key: str, value: Any) -> tuple[str, ...]:
        """A list of text items."""
        if not isinstance(value, list):
            self.fail(key, f"`{key}` must be a list, e.g. `{key}: [a, b]`")
            return ()
        items = []
        for n, item in enumerate(value):
            text = self.text(f"{key}.{n}", item)
            if text is not None:
                items.append(text)
        return tuple(items)

    def tags(self, key: str, value: Any) -> tuple[str, ...]:
        """A list of tags, each of which must make a URL segment."""
        if not isinstance(value, list):
            return self.texts(key, value)
        tags = (self.segment(f"{key}.{n}", item) for n, item in enumerate(value))
        return tuple(dict.fromkeys(tag for tag in tags if tag is not None))

    def segment(self, key: str, value: Any) -> str | None:
        """Text that also names a page of its own (/tags/<slug>/, /provinces/<slug>/), so it must make a URL."""
        text = self.text(key, value)
        if text is None:
            return None
        problem = segment_problem(text)
        if problem:
            self.fail(key, f"`{key}` {problem}")
            return None
        return text

    def sources(self, key: str, value: Any) -> tuple[Source, ...]:
        """A non-empty list of {title, publisher, url} with http(s) URLs; a draft may leave its entries all null."""
        if self.draft and isinstance(value, list):
            value = [item for item in value if not isinstance(item, dict) or any(v is not None for v in item.values())]
            if not value:
                self.blanks.append(key)
                return ()
        if not isinstance(value, list) or not value:
            self.fail(key, f"`{key}` must list at least one source: `- title: ...`, `publisher: ...`, `url: https://...`")
            return ()
        sources = []
        for n, item in enumerate(value):
            path = f"{key}.{n}"
            if not isinstance(item, dict):
                self.fail(path, f"each of `{key}` must have `title`, `publisher` and `url` (item {n + 1} does not)")
                continue
            for extra in item.keys() - {"title", "publisher", "url"}:
                self.fail(f"{path}.{extra}", f"unknown field `{_shown(extra)}` in source {n + 1}."
                          f"{did_you_mean(extra, ('title', 'publisher', 'url'))} A source has title, publisher, url")
            title = self.text(f"{path}.title", item["title"]) if item.get("title") is not None else None
            publisher = self.text(f"{path}.publisher", item["publisher"]) if item.get("publisher") is not None else ""
            url = self.url(f"{path}.url", item.get("url"))
            if item.get("title") is None:
                self.fail(f"{path}.title" if "title" in item else path, f"source {n + 1} needs a `title`")
            if title and url is not None and publisher is not None:
                sources.append(Source(title, publisher, url))
        return tuple(sources)

    def url(self, key: str, value: Any) -> str | None:
        """An absolute http(s) URL with no spaces or control characters."""
        if value is None:
            self.fail(key, "the source needs a `url` starting with https:// or http://")
            return None
        text = self.text(key, value)
        if text is None:
            return None
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\x00-\x1f\"<>\\^`{|}]", text):
            self.fail(key, f"`{key}` must be a well-formed http(s) URL without spaces, not `{_shown(text)}`")
            return None
        return text

    def choice(self, key: str, value: Any, allowed: tuple[str, ...]) -> str | None:
        """Text that must be one of a few fixed words."""
        text = self.text(key, value)
        if text is not None and text not in allowed:
            self.fail(key, f"`{key}` is `{_shown(text)}`: use one of {', '.join(allowed)}."
                      f"{did_you_mean(text, allowed)}")
            return None
        return text

    def rule(self, spec: Field) -> Callable[[str, Any], Any]:
        """The check a schema field names."""
        if spec.rule == "word":
            return self.word(spec.vocabulary)
        if spec.rule == "choice":
            return lambda key, value: self.choice(key, value, spec.choices)
        return getattr(self, spec.rule)  # type: ignore[no-any-return]

    def read(self, fields: tuple[Field, ...], launch: bool = False) -> dict[str, Any]:
        """The checked value of each field by name: its default when left out or null, None when refused."""
        values = {}
        for spec in fields:
            required = spec.required == "always" or (launch and spec.required == "launch")
            value = self.get(spec.name, self.rule(spec), required=required, default=spec.default)
            values[spec.name] = spec.default if self.raw.values.get(spec.name) is None else value
        return values

    def unknown_keys(self, fields: tuple[Field, ...]) -> None:
        """Every key the schema does not know, with the nearest known one suggested."""
        known = tuple(f.name for f in fields)
        for key in self.raw.values:
            if key not in known:
                self.fail(key, f"unknown field `{_shown(key)}`.{did_you_mean(key, known)} Remove it or fix its name.")


def sort_notes(checked: list[Note]) -> tuple[Notes, list[Problem]]:
    """Valid notes sorted into their sections, with the rules between notes (unique URLs and event ids)."""
    incidents = [n for n in checked if isinstance(n, Incident)]
    context = [n for n in checked if isinstance(n, ContextEvent)]
    pages = [n for n in checked if isinstance(n, Page)]
    problems = _clashes([(f"/incidents/{n.slug}/", n.rel) for n in incidents]
                        + [(f"/context/{n.slug}/", n.rel) for n in context]
                        + [(f"/{n.slug}/", n.rel) for n in pages], "publish to the same URL {key}")
    problems += _clashes([(n.event_id, n.rel) for n in incidents if n.event_id], "share the event_id {key}")
    notes = Notes(tuple(sorted(incidents, key=lambda n: (n.when.moment, n.slug))),
                  tuple(sorted(context, key=lambda n: (n.when.moment, n.slug))),
                  tuple(sorted(pages, key=lambda n: (n.weight, n.slug))))
    return notes, problems


def check_calls(notes: Notes, config: SiteConfig) -> list[Problem]:
    """Every note a judgement call names must be a launch (a call moves launches across the counting line)."""
    launches = {n.stem for n in notes.incidents if n.is_launch}
    return [Problem(CONFIG_FILE, call.line, "incidents", f"judgement call `{call.id}` names `{stem}`, which is "
                    "no launch note in content/incidents/: write the note's file name without .md")
            for call in config.judgement_calls for stem in call.incidents if stem not in launches]


def _clashes(pairs: list[tuple[str, str]], what: str) -> list[Problem]:
    """One problem per file that shares a key with another file, naming the others."""
    seen: dict[str, list[str]] = {}
    for key, rel in pairs:
        seen.setdefault(key, []).append(rel)
    problems = []
    for key, rels in seen.items():
        for rel in rels if len(rels) > 1 else ():
            others = ", ".join(r for r in sorted(rels) if r != rel)
            problems.append(Problem(rel, 1, "", f"this note and {others} {what.format(key=key)}: rename one of them"))
    return problems


def validate_note(raw: RawNote, config: SiteConfig, today: dt.date) -> tuple[Note | None, list[Problem]]:
    """Check one note against the schema of its section."""
    check = Checker(raw, config, today)
    slug = slugify(raw.stem)
    if len(slug.encode("utf-8")) > MAX_SEGMENT_BYTES:
        check.problems.append(Problem(raw.rel, 1, "", f"the file name makes a web address of "
                                      f"{len(slug.encode('utf-8'))} bytes, over the limit of {MAX_SEGMENT_BYTES}: "
                                      "shorten the file name"))
    if raw.section == "pages":
        check.unknown_keys(PAGE)
        note: Any = Page(stem=raw.stem, slug=slug, rel=raw.rel, **check.read(PAGE))
        if slug in RESERVED_PAGES:
            check.fail("title", f"a page cannot be named `{raw.stem}`: the site uses /{slug}/ itself; rename the file")
    elif raw.section == "context":
        check.unknown_keys(CONTEXT)
        values = check.read(CONTEXT)
        when = values.pop("date")
        _check_stem(check, when)
        note = ContextEvent(stem=raw.stem, slug=slug, rel=raw.rel, when=when, unfinished=tuple(check.blanks),
                            **values)
    else:
        note = _incident(raw, check, slug)
    complete_to = config.complete_to
    if (isinstance(note, Incident | ContextEvent) and note.when and not note.draft and complete_to
            and note.when.date > complete_to):
        check.fail("date", f"`date` {note.when.iso} is after {complete_to}, the date the record is complete to "
                   f"(`complete_to` in site.toml): once every incident up to {note.when.iso} is in, move "
                   "`complete_to` to it; until then keep this note a draft (`draft: true`)")
    if costly := costly_markdown(raw.body):
        check.problems.append(Problem(raw.rel, raw.body_line + costly[0], "", costly[1]))
    if check.draft:  # a draft's problems stop only the builds that publish drafts
        return (None if check.problems else note), [replace(p, draft=True) for p in check.problems]
    return (None if check.problems else note), check.problems


def _incident(raw: RawNote, check: Checker, slug: str) -> Incident:
    """Check an incident note's fields; launches need what the schema requires of them."""
    check.unknown_keys(INCIDENT)
    kind = check.read((KIND,))["kind"]  # first: what a launch requires depends on it
    values = check.read(tuple(f for f in INCIDENT if f is not KIND), launch=kind == LAUNCH)
    when, time = values.pop("date"), values.pop("time")
    _check_stem(check, when)
    site = values["launch_site"]
    facility = None if site is None or normal(site) == UNKNOWN else site
    if site and check.config.sites:
        facility, found = check.config.sites.judge(site, values["latitude"], values["longitude"])
        for key, message in found:
            check.fail(key, message)
    return Incident(
        stem=raw.stem, slug=slug, rel=raw.rel, kind=kind, facility=facility, unfinished=tuple(check.blanks),
        when=When(when.date, when.precision, time) if when else When(dt.date.min, "day"), **values)


def _check_stem(check: Checker, when: When | None) -> None:
    """Dated notes are named YYYY-MM-DD-slug.md, and the name's date must match the front matter's."""
    match = STEM_DATE.match(check.raw.stem)
    if not match:
        check.problems.append(Problem(check.raw.rel, 1, "", "the file name must start with the date and a slug, "
                                      "e.g. `2017-07-04-hwasong-14.md`: rename the file"))
    elif when and match.group(1) != when.iso:
        check.fail("date", f"the file name starts with {match.group(1)} but `date` is {when.iso}: make them agree "
                   f"(rename the file to {when.iso}-{match.group(2)}.md or fix the date)")


def segment_problem(text: str) -> str | None:
    """Why text cannot name a page of its own (its slug is empty or too long for a file name), or None."""
    slug = slugify(text)
    if slug == "untitled" and text.casefold() != "untitled":
        return f"is `{_shown(text)}`, which has no letters or digits to make a web address from: use a word"
    if len(slug.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return (f"makes a web address of {len(slug.encode('utf-8'))} bytes, over the limit of {MAX_SEGMENT_BYTES}: "
                "shorten it")
    return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value as quoted in a message, on one line and cut short if it is long."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else text[:limit] + "…"


def _yaml_kind(value: Any) -> str:
    """How YAML read a value, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "an unknown value"
