"""site.toml -> a frozen SiteConfig, with every problem reported together."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
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
TOP_KEYS: dict[str, type] = {
    "title": str,
    "subtitle": str,
    "description": str,
    "base_url": str,
    "language": str,
    "author": str,
    "record_start": dt.date,
    "compare_from": dt.date,
    "max_note_kb": int,
    "feed_entries": int,
    "periods": list,
    "vocabularies": dict,
}
OPTIONAL = {"subtitle": "", "author": "", "max_note_kb": 1024, "feed_entries": 30}


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
class SiteConfig:
    """Everything site.toml says, checked and frozen."""

    title: str
    subtitle: str
    description: str
    base_url: str
    language: str
    author: str
    record_start: dt.date
    compare_from: dt.date
    max_note_kb: int
    feed_entries: int
    periods: tuple[Period, ...]
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
        compare_from=values["compare_from"],
        max_note_kb=values["max_note_kb"],
        feed_entries=values["feed_entries"],
        periods=periods,
        vocabularies=MappingProxyType(vocabularies),
    )


def _check_periods(raw: list[Any], problem: Any) -> list[Period]:
    """Each [[periods]] table -> a Period; terms must be in order, not overlap, and only the last open."""
    periods: list[Period] = []
    if not raw:
        problem("periods", "no [[periods]] defined: add at least one administration with name, label, start")
    for n, table in enumerate(raw):
        if not isinstance(table, dict):
            problem("periods", "`periods` must be a list of [[periods]] tables")
            continue
        bad = False
        for key in table:
            if key not in PERIOD_KEYS:
                problem(key, f"unknown key `{key}` in [[periods]].{did_you_mean(key, tuple(PERIOD_KEYS))}",
                        "periods", n)
                bad = True
        for key, kind in PERIOD_KEYS.items():
            value = table.get(key)
            if value is None:
                if key in ("name", "label", "start"):
                    problem(key, f"[[periods]] number {n + 1} needs `{key}`", "periods", n)
                    bad = True
            elif not _is(value, kind):
                problem(key, f"`{key}` must be {_describe(kind)}, e.g. 2025-01-20T12:00:00-05:00", "periods", n)
                bad = True
            elif kind is dt.datetime and value.tzinfo is None:
                problem(key, f"`{key}` needs a UTC offset, e.g. 2025-01-20T12:00:00-05:00", "periods", n)
                bad = True
        if bad:
            continue
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
