"""The published record: every event of the data present once, and the figures the site shows equal to
counts computed independently, from the data files and from the notes' own front matter."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from conftest import Page

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sources"
KST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The repository's own site, built once by build.py as a process."""
    out = tmp_path_factory.mktemp("record") / "public"
    done = subprocess.run([sys.executable, "build.py", "build", "--destination", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", f"the build warned: {done.stderr}"
    return out


def front_matters() -> list[dict]:
    """Every incident note's front matter, read with plain PyYAML (not Salvo's reader)."""
    notes = []
    for path in sorted((ROOT / "content" / "incidents").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        notes.append(yaml.safe_load(text.split("---\n")[1]))
    return notes


def terms() -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """The administrations from the data file; terms change at 17:00 UTC on 20 January."""
    rows = list(csv.DictReader((DATA / "us_administrations.csv").open(encoding="utf-8")))
    def moment(day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(day).replace(hour=17, tzinfo=dt.UTC)
    return [(r["label"], moment(r["start"]), moment(r["end"]) if r["end"] else None) for r in rows]


def term_of(note: dict) -> str:
    """The label of the term a note's Korean date and time fall in."""
    day = str(note["date"])
    date = dt.date.fromisoformat(day if len(day) == 10 else day + "-15")
    hour, minute = map(int, (note.get("time") or "12:00").split(":"))
    moment = dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=KST)
    return next(label for label, start, end in terms() if start <= moment and (end is None or moment < end))


def test_every_event_of_the_data_is_a_note_exactly_once():
    ids = Counter(n.get("event_id") for n in front_matters())
    duplicated = [i for i, n in ids.items() if i and n > 1]
    assert duplicated == []
    for name in ("nk_launch_events.csv", "nk_launch_events_supplement.csv"):
        rows = list(csv.DictReader((DATA / name).open(encoding="utf-8")))
        missing = [r["event_id"] for r in rows if r["event_id"] not in ids]
        assert missing == [], f"{name}: events without a note"
    tests = [r for r in csv.DictReader((DATA / "context_events.csv").open(encoding="utf-8"))
             if r["kind"] == "nuclear_test"]
    nuclear = {str(n["date"]) for n in front_matters() if n.get("kind") == "nuclear_test"}
    assert nuclear == {r["date"] for r in tests}


def test_site_figures_equal_counts_from_the_data_files(built):
    shown = {p["label"]: p for p in json.loads((built / "data/periods.json").read_text())["periods"]}
    rows = list(csv.DictReader((DATA / "nk_launch_events.csv").open(encoding="utf-8")))
    events = Counter(r["us_president"] for r in rows)
    missiles = Counter()
    days: dict[str, set[str]] = {}
    for r in rows:
        missiles[r["us_president"]] += int(r["count"])
        days.setdefault(r["us_president"], set()).add(r["date"])
    tests = Counter(term_of({"date": r["date"], "time": r["time_local"]})
                    for r in csv.DictReader((DATA / "context_events.csv").open(encoding="utf-8"))
                    if r["kind"] == "nuclear_test")
    for label, figures in shown.items():
        assert figures["launch_events"] == events[label], label
        assert figures["missiles"] == missiles[label], label
        assert figures["launch_days"] == len(days.get(label, ())), label
        assert figures["nuclear_tests"] == tests[label], label


def test_site_figures_equal_counts_from_the_notes(built):
    shown = {p["label"]: p for p in json.loads((built / "data/periods.json").read_text())["periods"]}
    counts: Counter = Counter()
    for note in front_matters():
        label = term_of(note)
        if note.get("kind", "launch") == "nuclear_test":
            counts[label, "nuclear_tests"] += 1
        elif note.get("record_status") != "supplement":
            counts[label, "launch_events"] += 1
            counts[label, "missiles"] += note["count"]
    for label, figures in shown.items():
        for name in ("launch_events", "missiles", "nuclear_tests"):
            assert figures[name] == counts[label, name], (label, name)


class Counted(HTMLParser):
    """Every figure link of a page (its kind, shown value and target), and, for every element with an id, the
    incidents listed inside it (their dates and missile counts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.inside: dict[str, list[tuple[str, int]]] = {}
        self.open: list[tuple[str, str | None]] = []  # (tag, id) of open elements
        self.link: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-date" in a and tag == "li":
            for _, element_id in self.open:
                if element_id:
                    self.inside.setdefault(element_id, []).append((a["data-date"], int(a["data-missiles"])))
        if tag == "a" and "data-figure" in a:
            self.link = {"figure": a["data-figure"], "href": a["href"], "text": "",
                         "within": " ".join(i for _, i in self.open if i)}
            self.links.append(self.link)
        elif self.link is not None and "data-value" in a:  # a chart's mark: its value is an attribute
            self.link["text"] = a["data-value"]
        if tag not in ("meta", "link", "br", "hr", "img", "input", "use", "rect", "circle", "line", "path"):
            self.open.append((tag, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.link = None
        for n in range(len(self.open) - 1, -1, -1):
            if self.open[n][0] == tag:
                del self.open[n:]
                break

    def handle_data(self, data: str) -> None:
        if self.link is not None and self.open[-1][0] == "a":
            self.link["text"] += data


def test_every_figure_links_to_exactly_the_incidents_it_counts(built):
    pages = {p.relative_to(built).as_posix(): p for p in built.rglob("*.html")}
    parsed: dict[str, Counted] = {}

    def parse(rel: str) -> Counted:
        if rel not in parsed:
            parsed[rel] = Counted()
            parsed[rel].feed(pages[rel].read_text(encoding="utf-8"))
        return parsed[rel]

    checked = Counter()
    charts: set[str] = set()  # the ids of the elements the links were found in
    for rel in sorted(pages):
        for link in parse(rel).links:
            href = urlsplit(urljoin("/" + rel, link["href"]))
            target = href.path.lstrip("/") + ("index.html" if href.path.endswith("/") else "")
            listed = parse(target).inside.get(href.fragment)
            assert listed, f"{rel}: {link['href']} lands on no list of incidents"
            shown = int(link["text"].split()[0].replace(",", ""))
            found = {"missiles": sum(n for _, n in listed), "launch_days": len({d for d, _ in listed})}.get(
                link["figure"], len(listed))
            assert shown == found, f"{rel}: {link['figure']} {shown} links to {link['href']}, which lists {found}"
            checked[link["figure"]] += 1
            charts.update(link["within"].split())
    # Every kind of figure was walked, on every kind of page that shows one.
    assert {"launch_events", "missiles", "launch_days", "nuclear_tests", "icbm_launch_events",
            "overflights_of_japan_home_islands", "class_mix", "outside"} <= checked.keys(), checked
    assert sum(checked.values()) > 500, checked
    # Every kind of chart's marks: the first screen's rates, bars, lines, class mix and each term's map.
    assert {"rates", "per-year", "cumulative", "class-mix", "map-biden", "map-obama"} <= charts, charts


def test_year_pages_count_by_the_same_rule_as_the_comparison(built):
    notes = [n for n in front_matters() if str(n["date"]).startswith("2025") and term_of(n) == "Trump (2nd term)"]
    counted = [n for n in notes if n.get("record_status") != "supplement" and n.get("kind", "launch") == "launch"]
    page = Page.parse((built / "years/2025/index.html").read_text(encoding="utf-8"))
    rows = {r.split(" ")[0]: r for r in page.text_of("tr")}
    assert rows["Trump"].split()[-4:] == [str(len(counted)), str(sum(n["count"] for n in counted)), "0",
                                          str(len(notes) - len(counted))]


def test_every_incident_page_cites_a_source(built):
    pages = sorted((built / "incidents").glob("*/index.html"))
    assert len(pages) == len(front_matters())
    for path in pages:
        page = Page.parse(path.read_text(encoding="utf-8"))
        assert page.text_of("h2", id="sources") == ["Sources"], path
        cited = [a for a in page.find_all("a", rel="noopener noreferrer")
                 if str(a["attrs"]["href"]).startswith(("https://", "http://"))]
        assert len(page.find_all("ol", class_="sources")) == 1 and cited, path


def test_the_derived_record_is_reproduced_from_the_raw_files(tmp_path):
    """The derived CSVs the notes were imported from are exactly what sources/normalize.py makes of the raw
    files and the hand-made corrections kept beside them."""
    copy = tmp_path / "sources"
    shutil.copytree(DATA, copy)
    derived = ("nk_launch_events.csv", "nk_launch_events_supplement.csv")
    for name in derived:
        (copy / name).unlink()
    done = subprocess.run([sys.executable, "normalize.py", "--data", ".", "--quiet"], cwd=copy,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in derived:
        assert (copy / name).read_bytes() == (DATA / name).read_bytes(), name
