"""`import FILE.csv`: rows of the launch record or the context file -> notes, safe to run again.

Each row becomes a note whose front matter carries the row's facts and whose body is a short account
written from those facts. A row whose note already exists (same event_id; for context events the same
date and kind) is never overwritten: differences are reported for an editor to judge. Rows that would
make invalid notes get the same `path:line: message` errors as notes, and nothing is written for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from salvo.config import SiteConfig, load_config
from salvo.errors import Problem, SiteError
from salvo.model import LAUNCH, NUCLEAR_TEST
from salvo.notes import CONTENT, RawNote, parse_bytes, read_note, too_large
from salvo.options import today
from salvo.progress import progress
from salvo.render import day_label, number, plural
from salvo.schema import INCIDENT, Field
from salvo.slugs import slugify
from salvo.validate import validate_note

LAUNCH_COLUMNS = {"date", "time_local", "missile_type", "missile_name", "count", "launch_site", "province",
                  "distance_km", "apogee_km", "landing", "outcome", "event_id", "source_urls", "record_status"}
CONTEXT_COLUMNS = {"date", "kind", "title", "detail", "source"}
CNS_URL = "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/"
PUBLISHERS = {
    "nti.org": "Nuclear Threat Initiative", "bloomberg.com": "Bloomberg", "straitstimes.com": "The Straits Times",
    "astronautix.com": "Encyclopedia Astronautica", "nytimes.com": "The New York Times",
    "wsj.com": "The Wall Street Journal",
    "reuters.com": "Reuters", "bbc.com": "BBC", "bbc.co.uk": "BBC", "cnn.com": "CNN", "washingtonpost.com":
    "The Washington Post", "theguardian.com": "The Guardian", "yna.co.kr": "Yonhap", "en.yna.co.kr": "Yonhap",
    "mod.go.jp": "Japan Ministry of Defense", "kcna.kp": "KCNA", "kcnawatch.org": "KCNA Watch", "github.com": "GitHub",
    "apnews.com": "Associated Press", "nknews.org": "NK News", "38north.org": "38 North", "armscontrol.org":
    "Arms Control Association", "cfr.org": "Council on Foreign Relations", "csis.org": "CSIS",
    "twitter.com": "X (Twitter)", "x.com": "X (Twitter)", "mnd.go.kr": "South Korea Ministry of National Defense",
    "un.org": "United Nations", "yonhapnews.co.kr": "Yonhap", "jcs.mil.kr": "South Korea Joint Chiefs of Staff",
}
NAGIX_URL = "https://github.com/nagix/nk-missile-tests"
SKIPPED_NOTES = ("launch time unknown", "date as recorded by the source")
# What a missile class is called in a sentence, when its code is not a noun by itself.
NOUNS = {"Unknown": "missile", "SLV": "satellite launch vehicle", "cruise": "cruise missile"}
NAMES = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


@dataclass(frozen=True)
class Planned:
    """A note the importer would write for one row."""

    line: int
    key: str
    folder: str
    stem: str
    front: dict[str, Any]
    body: str

    def text(self) -> str:
        """The note file: YAML front matter (JSON-style scalars, always quoted text) and the body."""
        return "---\n" + "".join(_yaml_field(k, v) for k, v in self.front.items()) + "---\n" + self.body + "\n"


def run_import(source: Path, csv_path: Path) -> int:
    """Import the rows of one CSV file into content/; return the exit code. Every row is checked before anything
    is written: one row that would make an invalid note, and nothing is."""
    config = load_config(source)
    header, rows, problems = read_rows(csv_path)
    if header is None:
        return _report(problems)
    if set(header) >= LAUNCH_COLUMNS:
        shape = launch_note
    elif set(header) >= CONTEXT_COLUMNS:
        shape = context_note
    else:
        return _report([Problem(str(csv_path), 1, "", "the columns match neither the launch record "
                                f"({', '.join(sorted(LAUNCH_COLUMNS))}) nor the context file "
                                f"({', '.join(sorted(CONTEXT_COLUMNS))})")])
    existing, taken = _existing_notes(source, config), _taken_names(source)
    new: list[tuple[Planned, str]] = []
    differences: list[str] = []  # printed once the progress line is gone
    present, refused = 0, {p.line for p in problems}
    for line, row in progress(rows, f"Checking {csv_path.name}"):
        plan = shape(row, line)
        if plan.key in existing:
            rel, values = existing[plan.key]
            present += 1
            differences += [f"{rel}: `{field}` differs from {csv_path.name} line {line}: note has {theirs!r}, "
                            f"record has {ours!r} (the note is kept)" for field, ours, theirs in
                            _differences(plan.front, values)]
            continue
        stem = _free_stem(plan.stem, plan.folder, taken)
        rel = f"{CONTENT}/{plan.folder}/{stem}.md"
        plan, found = _checked(plan, rel, config)
        if found:
            refused.add(line)
            problems += [Problem(str(csv_path), line, p.field, f"{p.message} (row for {rel})") for p in found]
            continue
        taken.add(_name_key(f"{plan.folder}/{stem}.md"))
        existing[plan.key] = (rel, plan.front)
        new.append((plan, stem))
    for difference in differences:
        print(difference)
    if problems:
        return _report(sorted(problems, key=lambda p: p.line), f"{csv_path.name}: {plural(len(refused), 'row')} "
                       "refused, so no note was written (fix the rows and import again)")
    for plan, stem in new:
        _create(source, plan, stem, taken)
    print(f"Imported {csv_path.name}: {plural(len(new), 'note')} added, {present} already present, "
          f"{plural(len(differences), 'difference')} reported.")
    return 0


def read_rows(csv_path: Path) -> tuple[list[str] | None, list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header, each whole row with the line it starts on, and a problem for each row that cannot be read;
    no header (None) when the file cannot be read at all. A byte-order mark (Excel's "CSV UTF-8") is allowed."""
    name, rows, problems = str(csv_path), [], []
    limit = csv.field_size_limit()
    try:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            # A field can be as long as the file: notes over max_note_kb are refused as `build` refuses them.
            csv.field_size_limit(max(limit, os.fstat(handle.fileno()).st_size))
            reader = csv.reader(handle)
            header = next(reader, [])
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    problems.append(Problem(name, line, "", f"cannot read the row as CSV ({error}): check its quotes"))
                    continue
                if len(cells) != len(header):
                    problems.append(Problem(name, line, "", f"the row has {len(cells)} fields where the header has "
                                            f"{len(header)}: quote every field that holds a comma or a line break"))
                elif any(cells):
                    rows.append((line, dict(zip(header, cells, strict=True))))
    except (OSError, UnicodeDecodeError) as error:
        return None, [], [Problem(name, 1, "", f"cannot read the CSV file ({error}): give a UTF-8 CSV file")]
    finally:
        csv.field_size_limit(limit)
    return header, rows, problems


def _report(problems: list[Problem], summary: str = "") -> int:
    """Print the problems (and a closing line) on stderr; the exit code for them."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if summary:
        print(summary, file=sys.stderr)
    return 1


def _checked(plan: Planned, rel: str, config: SiteConfig) -> tuple[Planned, list[Problem]]:
    """The plan with its account written, or the problems its note file would have, exactly as `build` would
    report them (from the file's bytes: control characters, size and all)."""
    raw, problems = parse_bytes(rel, plan.text().encode())
    if raw is not None:
        problems = validate_note(raw, config, today())[1]
    if problems:
        return plan, problems
    if not plan.body:  # launch accounts are written only from rows that passed validation
        plan = replace(plan, body=_launch_body(plan.front, len(plan.front["date"]) == 7))
    size, limit = len(plan.text().encode()), config.max_note_kb * 1024
    return plan, [too_large(rel, size, limit)] if size > limit else []


def _name_key(name: str) -> str:
    """A file name as a case-insensitive file system compares it (macOS's and Windows's defaults): without case,
    and in one Unicode normalisation (APFS keeps é as typed, precomposed or not, and finds it either way)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _taken_names(source: Path) -> set[str]:
    """The names already used in content/incidents/ and content/context/, compared as `_name_key` does."""
    folders = [source / CONTENT / folder for folder in ("incidents", "context")]
    return {_name_key(f"{folder.name}/{p.name}") for folder in folders if folder.is_dir() for p in folder.iterdir()}


def _create(source: Path, plan: Planned, stem: str, taken: set[str]) -> None:
    """Write a new note, created exclusively: a file that has its name already (made since the folder was read,
    or one that the file system takes for it) is never replaced; the next free name is used instead."""
    folder = source / CONTENT / plan.folder
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            with (folder / f"{stem}.md").open("x", encoding="utf-8") as handle:
                handle.write(plan.text())
            return
        except FileExistsError:
            taken.add(_name_key(f"{plan.folder}/{stem}.md"))
            stem = _free_stem(plan.stem, plan.folder, taken)


def _existing_notes(source: Path, config: SiteConfig) -> dict[str, tuple[str, dict[str, Any]]]:
    """Notes already in content/, by the key a row would have: event_id, or date and kind for context."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for folder in ("incidents", "context"):
        for path in sorted((source / CONTENT / folder).glob("*.md")):
            raw, _ = read_note(path, source, config.max_note_kb * 1024)
            if raw is not None:
                found.setdefault(_key_of(raw), (raw.rel, raw.values))
    return found


def _key_of(raw: RawNote) -> str:
    """The matching key of an existing note."""
    values = raw.values
    if raw.section == "incidents" and values.get("event_id"):
        return str(values["event_id"])
    return f"{raw.section}:{values.get('date')}:{values.get('kind')}"


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """Fields whose value in the record differs from the note's (lists and bodies are the editors')."""
    for field, value in ours.items():
        if field in ("title", "caveats", "sources", "tags", "draft"):
            continue
        other = theirs.get(field)
        if isinstance(other, dt.date):
            other = other.isoformat()
        if _same(value, other):
            continue
        yield field, value, other


def _same(a: Any, b: Any) -> bool:
    """Equal, counting 933 and 933.0 as the same number."""
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _free_stem(stem: str, folder: str, taken: set[str]) -> str:
    """The stem, or the stem with -2, -3... if a file in the folder already has its name, in any case."""
    candidate, n = stem, 2
    while _name_key(f"{folder}/{candidate}.md") in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


def launch_note(row: dict[str, str], line: int) -> Planned:
    """A launch row -> an incident note."""
    month_only = row.get("date_precision") == "month"
    name = _blank(row["missile_name"])
    kind_word = row["missile_type"]
    site = _blank(row["launch_site"])
    count = _int(row["count"])
    made = {"title": _launch_title(name, kind_word, count, site), "kind": LAUNCH,
            "caveats": _caveats(row, month_only), "sources": _sources(row["source_urls"]), "tags": [], "draft": False}
    front = {f.name: made[f.name] if f.name in made else _cell(f, row.get(f.imported or "", ""))
             for f in INCIDENT if f.name in made or f.imported}
    stem = f"{row['date']}-{slugify(name if name and name != 'Unknown' else kind_word)}"
    return Planned(line, row["event_id"], "incidents", stem, front, "")


def context_note(row: dict[str, str], line: int) -> Planned:
    """A context row -> a context note, or an incident note for a nuclear test."""
    sources = _sources(row["source"])
    if row["kind"] == NUCLEAR_TEST:
        date = row["date"]
        front: dict[str, Any] = {
            "title": row["title"], "date": date, "time": _blank(row.get("time_local", "")), "kind": NUCLEAR_TEST,
            "launch_site": "Punggye-ri Nuclear Test Site", "province": "North Hamgyong Province",
            "record_status": "editor", "event_id": f"nk-nuclear-{date.replace('-', '')}",
            "yield_kt": _blank(row.get("yield_kt", "")), "seismic_magnitude": _num(row.get("seismic_magnitude", "")),
            "caveats": ["Yields are published estimates and vary widely between sources."],
            "sources": sources, "tags": ["nuclear test"], "draft": False,
        }
        body = (f"North Korea detonated a nuclear device underground at the Punggye-ri test site on "
                f"{day_label(date)}. {row['detail']}")
        return Planned(line, front["event_id"], "incidents", f"{date}-{slugify(row['title'])}", front, body)
    front = {"title": row["title"], "date": row["date"], "end_date": _blank(row.get("end_date", "")),
             "kind": row["kind"], "sources": sources, "tags": [], "draft": False}
    return Planned(line, f"context:{row['date']}:{row['kind']}", "context", f"{row['date']}-{slugify(row['title'])}",
                   front, row["detail"])


def _launch_title(name: str | None, kind: str, count: int | None, site: str | None) -> str:
    """A plain title: what was launched, how many, and from where."""
    if name and name != "Unknown":
        what = name
    else:
        what = f"unidentified {kind}" if kind != "Unknown" else "unidentified missile"
    many = f"{NAMES.get(count, count)} {what} launches" if count and count > 1 else what
    place = f" from {site}" if site and site != "Unknown" else ""
    return f"{many[0].upper()}{many[1:]}{place}"


def _launch_body(front: dict[str, Any], month_only: bool) -> str:
    """A short factual account built from the row's fields."""
    when = f"In {day_label(front['date'] + '-01')[2:].strip()}" if month_only else f"On {day_label(front['date'])}"
    if front["time"]:
        when += f" at {front['time']} Korea time"
    count = front["count"]
    what = NOUNS.get(front["missile_type"], front["missile_type"])
    name = front["missile_name"] if front["missile_name"] not in (None, "Unknown") else None
    amount = f"{NAMES.get(count) or number(count)} " if count else "one or more "
    plural = "s" if count != 1 else ""
    named = f" ({name})" if name else ""
    site = front["launch_site"] if front["launch_site"] not in (None, "Unknown") else "an unidentified site"
    province = f" in {front['province']}" if front["province"] else ""
    sentences = [f"{when}, North Korea launched {amount}{what}{plural}{named} from {site}{province}."]
    if not count:
        sentences.append("The record does not say how many.")
    flight = []
    if front["distance_km"] is not None:
        flight.append(f"flew about {number(front['distance_km'])} km")
    if front["apogee_km"] is not None:
        flight.append(f"reached an apogee of about {number(front['apogee_km'])} km")
    # "Sea of Japan (East Sea) / unknown": where some missiles came down, and that the record lacks the others'.
    places = [p.strip() for p in (front["landing"] or "").split("/")]
    waters = " and the ".join(p for p in places if p.startswith(("Sea", "Yellow", "Pacific")))
    every = waters and all(p.startswith(("Sea", "Yellow", "Pacific")) for p in places)
    if flight:
        subject = "It" if count == 1 else "The longest flight"
        sentences.append(f"{subject} {' and '.join(flight)}{f', coming down in the {waters}' if every else ''}.")
    else:
        sentences.append("The record gives neither the distance flown nor the apogee.")
    if waters and not every:
        sentences.append(f"It may have come down in the {waters}." if count == 1 else
                         f"At least one came down in the {waters}; the record does not say where the others did.")
    if front["overflew_japan"]:
        sentences.append("The flight passed over the Japanese home islands.")
    outcome = {"success": "a success", "failure": "a failure", "mixed": "partly successful"}.get(front["outcome"])
    sentences.append(f"The record counts it {outcome}." if outcome else "Its outcome is not known.")
    if front["hypersonic"] == "claimed":
        sentences.append("North Korea described the weapon as hypersonic.")
    elif front["hypersonic"] == "confirmed":
        sentences.append("The missile carried a manoeuvring or gliding warhead of the hypersonic kind.")
    return " ".join(sentences)


def _caveats(row: dict[str, str], month_only: bool) -> list[str]:
    """What a reader should know about the row's figures."""
    caveats = []
    if month_only:
        caveats.append("Only the month is known; the day is not.")
    if row["record_status"] == "nagix_preliminary":
        caveats.append("Preliminary figures, not yet checked against the CNS database.")
    if row["record_status"] == "supplement":
        caveats.append("From news reports, outside the ballistic record: not counted in the comparisons.")
    if not row["count"]:
        caveats.append("Officials gave no number of missiles.")
    caveats += [n.strip() for n in row.get("notes", "").split(";") if n.strip() and n.strip() not in SKIPPED_NOTES]
    return list(dict.fromkeys(caveats))


def _sources(cell: str) -> list[dict[str, str]]:
    """' | '-separated URLs -> sources with a publisher and a title derived from each URL."""
    urls = []
    for part in cell.split("|"):
        urls += [u for u in re.split(r"(?=https?://)", part.strip()) if u]
    sources = []
    for url in dict.fromkeys(u.strip() for u in urls):
        if url == CNS_URL:
            sources.append({"title": "CNS North Korea Missile Test Database",
                            "publisher": "James Martin Center for Nonproliferation Studies (for NTI)", "url": url})
            continue
        if url.startswith(NAGIX_URL):
            sources.append({"title": "North Korea Missile Test Visualization data (nk-missile-tests)",
                            "publisher": "Akihiko Kusanagi (nagix), on GitHub", "url": url})
            continue
        host = urlsplit(url).netloc.lower().removeprefix("www.")
        publisher = PUBLISHERS.get(host) or PUBLISHERS.get(".".join(host.split(".")[-2:])) or host
        sources.append({"title": _title_from_url(url, publisher), "publisher": publisher, "url": url})
    return sources


def _title_from_url(url: str, publisher: str) -> str:
    """A readable title from the words in a URL's path, or a plain description when it has none."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    words = max((re.sub(r"\.\w{2,5}$", "", s) for s in segments), key=lambda s: s.count("-") + s.count("_"),
                default="")
    noise = re.compile(r"[0-9a-f]*\d[0-9a-f]{5,}|\d{5,}|\d{1,3}")  # ids and page numbers, not words
    parts = [w for w in re.split(r"[-_+]", words) if w and not noise.fullmatch(w)]
    if len(parts) >= 3:
        text = " ".join(parts)
        return text[0].upper() + text[1:]
    return f"Report by {publisher}"


def _cell(spec: Field, cell: str) -> Any:
    """A CSV cell as the value of a front-matter field, read by the field's rule."""
    if spec.imported_words:
        return dict(spec.imported_words).get(cell.strip(), spec.default)
    if spec.rule == "count":
        return _int(cell)
    return _num(cell) if spec.numeric else _blank(cell)


def _blank(value: str | None) -> str | None:
    """None for an empty cell."""
    value = (value or "").strip()
    return value or None


def _int(value: str) -> int | str | None:
    """A whole number, None for an empty or unknown cell, or the text itself for validation to reject."""
    result = _num(value)
    return int(result) if isinstance(result, float) and result.is_integer() else result  # type: ignore[return-value]


def _num(value: str) -> int | float | str | None:
    """A number (whole when it is whole), None for an empty or unknown cell, or the text for validation to reject."""
    value = value.strip()
    if value.lower() in ("", "unknown"):
        return None
    try:
        number_ = float(value)
    except ValueError:
        return value
    return int(number_) if number_.is_integer() else number_


def _yaml_field(key: str, value: Any) -> str:
    """One front-matter field; JSON scalars are valid YAML and always quote text."""
    if isinstance(value, list):
        if not value:
            return f"{key}: []\n"
        if all(isinstance(v, dict) for v in value):
            items = "".join("  - " + "\n    ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}"
                                                   for k, v in item.items()) + "\n" for item in value)
            return f"{key}:\n{items}"
        return f"{key}:\n" + "".join(f"  - {json.dumps(v, ensure_ascii=False)}\n" for v in value)
    return f"{key}: {json.dumps(value, ensure_ascii=False)}\n"


__all__ = ["SiteError", "run_import"]
