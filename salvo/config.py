"""site.toml -> a frozen SiteConfig, with every problem reported together."""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from salvo.errors import Problem, SiteError, did_you_mean
from salvo.sites import SITES_FILE, UNKNOWN, Gazetteer, LaunchSite, normal
from salvo.slugs import slugify

CONFIG_FILE = "site.toml"
REQUIRED = object()  # a Key's default when the key must be given


@dataclass(frozen=True)
class Key:
    """One key of a TOML table: the type of its value, its default (REQUIRED when it has none), and what it means.

    These tables are what the checks below go by, and what docs/configuration.md is generated from."""

    kind: type
    help: str
    default: Any = REQUIRED
    example: str = ""


TOP_KEYS: dict[str, Key] = {
    "title": Key(str, "The site's name: in the masthead, every page title and the feed.", example='"Salvo"'),
    "subtitle": Key(str, "What the site is, in a line: the home page's heading, the footer and the feed's title.",
                    ""),
    "description": Key(str, "One or two sentences under the home page's heading, also for search engines, link "
                            "previews and the feed."),
    "base_url": Key(str, "The absolute http(s) URL the site is served at; links, the feed and the sitemap are built "
                         "under its path. `build --base-url` overrides it (as the publishing workflow does).",
                    example='"https://example.org/salvo/"'),
    "language": Key(str, "The pages' language, a BCP 47 tag.", example='"en"'),
    "author": Key(str, "Who the feed names as the author; when empty, the title.", ""),
    "record_start": Key(dt.date, "The first day of the record: an incident dated earlier is refused.",
                        example="1984-01-01"),
    "complete_to": Key(dt.date, "The Korean date the record is complete to: every launch up to it has been looked "
                                "for. The current term's days are counted to it, and an incident dated after it is "
                                "refused unless it is a draft (move it forward once the record is checked). Without "
                                "it, the record is taken to be complete to the day of the build.",
                       None, example="2026-04-19"),
    "compare_from": Key(dt.date, "The home page's comparison tables start with the first period that starts on "
                                 "or after this day; earlier periods are shown apart.", example="2009-01-20"),
    "max_note_kb": Key(int, "The largest note file accepted, in KB.", 1024),
    "feed_entries": Key(int, "How many incidents the Atom feed holds, latest first.", 30),
    "periods": Key(list, "The US administrations compared, as `[[periods]]` tables (below), in order."),
    "judgement_calls": Key(list, "The choices about what the record counts that a reader could make the other way, "
                                 "as `[[judgement_calls]]` tables (below).", []),
    "vocabularies": Key(dict, "The words notes may use in some fields, as `[vocabularies.NAME]` tables (below)."),
}
PERIOD_KEYS: dict[str, Key] = {
    "name": Key(str, "The president's name, as pages spell it out.", example='"Barack Obama"'),
    "label": Key(str, "A short label for tables and charts; it also makes the page's address "
                      "(`/periods/<label as a slug>/`), so labels must differ.", example='"Obama"'),
    "party": Key(str, "The president's party.", ""),
    "start": Key(dt.datetime, "When the term starts: a TOML date and time with its UTC offset (terms change at "
                              "noon Eastern Time on 20 January).", example="2009-01-20T12:00:00-05:00"),
    "end": Key(dt.datetime, "When the term ends, as `start`; only the last period may leave it out (ongoing).",
               None, example="2017-01-20T12:00:00-05:00"),
}
CALL_KEYS: dict[str, Key] = {
    "id": Key(str, "The call's name as in a web address, unique: the call's anchor on the administrations page "
                   "(`/periods/#call-<id>`).",
              example='"satellite-launches"'),
    "title": Key(str, "The choice, in a sentence.", example='"Satellite launches are counted as launch events"'),
    "explanation": Key(str, "Why, and what the other choice would be: shown beside every figure the call moves."),
    "incidents": Key(list, "The launch notes it concerns, by file name without `.md`.", [],
                     example='["2019-04-17-tactical-guided-weapon"]'),
    "missile_types": Key(list, "The missile classes it concerns (keys of `[vocabularies.missile_types]`); a call "
                               "names incidents, classes, or both.", [], example='["SLV"]'),
}
# [vocabularies.NAME] tables: key = "Label". The keys are what notes write; the labels are what pages show.
VOCABULARIES: dict[str, str] = {
    "missile_types": "The missile classes a launch's `missile_type` may be (pages: /classes/).",
    "outcomes": "The values of a launch's `outcome`; must define `unknown`.",
    "record_statuses": "Where an incident's record comes from (`record_status`); must define `supplement` "
                       "(launches outside the compared record, never counted) and `editor` (the default).",
    "context_kinds": "The kinds of context events (`kind` of a note in content/context/).",
}
REQUIRED_WORDS = {"record_statuses": ("supplement", "editor"), "outcomes": ("unknown",)}
# The [[sites]] tables of launch-sites.toml, the gazetteer.
SITE_KEYS: dict[str, Key] = {
    "name": Key(str, "The site's canonical name: what `new --site` writes into a note, and what counts the site "
                     "once however notes spell it.", example='"Pyongyang International Airport"'),
    "aliases": Key(list, "Other names and spellings of the site, as notes and sources write them; a note may give "
                         "any of them. A name or alias belongs to one site only (compared regardless of case and "
                         "spacing), and `Unknown` to none.", [],
                   example='["Sunan", "Pyongyang Sunan International Airport"]'),
    "province": Key(str, "The site's province, as notes write it; `new --site` fills it in.", None,
                    example='"Pyongyang"'),
    "latitude": Key(float, "The site's position in degrees north, with `longitude`; both are left out when no "
                           "source gives one. A note's coordinates must lie within 10 km of it.", None,
                    example="39.200159"),
    "longitude": Key(float, "The site's position in degrees east, with `latitude`.", None, example="125.673256"),
    "area": Key(bool, "true for a general area that reports name instead of a facility, e.g. `Wonsan area`.",
                False),
    "source": Key(str, "Where the position comes from (or why there is none).",
                  example='"nagix facility.en.json `pyongyang`; CNS Facility Latitude/Longitude"'),
}


@dataclass(frozen=True)
class Period:
    """A US administration: a named span of time with a start and, except the current one, an end."""

    name: str
    label: str
    party: str
    slug: str
    start: dt.datetime
    end: dt.datetime | None

    def contains(self, moment: dt.datetime) -> bool:
        """Whether the moment falls in this term (start included, end excluded)."""
        return self.start <= moment and (self.end is None or moment < self.end)


@dataclass(frozen=True)
class JudgementCall:
    """A choice about what the record counts that a reader could make the other way: the incidents it
    concerns (by note name, or by missile class), disclosed beside every figure it moves."""

    id: str
    title: str
    explanation: str
    incidents: tuple[str, ...]
    missile_types: tuple[str, ...]
    line: int  # of its `id` in site.toml, for problems found with the notes

    def concerns(self, incident: Any) -> bool:
        """Whether the call concerns an incident: it names the note, or the note's missile class."""
        return incident.stem in self.incidents or incident.missile_type in self.missile_types


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.toml says, checked and frozen."""

    title: str
    subtitle: str
    description: str
    base_url: str
    language: str
    author: str
    record_start: dt.date
    complete_to: dt.date | None  # the Korean date the record is complete to (None: the day of the build)
    compare_from: dt.date
    max_note_kb: int
    feed_entries: int
    periods: tuple[Period, ...]
    judgement_calls: tuple[JudgementCall, ...]
    vocabularies: Mapping[str, Mapping[str, str]]
    sites: Gazetteer | None = None  # launch-sites.toml, when the site has one

    @property
    def base_path(self) -> str:
        """The path the site is served under, e.g. "/" or "/salvo/"."""
        return urlsplit(self.base_url).path or "/"


def load_config(source: Path, base_url: str | None = None) -> SiteConfig:
    """Read and check site.toml and, when the site has one, launch-sites.toml; raise SiteError listing every
    problem of both."""
    problems: list[Problem] = []
    config, sites = None, None
    try:
        data, lines = _read_toml(source, CONFIG_FILE)
        if base_url is not None:
            data["base_url"] = base_url
        config = _check(data, lines)
    except SiteError as error:
        problems += error.problems
    try:
        if (source / SITES_FILE).exists():
            sites = _check_sites(*_read_toml(source, SITES_FILE))
    except SiteError as error:
        problems += error.problems
    if problems or config is None:
        raise SiteError(problems)
    return replace(config, sites=sites)


def _read_toml(source: Path, name: str) -> tuple[dict[str, Any], _KeyLines]:
    """A TOML file of the site, parsed, with the lines of its keys; SiteError if it cannot be read or parsed."""
    try:
        text = (source / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError([Problem(name, 1, "", f"no {name} in {source}: is --source the site's folder?")]) from None
    except UnicodeDecodeError:
        raise SiteError([Problem(name, 1, "", f"{name} is not UTF-8 text: save it as UTF-8")]) from None
    except OSError as error:
        raise SiteError([Problem(name, 1, "", f"cannot read {name}: {error.strerror}")]) from None
    try:
        return tomllib.loads(text), _KeyLines(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        raise SiteError([Problem(name, line, "", f"invalid TOML: {error}")]) from None


class _KeyLines:
    """Finds the line of a key in the TOML text, so that config errors point at it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, key: str, section: str = "", occurrence: int = 0) -> int:
        """The line of `key` inside the n-th `section` header (or the top), or the section's line."""
        start = 0
        if section:
            headers = [i for i, line in enumerate(self.lines) if line.strip() in (f"[{section}]", f"[[{section}]]")]
            if occurrence < len(headers):
                start = headers[occurrence]
        for i in range(start, len(self.lines)):
            if i > start and section and self.lines[i].lstrip().startswith("["):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[i]):
                return i + 1
        return start + 1


def _check(data: dict[str, Any], lines: _KeyLines) -> SiteConfig:
    """Check every key and value of the parsed TOML, collecting all problems before failing."""
    problems: list[Problem] = []

    def problem(key: str, message: str, section: str = "", occurrence: int = 0) -> None:
        problems.append(Problem(CONFIG_FILE, lines.find(key, section, occurrence), key, message))

    for key in data:
        if key not in TOP_KEYS:
            problem(key, f"unknown key `{key}`.{did_you_mean(key, tuple(TOP_KEYS))} Remove it or fix its name.")
    values: dict[str, Any] = {}
    for key, spec in TOP_KEYS.items():
        if key not in data:
            if spec.default is not REQUIRED:
                values[key] = spec.default
            else:
                problems.append(Problem(CONFIG_FILE, 1, key, f"missing key `{key}`: add it to {CONFIG_FILE}"))
            continue
        value = data[key]
        if not _is(value, spec.kind):
            problem(key, f"`{key}` must be {describe(spec.kind)}, not {describe(type(value))}")
            continue
        values[key] = value
    url = values.get("base_url")
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problem("base_url", "`base_url` must be an absolute http(s) URL such as \"https://example.org/\"")
        values["base_url"] = url if url.endswith("/") else url + "/"
    periods = tuple(_check_periods(values.get("periods", []), problem))
    vocabularies = _check_vocabularies(values.get("vocabularies", {}), problem)
    calls = tuple(_check_calls(values.get("judgement_calls", []), vocabularies.get("missile_types", {}), problem,
                               lines))
    if problems:
        raise SiteError(problems)
    return SiteConfig(
        title=values["title"],
        subtitle=values["subtitle"],
        description=values["description"],
        base_url=values["base_url"],
        language=values["language"],
        author=values["author"],
        record_start=values["record_start"],
        complete_to=values["complete_to"],
        compare_from=values["compare_from"],
        max_note_kb=values["max_note_kb"],
        feed_entries=values["feed_entries"],
        periods=periods,
        judgement_calls=calls,
        vocabularies=MappingProxyType(vocabularies),
    )


def _tables(raw: list[Any], section: str, keys: dict[str, Key], problem: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each [[section]] table whose keys are all known and whose values have the right types, with its
    position; every other is reported, key by key, and left out."""
    for n, table in enumerate(raw):
        if not isinstance(table, dict):
            problem(section, f"`{section}` must be a list of [[{section}]] tables")
            continue
        bad = False
        for key in table:
            if key not in keys:
                problem(key, f"unknown key `{key}` in [[{section}]].{did_you_mean(key, tuple(keys))}", section, n)
                bad = True
        for key, spec in keys.items():
            value = table.get(key)
            if value is None:
                if spec.default is REQUIRED:
                    problem(key, f"[[{section}]] number {n + 1} needs `{key}`", section, n)
                    bad = True
            elif not _is(value, spec.kind) or (spec.kind is list and not all(isinstance(v, str) for v in value)):
                example = f", e.g. {spec.example}" if spec.example else ""
                problem(key, f"`{key}` must be {describe(spec.kind)}{' of text' if spec.kind is list else ''}"
                        f"{example}", section, n)
                bad = True
            elif spec.kind is dt.datetime and value.tzinfo is None:
                problem(key, f"`{key}` needs a UTC offset, e.g. 2025-01-20T12:00:00-05:00", section, n)
                bad = True
        if not bad:
            yield n, table


def _check_periods(raw: list[Any], problem: Any) -> list[Period]:
    """Each [[periods]] table -> a Period; terms must be in order, not overlap, and only the last open."""
    periods: list[Period] = []
    if not raw:
        problem("periods", "no [[periods]] defined: add at least one administration with name, label, start")
    for n, table in _tables(raw, "periods", PERIOD_KEYS, problem):
        period = Period(
            name=table["name"],
            label=table["label"],
            party=table.get("party", ""),
            slug=slugify(table["label"]),
            start=table["start"],
            end=table.get("end"),
        )
        if period.end is not None and period.end <= period.start:
            problem("end", f"period `{period.label}` ends before it starts", "periods", n)
        if periods and (periods[-1].end is None or period.start < periods[-1].end):
            problem("start", f"period `{period.label}` overlaps or precedes `{periods[-1].label}`: list "
                    "periods in order, each starting when the previous one ends", "periods", n)
        if any(p.slug == period.slug for p in periods):
            problem("label", f"two periods have the label `{period.label}`: labels must differ", "periods", n)
        periods.append(period)
    return periods


def _check_calls(raw: list[Any], missile_types: Mapping[str, str], problem: Any, lines: _KeyLines
                 ) -> list[JudgementCall]:
    """Each [[judgement_calls]] table -> a JudgementCall: an id, a title, an explanation, and the incidents it
    concerns (note names, missile classes, or both). Whether the notes exist is checked with the notes."""
    calls: list[JudgementCall] = []
    for n, table in _tables(raw, "judgement_calls", CALL_KEYS, problem):
        for name in table.get("missile_types", []):
            if name not in missile_types:
                hint = did_you_mean(name, tuple(missile_types))
                problem("missile_types", f"`{name}` is not in [vocabularies.missile_types].{hint}",
                        "judgement_calls", n)
        if not table.get("incidents") and not table.get("missile_types"):
            problem("id", f"judgement call `{table['id']}` concerns no incident: list note names in `incidents` "
                    "(e.g. \"2019-04-17-tactical-guided-weapon\") or classes in `missile_types`", "judgement_calls", n)
        if any(c.id == table["id"] for c in calls) or slugify(table["id"]) != table["id"]:
            problem("id", "judgement call ids must be unique and written as in a web address "
                    f"(`{slugify(table['id'])}`)", "judgement_calls", n)
        calls.append(JudgementCall(table["id"], table["title"], table["explanation"],
                                   tuple(table.get("incidents", ())), tuple(table.get("missile_types", ())),
                                   lines.find("id", "judgement_calls", n)))
    return calls


def _check_vocabularies(raw: dict[str, Any], problem: Any) -> dict[str, Mapping[str, str]]:
    """[vocabularies.*] -> {name: {key: label}}; all four must be present, labels text."""
    result: dict[str, Mapping[str, str]] = {}
    for name in raw:
        if name not in VOCABULARIES:
            problem(name, f"unknown vocabulary `{name}`.{did_you_mean(name, tuple(VOCABULARIES))}",
                    f"vocabularies.{name}")
    for name in VOCABULARIES:
        table = raw.get(name)
        section = f"vocabularies.{name}"
        if not isinstance(table, dict) or not table:
            problem(name, f"missing [{section}]: add a table of key = \"Label\" pairs", section)
            continue
        for key, label in table.items():
            if not isinstance(label, str):
                problem(key, f"label of `{key}` in [{section}] must be text", section)
        for word in REQUIRED_WORDS.get(name, ()):
            if word not in table:
                problem(name, f"[{section}] must define `{word}`", section)
        result[name] = MappingProxyType({k: str(v) for k, v in table.items()})
    return result


def _check_sites(data: dict[str, Any], lines: _KeyLines) -> Gazetteer:
    """launch-sites.toml's [[sites]] tables -> the Gazetteer; SiteError with every problem."""
    problems: list[Problem] = []

    def problem(key: str, message: str, section: str = "sites", occurrence: int = 0) -> None:
        problems.append(Problem(SITES_FILE, lines.find(key, section, occurrence), key, message))

    for key in data.keys() - {"sites"}:
        problem(key, f"unknown key `{key}`: {SITES_FILE} holds only [[sites]] tables", "")
    tables = data.get("sites", [])
    if not isinstance(tables, list):
        problem("sites", "`sites` must be a list of [[sites]] tables", "")
        tables = []
    sites, owners = [], {}
    for n, table in _tables(tables, "sites", SITE_KEYS, problem):
        values = {key: table.get(key, spec.default) for key, spec in SITE_KEYS.items()}
        for key, name in [("name", values["name"])] + [("aliases", alias) for alias in values["aliases"]]:
            owner, number = owners.setdefault(normal(name), (values["name"], n))
            if normal(name) in ("", UNKNOWN):
                problem(key, f"`{name}` cannot name a site: notes write `Unknown` when the site is not known", "sites",
                        n)
            elif number != n:
                problem(key, f"`{name}` already names the site `{owner}`: a name or alias belongs to one site", "sites",
                        n)
        position = (values["latitude"], values["longitude"])
        if (position[0] is None) != (position[1] is None):
            problem("latitude", "give both `latitude` and `longitude`, or neither", "sites", n)
        elif position[0] is not None and not all(math.isfinite(x) and abs(x) <= limit
                                                  for x, limit in zip(position, (90, 180), strict=True)):
            problem("latitude", f"`latitude` and `longitude` must be degrees, within ±90 and ±180: not {position}",
                    "sites", n)
        else:
            sites.append(LaunchSite(values["name"], values["province"], *(None if x is None else float(x)
                                    for x in position), tuple(values["aliases"]), values["area"], values["source"]))
    if problems:
        raise SiteError(problems)
    return Gazetteer(tuple(sites))


def _is(value: Any, kind: type) -> bool:
    """Type check that keeps booleans apart from numbers and dates apart from datetimes."""
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, kind)


def describe(kind: type) -> str:
    """A type's name as an editor would say it."""
    names = {str: "text in quotes", int: "a whole number", dt.date: "a date like 1984-01-01",
             dt.datetime: "a date and time with offset", list: "a list", dict: "a table",
             bool: "true or false", float: "a number"}
    return names.get(kind, kind.__name__)
