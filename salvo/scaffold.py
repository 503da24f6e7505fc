"""`new`: scaffold an incident note with every field of the schema, as a draft, checking the values given at once.

As Hugo's archetypes do, the note starts as a draft (`draft: true`): `build` leaves it out, `serve` shows it with
a draft banner, and `check` lists it as unfinished, so a new note never stops the site from building. The note is
built as text, parsed and validated exactly as `build --drafts` would: a value given (on the command line or in
answer to a prompt) that `build` would refuse is refused at once, while the required fields left blank -- above
all the sources, left as a TODO entry -- are listed for the editor to fill in. A launch site known to the
gazetteer (launch-sites.toml) fills in its canonical name, province and coordinates.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from salvo.config import SiteConfig, load_config
from salvo.errors import Problem, SiteError
from salvo.model import LAUNCH
from salvo.notes import CONTENT, parse_note, read_note
from salvo.options import today
from salvo.schema import INCIDENT
from salvo.sites import SITES_FILE
from salvo.slugs import slugify
from salvo.validate import validate_note

FOLDER = f"{CONTENT}/incidents"
MAX_SLUG = 60
FIELD = {f.name: f for f in INCIDENT}
# Fields an editor adds by hand start with the schema's defaults (as lists, in YAML), and as a draft.
DEFAULTS: dict[str, Any] = {f.name: list(f.default) if isinstance(f.default, tuple) else f.default
                            for f in INCIDENT if f.default is not None} | {"draft": True}
SOURCES_TODO = (
    "sources:  # required, at least one: TODO fill in this entry; the note cannot be published without it\n"
    "  - title: null  # TODO: the source's title, e.g. \"Press release on the launch\"\n"
    "    publisher: null  # TODO: who published it, e.g. \"Japan Ministry of Defense\"\n"
    "    url: null  # TODO: its address, https://...\n"
)
BODY = ("<!-- Replace this comment with a short factual account in your own words, in Markdown. "
        "Comments are never published. -->\n")
def new_note(args: argparse.Namespace) -> int:
    """Scaffold content/incidents/YYYY-MM-DD-slug.md from the arguments (or answers); return the exit code."""
    if args.title is None and not sys.stdin.isatty():
        args.usage_error("the incident's title is required (run it in a terminal to be asked for it)")
    source: Path = args.source
    config = load_config(source)
    values = given_values(args)
    if args.title is None:
        try:
            values = ask(values, config, source)
        except EOFError:
            print("\nCancelled: nothing was written.", file=sys.stderr)
            return 1
    values.setdefault("date", today().isoformat())
    values = with_site(values, config)
    stem, duplicate = place(values, source, config)
    rel = f"{FOLDER}/{stem}.md"
    text = note_text(values, config)
    problems, blanks = judge(text, rel, config)
    if problems:
        raise SiteError(problems)
    if duplicate:
        print(f"{duplicate}: already records \"{values['title']}\" on {values['date']}"
              f"{' at ' + str(values['time']) if values.get('time') else ''}: edit that note instead, or give the "
              "new incident a title of its own. Nothing was written.", file=sys.stderr)
        return 1
    path = source / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        print(f"{rel}: the note already exists; refusing to overwrite it. Nothing was written.", file=sys.stderr)
        return 1
    print(path)
    print(f"Created {rel} as a draft: `build` leaves it out until you set `draft: false`, `serve` shows it. "
          f"Fill in {', '.join(blanks) or 'what you know'} first; blanks marked null may stay null when unknown.",
          file=sys.stderr)
    return 0


def given_values(args: argparse.Namespace) -> dict[str, Any]:
    """The front-matter values given on the command line, numbers read as numbers."""
    values: dict[str, Any] = {}
    for spec in INCIDENT:
        value = getattr(args, spec.option.flag if spec.option else spec.name, None)  # the title and --kind too
        if value is not None:
            values[spec.name] = convert(spec.name, value)
    return values


def with_site(values: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
    """The values with the canonical name of their launch site, and its province and coordinates where not given,
    when the gazetteer knows the site."""
    site = config.sites.find(values.get("launch_site")) if config.sites else None
    if site is None:
        return values
    known = {"launch_site": site.name, "province": site.province, "latitude": site.latitude,
             "longitude": site.longitude}
    return values | {key: value for key, value in known.items()
                     if value is not None and (key == "launch_site" or key not in values)}


def convert(key: str, text: str) -> Any:
    """A command-line string as the front-matter value it stands for (text stays text for validation to judge)."""
    text = text.strip()
    if not FIELD[key].numeric:
        return text
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        if math.isfinite(number):
            return number
    return text


def note_text(values: dict[str, Any], config: SiteConfig) -> str:
    """The note file: every incident field in schema order, each with a comment, then a commented-out body."""
    words = {name: " | ".join(vocabulary) for name, vocabulary in config.vocabularies.items()}
    words["sites"] = f"a name or alias from {SITES_FILE}" if config.sites else "text"
    lines = ["---\n"]
    for spec in INCIDENT:
        if spec.name == "sources":
            lines.append(SOURCES_TODO)
            continue
        value = values.get(spec.name, DEFAULTS.get(spec.name))
        lines.append(f"{spec.name}: {scalar(value)}  # {spec.comment.format(**words)}\n")
    return "".join(lines) + "---\n" + BODY


def scalar(value: Any) -> str:
    """A value as YAML: JSON, with every character YAML would refuse or fold written as an escape."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                   for c in json.dumps(value, ensure_ascii=False))


def judge(text: str, rel: str, config: SiteConfig) -> tuple[list[Problem], list[str]]:
    """Validate the draft as `build --drafts` would: its problems, and the required fields still to fill in."""
    raw, problems = parse_note(text, rel)
    if raw is None:  # cannot happen with JSON-quoted values, but never write a note `build` cannot read
        return problems, []
    note, problems = validate_note(raw, config, today())
    return problems, list(getattr(note, "unfinished", ()))


def place(values: dict[str, Any], source: Path, config: SiteConfig) -> tuple[str, str | None]:
    """A free stem for the note, and the path of a note already recording the same incident, if any."""
    date = str(values["date"])
    base = f"{slugify(date)}-{slug_base(values)}"
    folder = source / FOLDER
    duplicate = None
    for path in sorted(folder.glob(f"{slugify(date)}-*.md")):
        raw, _ = read_note(path, source, config.max_note_kb * 1024)
        if raw is not None and same_incident(raw.values, raw.front.raw, values):
            duplicate = raw.rel
            break
    stem, n = base, 2
    while (folder / f"{stem}.md").exists():
        stem, n = f"{base}-{n}", n + 1
    return stem, duplicate


def same_incident(theirs: dict[str, Any], raw: dict[str, str], ours: dict[str, Any]) -> bool:
    """Whether an existing note has the same date, title and time as the new one."""
    date = theirs.get("date")
    date = date.isoformat() if hasattr(date, "isoformat") else str(date)
    time = None if theirs.get("time") is None else raw.get("time", str(theirs.get("time")))
    return (date == str(ours["date"]) and _normal(theirs.get("title")) == _normal(ours.get("title"))
            and time == ours.get("time"))


def _normal(text: Any) -> str:
    """Text compared without regard to case or spacing."""
    return " ".join(str(text).split()).casefold()


def slug_base(values: dict[str, Any]) -> str:
    """The slug part of the file name: from the title, or else the missile name, cut at a word near 60 characters."""
    for text in (values.get("title"), values.get("missile_name")):
        slug = slugify(str(text)) if text else ""
        if slug and slug != "untitled":
            return slug if len(slug) <= MAX_SLUG else slug[:MAX_SLUG].rsplit("-", 1)[0]
    return "incident"


def ask(values: dict[str, Any], config: SiteConfig, source: Path) -> dict[str, Any]:
    """Ask for the essentials not given on the command line, checking each answer as it comes."""
    values = dict(values)
    launch = values.get("kind", LAUNCH) == LAUNCH
    day = today().isoformat()
    questions = [
        ("title", "Title (required)"),
        ("date", f"Date in Korea, YYYY-MM-DD [{day}]"),
        ("time", "Time in Korea, HH:MM (blank if unknown)"),
    ]
    if launch:
        questions += [("missile_type", f"Missile type, one of {', '.join(config.vocabularies['missile_types'])} "
                                       "(blank if unknown)"),
                      ("count", "Number of missiles (blank if unknown)")]
    questions.append(("launch_site", "Launch site (blank if unknown)"))
    print(f"New incident note in {source / FOLDER}/ (Ctrl-D to cancel)", file=sys.stderr)
    for key, question in questions:
        if key in values:
            continue
        while True:
            answer = input(f"{question}: ").strip()
            if not answer:
                if key == "title":
                    print("  A title is needed: it names the note and its page.", file=sys.stderr)
                    continue
                if key == "date":
                    answer = day
                else:
                    break
            trial = {**values, key: convert(key, answer)}
            trial.setdefault("date", day)
            text = note_text(trial, config)
            problems, _ = judge(text, f"{FOLDER}/{slugify(str(trial['date']))}-x.md", config)
            if not problems:
                values[key] = trial[key]
                break
            for problem in problems:
                print(f"  {problem.message}", file=sys.stderr)
    return values

