"""site.toml -> a frozen SiteConfig, with every problem reported together."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from salvo.errors import Problem, SiteError, did_you_mean
from salvo.slugs import slugify

CONFIG_FILE = "site.toml"
VOCABULARIES = ("missile_types", "outcomes", "record_statuses", "context_kinds")
REQUIRED_WORDS = {"record_statuses": ("supplement", "editor"), "outcomes": ("unknown",)}
PERIOD_KEYS = {"name": str, "label": str, "party": str, "start": dt.datetime, "end": dt.datetime}
CALL_KEYS = {"id": str, "title": str, "explanation": str, "incidents": list, "missile_types": list}
TOP_KEYS: dict[str, type] = {
    "title": str,
    "subtitle": str,
    "description": str,
    "base_url": str,
    "language": str,
    "author": str,
    "record_start": dt.date,
    "compare_from": dt.date,
    "complete_to": dt.date,
    "max_note_kb": int,
    "feed_entries": int,
    "periods": list,
    "judgement_calls": list,
    "vocabularies": dict,
}
OPTIONAL = {"subtitle": "", "author": "", "complete_to": None, "max_note_kb": 1024, "feed_entries": 30,
            "judgement_calls": []}


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

    @property
    def base_path(self) -> str:
        """The path the site is served under, e.g. "/" or "/salvo/"."""
        return urlsplit(self.base_url).path or "/"


def load_config(source: Path, base_url: str | None = None) -> SiteConfig:
    """Read and check site.toml in the source folder; raise SiteError listing every problem."""
    path = source / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError([Problem(CONFIG_FILE, 1, "", f"no {CONFIG_FILE} in {source}: is --source the site's folder?")]
                        ) from None
    except UnicodeDecodeError:
        raise SiteError([Problem(CONFIG_FILE, 1, "", f"{CONFIG_FILE} is not UTF-8 text: save it as UTF-8")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        raise SiteError([Problem(CONFIG_FILE, line, "", f"invalid TOML: {error}")]) from None
    if base_url is not None:
        data["base_url"] = base_url
    return _check(data, _KeyLines(text))


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
    for key, kind in TOP_KEYS.items():
        if key not in data:
            if key in OPTIONAL:
                values[key] = OPTIONAL[key]
            else:
                problems.append(Problem(CONFIG_FILE, 1, key, f"missing key `{key}`: add it to {CONFIG_FILE}"))
            continue
        value = data[key]
        if not _is(value, kind):
            problem(key, f"`{key}` must be {_describe(kind)}, not {_describe(type(value))}")
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


def _tables(raw: list[Any], section: str, keys: dict[str, type], required: tuple[str, ...], problem: Any
            ) -> Iterator[tuple[int, dict[str, Any]]]:
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
        for key, kind in keys.items():
            value = table.get(key)
            if value is None:
                if key in required:
                    problem(key, f"[[{section}]] number {n + 1} needs `{key}`", section, n)
                    bad = True
            elif not _is(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
                example = ", e.g. 2025-01-20T12:00:00-05:00" if kind is dt.datetime else ""
                problem(key, f"`{key}` must be {_describe(kind)}{' of text' if kind is list else ''}{example}",
                        section, n)
                bad = True
            elif kind is dt.datetime and value.tzinfo is None:
                problem(key, f"`{key}` needs a UTC offset, e.g. 2025-01-20T12:00:00-05:00", section, n)
                bad = True
        if not bad:
            yield n, table


def _check_periods(raw: list[Any], problem: Any) -> list[Period]:
    """Each [[periods]] table -> a Period; terms must be in order, not overlap, and only the last open."""
    periods: list[Period] = []
    if not raw:
        problem("periods", "no [[periods]] defined: add at least one administration with name, label, start")
    for n, table in _tables(raw, "periods", PERIOD_KEYS, ("name", "label", "start"), problem):
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
    for n, table in _tables(raw, "judgement_calls", CALL_KEYS, ("id", "title", "explanation"), problem):
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
            problem(name, f"unknown vocabulary `{name}`.{did_you_mean(name, VOCABULARIES)}", f"vocabularies.{name}")
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


def _is(value: Any, kind: type) -> bool:
    """Type check that keeps booleans apart from numbers and dates apart from datetimes."""
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, kind)


def _describe(kind: type) -> str:
    """A type's name as an editor would say it."""
    names = {str: "text in quotes", int: "a whole number", dt.date: "a date like 1984-01-01",
             dt.datetime: "a date and time with offset", list: "a list", dict: "a table",
             bool: "true or false", float: "a number"}
    return names.get(kind, kind.__name__)
