#!/usr/bin/env python3
"""Build one-row-per-launch-event CSVs from the raw North Korea missile test records.

Inputs (all under sources/, see README.md there):
  raw/cns_via_mesege1_dprk_missile_stats/north_korea_missile_test_database.csv
      CNS North Korea Missile Test Database (one row per missile), 1984 to 2023-04-12.
  raw/nagix_nk-missile-tests/{test,facility,missile}.en.json
      The same database as kept up to date by nagix/nk-missile-tests; used for the rows after
      the CNS copy ends, and to fill distances/apogees the CNS copy leaves blank.
  manual/facility_provinces.csv, manual/corrections.csv, manual/supplement_launches.csv
      Hand-made, each line with its reason and source.
  us_administrations.csv

Outputs:
  nk_launch_events.csv             CNS-scope ballistic missile and space launch events.
  nk_launch_events_supplement.csv  sourced launches outside that record (cruise missiles, a gap).

An event is one day's launch(es) of the same missile (name and class) from one facility.
Dates and times are Korea Standard Time (UTC+9), the clock Seoul's JCS and Tokyo report in.

Standard library only. Run: python3 normalize.py [--data DIR] [--quiet]
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

KST = timedelta(hours=9)
CNS_CSV = "raw/cns_via_mesege1_dprk_missile_stats/north_korea_missile_test_database.csv"
NAGIX_DIR = "raw/nagix_nk-missile-tests"
CNS_NAME = "CNS North Korea Missile Test Database (James Martin Center for Nonproliferation Studies, for NTI)"
NAGIX_REPO = "nagix/nk-missile-tests data/test.en.json"
CNS_URL = "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/"
NAGIX_URL = "https://github.com/nagix/nk-missile-tests"
# nagix rows from this date on carry the maintainer's preliminary figures, not CNS text.
NAGIX_PRELIMINARY_FROM = "2025-01-01"

COLUMNS = [
    # the columns asked for, in order
    "date", "time_local", "missile_type", "missile_name", "count", "launch_site", "province",
    "distance_km", "apogee_km", "landing", "outcome", "source",
    # extras
    "event_id", "date_precision", "date_utc", "time_utc", "hypersonic", "overflew_japan",
    "outcome_detail", "us_president", "facility_lat", "facility_lon", "record_status",
    "record_ids", "source_urls", "description", "notes",
]

PROVINCES = [  # (pattern in CNS 'Facility Location', canonical name); order matters
    ("north hamgyong", "North Hamgyong Province"), ("south hamgyong", "South Hamgyong Province"),
    ("north pyongan", "North Pyongan Province"), ("south pyongan", "South Pyongan Province"),
    ("north hwanghae", "North Hwanghae Province"), ("south hwanghae", "South Hwanghae Province"),
    ("kangwon", "Kangwon Province"), ("chagang", "Jagang Province"), ("jagang", "Jagang Province"),
    ("ryanggang", "Ryanggang Province"), ("pyongyang", "Pyongyang"),
]
LANDING = {
    "sea of japan or east sea": "Sea of Japan (East Sea)", "sea-of-japan": "Sea of Japan (East Sea)",
    "yellow sea or west sea": "Yellow Sea (West Sea)", "yellow-sea": "Yellow Sea (West Sea)",
    "pacific ocean": "Pacific Ocean", "pacific-ocean": "Pacific Ocean",
    "north-korea": "North Korea (on land)", "n/a": "n/a", "na": "n/a", "unknown": "unknown", "": "unknown",
}
HYPERSONIC_NAMES = re.compile(r"hwasong-(8|12a|12b|16a|16b|11e)\b", re.I)


@dataclass
class Row:
    """One missile, as either source records it, after field clean-up."""
    dataset: str            # "cns" or "nagix"
    record: str             # CNS F1 number, or nagix "date@facility#series"
    date_utc: str           # ISO date, or YYYY-MM when only the month is known
    time_utc: str           # HH:MM or ""
    missile_name: str
    missile_type: str
    facility_key: str
    launch_site: str
    province: str
    lat: str
    lon: str
    landing: str
    distance: float | None
    apogee: float | None
    outcome: str
    confirmation: str
    description: str
    status: str
    hypersonic: str = ""
    overflew_japan: str = ""
    urls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    local_date: str = ""
    local_time: str = ""


def number(value) -> float | None:
    """'1,380 km' -> 1380.0; unknown, n/a, blank, ranges and 0 -> None (0 is a placeholder there)."""
    text = str(value).strip().lower()
    if not text or text in {"unknown", "n/a", "na"} or text.startswith("between"):
        return None
    match = re.search(r"\d[\d,]*(\.\d+)?", text)
    if not match:
        return None
    result = float(match.group(0).replace(",", ""))
    return result or None


def fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def parse_cns_date(text: str) -> tuple[str, str]:
    """'9-Apr-84' -> ('1984-04-09', 'day'); 'Sep-84' -> ('1984-09', 'month')."""
    for fmt, precision in (("%d-%b-%y", "day"), ("%b-%y", "month")):
        try:
            parsed = datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        return (parsed.isoformat() if precision == "day" else parsed.strftime("%Y-%m")), precision
    raise ValueError(f"unreadable CNS date {text!r}")


def parse_cns_time(text: str) -> str:
    text = text.strip()
    if not text or text.lower() == "unknown":
        return ""
    return datetime.strptime(text, "%I:%M:%S %p").strftime("%H:%M")


def province_from_location(location: str) -> str:
    low = location.lower()
    return next((name for key, name in PROVINCES if key in low), "")


def clean_urls(text: str) -> list[str]:
    """CNS separates URLs with newlines, spaces or semicolons and leaves stray punctuation."""
    urls = (u.strip().rstrip(';,)"\'') for u in re.split(r"[\s;]+(?=http)|\s+", text))
    return [u for u in urls if u.startswith("http")]


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def load_corrections(data: Path) -> dict[tuple[str, str], list[dict[str, str]]]:
    table: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for line in read_csv(data / "manual/corrections.csv"):
        table[(line["dataset"], line["record"])].append(line)
    return table


def apply_corrections(row: Row, keys: list[str], corrections, used: set) -> None:
    for key in keys:
        for fix in corrections.get((row.dataset, key), []):
            used.add((row.dataset, key, fix["field"]))
            name, value = fix["field"], fix["value"]
            if name == "notes":
                row.notes.append(value)
            else:
                old = getattr(row, name)
                setattr(row, name, value)
                if name not in {"overflew_japan", "lat", "lon"}:
                    row.notes.append(f"{name} set to {value!r} (source had {old!r}): {fix['reason']}")
            row.urls += clean_urls(fix["source"].replace("|", " "))


def load_cns(data: Path, corrections, used: set) -> list[Row]:
    # The CNS export is Windows-1252/Latin-1 (degree signs, no-break spaces), not UTF-8.
    rows = []
    for line in read_csv(data / CNS_CSV, encoding="cp1252"):
        date_utc, precision = parse_cns_date(line["Date"])
        facility = line["Facility Name"].strip()
        row = Row(
            dataset="cns", record=line["F1"].strip(), date_utc=date_utc,
            time_utc=parse_cns_time(line["Launch Time (UTC)"]),
            missile_name=line["Missile Name"].strip() or "Unknown",
            missile_type=line["Missile Type"].strip() or "Unknown",
            facility_key=facility, launch_site=facility,
            province=province_from_location(line["Facility Location"]),
            lat=line["Facility Latitude"].strip(), lon=line["Facility Longitude"].strip(),
            landing=LANDING.get(line["Landing Location"].strip().lower(), line["Landing Location"].strip()),
            distance=number(line["Distance Travelled"]), apogee=number(line["Apogee"]),
            outcome=line["Test Outcome"].strip().lower() or "unknown",
            confirmation=line["Confirmation Status"].strip(),
            description=" ".join(line["Additional Information"].split()),
            status="cns",
            urls=clean_urls(line["Source(s)"]),
        )
        if precision == "month":
            row.notes.append("CNS gives only the month")
        if row.landing.startswith("330km east of Hachinohe"):
            row.landing = "Pacific Ocean"
        for label, raw in (("distance", line["Distance Travelled"]), ("apogee", line["Apogee"])):
            if raw.strip().lower().startswith("between"):
                row.notes.append(f"CNS {label}: {raw.strip()}")
        if row.missile_type == "HGV" or HYPERSONIC_NAMES.search(row.missile_name):
            row.hypersonic = "yes"
        apply_corrections(row, [row.record], corrections, used)
        rows.append(row)
    return rows


def nagix_time(text: str) -> str:
    match = re.match(r"(\d{1,2}):(\d{2}) \(UTC\)", str(text))
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else ""


def load_nagix(data: Path) -> tuple[list[dict], dict, dict]:
    tests = json.loads((data / NAGIX_DIR / "test.en.json").read_text(encoding="utf-8"))
    facilities = json.loads((data / NAGIX_DIR / "facility.en.json").read_text(encoding="utf-8"))["facilities"]
    missiles = json.loads((data / NAGIX_DIR / "missile.en.json").read_text(encoding="utf-8"))
    return [r for year in tests["timeBins"] for r in year["data"]], facilities, missiles


def check_alignment(cns: list[Row], nagix: list[dict]) -> None:
    """nagix keeps the CNS rows in the same order; the fill-in below relies on it."""
    for index, row in enumerate(cns):
        if nagix[index]["date"] != row.date_utc:
            sys.exit(f"nagix row {index} ({nagix[index]['date']}) does not match CNS F1={row.record} ({row.date_utc})")


def load_places(data: Path) -> dict[str, dict[str, str]]:
    return {r["facility"]: r for r in read_csv(data / "manual/facility_provinces.csv")}


def place_of(key: str, places, facilities) -> dict[str, str]:
    if key not in places:
        sys.exit(f"manual/facility_provinces.csv has no province for nagix facility {key!r}")
    return {"launch_site": places[key]["launch_site"] or facilities[key]["name"],
            "province": places[key]["province"],
            "lat": str(facilities[key]["lat"]), "lon": str(facilities[key]["lon"])}


def fill_from_nagix(cns: list[Row], nagix: list[dict], places, facilities, missiles) -> None:
    """Take from nagix what the older CNS copy leaves blank or unknown, and say so."""
    for row, other in zip(cns, nagix):
        for name in ("distance", "apogee"):
            theirs = number(other[name])
            a_range = any(n.startswith(f"CNS {name}: between") for n in row.notes)
            if getattr(row, name) is None and theirs is not None and not a_range:
                setattr(row, name, theirs)
                row.notes.append(f"{name} {fmt_number(theirs)} km from {NAGIX_REPO} (blank in the CNS copy)")
        if row.launch_site == "Unknown" and other["facility"] != "unknown":
            for name, value in place_of(other["facility"], places, facilities).items():
                setattr(row, name, value)
            row.facility_key = other["facility"]
            row.notes.append(f"launch site {row.launch_site} from {NAGIX_REPO} (Unknown in the CNS copy)")
        missile = missiles.get(other["missile"], {})
        if row.missile_name == "Unknown" and missile.get("name", "Unknown") != "Unknown":
            row.missile_name = missile["name"]
            if row.missile_type == "Unknown":
                row.missile_type = missile["type"]
            row.notes.append(f"missile {row.missile_name} from {NAGIX_REPO} (Unknown in the CNS copy)")


def nagix_rows(nagix: list[dict], start: int, places, facilities, missiles, corrections, used) -> list[Row]:
    rows = []
    for item in nagix[start:]:
        key = item["facility"]
        missile = missiles.get(item["missile"], {"name": item["missile"], "type": "Unknown"})
        preliminary = item["date"] >= NAGIX_PRELIMINARY_FROM
        description = " ".join(str(item.get("description", "")).split())
        row = Row(
            dataset="nagix", record=f"{item['date']}@{key}#{item.get('series', 1)}",
            date_utc=item["date"], time_utc=nagix_time(item["time"]),
            missile_name=missile["name"], missile_type=missile["type"], facility_key=key,
            **place_of(key, places, facilities),
            landing=LANDING.get(str(item["landing"]).lower(), str(item["landing"])),
            distance=number(item["distance"]), apogee=number(item["apogee"]),
            outcome=str(item["outcome"]).lower(), confirmation="",
            description="" if re.fullmatch(r"(\d+ of \d+)?", description) else description,
            status="nagix_preliminary" if preliminary else "cns_via_nagix",
            hypersonic="yes" if missile.get("maneuver") == "glide" else "",
        )
        if preliminary:
            row.notes.append("preliminary figures added by the nagix/nk-missile-tests maintainer, not yet CNS text")
        apply_corrections(row, [f"{item['date']}@{key}"], corrections, used)
        rows.append(row)
    return rows


def set_local_times(rows: list[Row]) -> None:
    """KST date/time; a missile with no time takes its salvo-mates' local date."""
    for row in rows:
        if row.time_utc and len(row.date_utc) == 10:
            moment = datetime.fromisoformat(f"{row.date_utc}T{row.time_utc}") + KST
            row.local_date, row.local_time = moment.date().isoformat(), moment.strftime("%H:%M")
    salvo: dict[tuple, str] = {}
    for row in rows:
        if row.local_date:
            salvo.setdefault((row.dataset, row.date_utc, row.facility_key, row.missile_name), row.local_date)
    for row in rows:
        if not row.local_date:
            mate = salvo.get((row.dataset, row.date_utc, row.facility_key, row.missile_name))
            row.local_date = mate or row.date_utc
            if not mate and len(row.date_utc) == 10 and row.date_utc >= "1993":
                row.notes.append("launch time unknown; date as recorded by the source")


def load_administrations(data: Path) -> list[tuple[datetime, str]]:
    """Start instants: noon Eastern on 20 January is 17:00 UTC."""
    return sorted(
        (datetime.fromisoformat(a["start"]) + timedelta(hours=17), a["label"])
        for a in read_csv(data / "us_administrations.csv")
    )


def president_at(moment: datetime, terms: list[tuple[datetime, str]]) -> str:
    label = ""
    for start, name in terms:
        if moment >= start:
            label = name
    return label


def utc_instant(date_text: str, time_utc: str, local_time: str = "") -> datetime:
    if len(date_text) == 7:
        date_text += "-01"
    if time_utc:
        return datetime.fromisoformat(f"{date_text}T{time_utc}")
    if local_time:
        return datetime.fromisoformat(f"{date_text}T{local_time}") - KST
    return datetime.fromisoformat(date_text) - KST  # start of the Korean day


def summarize_outcomes(outcomes: list[str]) -> tuple[str, str]:
    counts = Counter(outcomes)
    detail = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    return (outcomes[0] if len(counts) == 1 else "mixed"), detail


def unique(items) -> list:
    return list(dict.fromkeys(i for i in items if i))


def build_events(rows: list[Row], terms) -> list[dict[str, str]]:
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.local_date, row.missile_name, row.missile_type, row.facility_key)].append(row)
    events = []
    for (local_date, name, kind, _), members in groups.items():
        members.sort(key=lambda r: (r.time_utc or "99", r.record))
        first = members[0]
        outcome, detail = summarize_outcomes([r.outcome for r in members])
        distances = [r.distance for r in members if r.distance is not None]
        apogees = [r.apogee for r in members if r.apogee is not None]
        statuses = unique(r.status for r in members)
        if statuses == ["cns"]:
            source = CNS_NAME
        elif "nagix_preliminary" in statuses:
            source = f"{NAGIX_REPO} (preliminary figures by the repository maintainer)"
        else:
            source = f"{CNS_NAME}, via {NAGIX_REPO}"
        notes = unique(n for r in members for n in r.notes)
        if len(unique(r.distance for r in members)) > 1 or len(unique(r.apogee for r in members)) > 1:
            notes.append("distance_km and apogee_km are the largest among the missiles of the event")
        if local_date < "1985":
            notes.append("CNS: the 1984 tests took place between April and September 1984; days are estimates")
        events.append({
            "date": local_date,
            "time_local": first.local_time,
            "missile_type": kind,
            "missile_name": name,
            "count": str(len(members)),
            "launch_site": first.launch_site,
            "province": first.province,
            "distance_km": fmt_number(max(distances)) if distances else "",
            "apogee_km": fmt_number(max(apogees)) if apogees else "",
            "landing": " / ".join(unique(r.landing for r in members)),
            "outcome": outcome,
            "source": source,
            "date_precision": "month" if len(local_date) == 7 else "day",
            "date_utc": first.date_utc,
            "time_utc": first.time_utc,
            "hypersonic": next((r.hypersonic for r in members if r.hypersonic), ""),
            "overflew_japan": "yes" if any(r.overflew_japan == "yes" for r in members) else "",
            "outcome_detail": detail,
            "us_president": president_at(utc_instant(local_date if not first.time_utc else first.date_utc,
                                                     first.time_utc), terms),
            "facility_lat": first.lat,
            "facility_lon": first.lon,
            "record_status": "+".join(statuses),
            "record_ids": "; ".join(f"{r.dataset}:{r.record}" for r in members),
            "source_urls": " | ".join(unique(
                [CNS_URL if statuses != ["nagix_preliminary"] else "", NAGIX_URL if statuses != ["cns"] else ""]
                + [u for r in members for u in r.urls])),
            "description": " || ".join(unique(r.description for r in members)),
            "notes": "; ".join(notes),
        })
    events.sort(key=lambda e: (e["date"], e["time_local"] or "99", e["launch_site"], e["missile_name"]))
    for number_, event in enumerate(events, 1):
        event["event_id"] = f"nk-{event['date'].replace('-', '')}-{number_:03d}"
    return events


def build_supplement(data: Path, terms) -> list[dict[str, str]]:
    events = []
    for number_, line in enumerate(read_csv(data / "manual/supplement_launches.csv"), 1):
        event = {name: "" for name in COLUMNS}
        event.update({k: v for k, v in line.items() if k in event})
        event["event_id"] = f"nk-supp-{line['date'].replace('-', '')}-{number_:02d}"
        event["date_precision"] = "day"
        event["record_status"] = "supplement"
        instant = utc_instant(line["date"], "", line["time_local"])
        event["date_utc"], event["time_utc"] = instant.date().isoformat(), instant.strftime("%H:%M")
        event["us_president"] = president_at(instant, terms)
        events.append(event)
    return events


def write(path: Path, events: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(events)


def report(events: list[dict[str, str]], terms) -> None:
    per_year: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_term: dict[str, list] = {label: [0, 0, set()] for _, label in terms}
    for event in events:
        year = per_year[event["date"][:4]]
        year[0] += 1
        year[1] += int(event["count"])
        term = per_term[event["us_president"]]
        term[0] += 1
        term[1] += int(event["count"])
        term[2].add(event["date"])
    print("year  events  missiles")
    for year in sorted(per_year):
        print(f"{year}  {per_year[year][0]:6d}  {per_year[year][1]:8d}")
    print("\nadministration        events  missiles  launch days")
    for _, label in terms:
        events_, missiles, days = per_term[label]
        print(f"{label:20s}  {events_:6d}  {missiles:8d}  {len(days):11d}")
    print(f"\ntotal: {len(events)} events, {sum(int(e['count']) for e in events)} missiles")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--quiet", action="store_true", help="do not print the summary tables")
    args = parser.parse_args()
    data: Path = args.data

    corrections = load_corrections(data)
    used: set = set()
    cns = load_cns(data, corrections, used)
    nagix, facilities, missiles = load_nagix(data)
    check_alignment(cns, nagix)
    places = load_places(data)
    fill_from_nagix(cns, nagix, places, facilities, missiles)
    rows = cns + nagix_rows(nagix, len(cns), places, facilities, missiles, corrections, used)
    unused = [(d, r, f["field"]) for (d, r), fixes in corrections.items() for f in fixes
              if (d, r, f["field"]) not in used]
    if unused:
        sys.exit(f"corrections that matched no record: {unused}")
    set_local_times(rows)
    terms = load_administrations(data)
    events = build_events(rows, terms)
    write(data / "nk_launch_events.csv", events)
    supplement = build_supplement(data, terms)
    write(data / "nk_launch_events_supplement.csv", supplement)
    if not args.quiet:
        print(f"{len(rows)} missiles -> {len(events)} events; {len(supplement)} supplement events\n")
        report(events, terms)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
