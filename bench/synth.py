"""Reproducible synthetic incident notes, written as a Salvo, Hugo, Pelican and Eleventy site.

Every tool gets the same notes (same titles, facts, bodies and sources) in its own input format, and
templates from bench/peers/<tool>/ that render comparable pages: one page per note, the timeline
index, one page per missile class and a feed. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS = BENCH / "peers"
SEED = 20170704
FIRST_DAY = dt.date(1984, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)

# Facilities: (name, province, latitude, longitude).
SITES = [
    ("Sunan (Pyongyang International Airport)", "Pyongyang", 39.22, 125.67),
    ("Sohae Satellite Launching Station", "North Pyongan Province", 39.66, 124.71),
    ("Tonghae Satellite Launching Ground", "North Hamgyong Province", 40.85, 129.67),
    ("Kalma peninsula, Wonsan", "Kangwon Province", 39.17, 127.48),
    ("Sinpo South Shipyard", "South Hamgyong Province", 40.03, 128.18),
    ("Kusong", "North Pyongan Province", 39.98, 125.25),
    ("Panghyon Aircraft Factory", "North Pyongan Province", 39.90, 125.20),
    ("Kittaeryong", "Kangwon Province", 38.99, 127.62),
    ("Hamhung", "South Hamgyong Province", 39.90, 127.60),
    ("Chonchon", "Chagang Province", 40.60, 126.40),
    ("Sukchon", "South Pyongan Province", 39.41, 125.63),
    ("Kaechon", "South Pyongan Province", 39.70, 125.90),
    ("Mundok", "South Pyongan Province", 39.55, 125.30),
    ("Jangyon", "South Hwanghae Province", 38.25, 125.10),
    ("Kwail", "South Hwanghae Province", 38.42, 125.03),
    ("Sinuiju", "North Pyongan Province", 40.10, 124.40),
    ("Hwangju", "North Hwanghae Province", 38.67, 125.76),
]

# Missile class -> (draw weight, names, distance range km, apogee range km).
CLASSES: dict[str, tuple[int, list[str], tuple[int, int], tuple[int, int]]] = {
    "SRBM": (48, ["Hwasong-5", "Hwasong-6", "KN-23", "KN-24", "KN-25", "Hwasong-11", "KN-02 Toksa"],
             (50, 800), (20, 100)),
    "MRBM": (8, ["Nodong", "Pukguksong-2", "Scud-ER"], (400, 1500), (150, 600)),
    "IRBM": (6, ["Hwasong-10 (Musudan)", "Hwasong-12", "Hwasong-16B"], (700, 4600), (500, 2200)),
    "ICBM": (6, ["Hwasong-14", "Hwasong-15", "Hwasong-17", "Hwasong-18", "Hwasong-19"], (900, 1100), (2800, 7700)),
    "SLBM": (5, ["Pukguksong-1", "Pukguksong-3", "Mini-SLBM"], (300, 800), (50, 900)),
    "SLV": (4, ["Taepodong-1", "Unha-2", "Unha-3", "Chollima-1"], (1500, 3000), (400, 600)),
    "HGV": (3, ["Hwasong-8", "Hwasong-16B", "Hypersonic missile"], (600, 1000), (50, 100)),
    "cruise": (9, ["Hwasal-1", "Hwasal-2", "Pulhwasal-3-31"], (100, 2000), (0, 1)),
    "Unknown": (11, ["Unknown"], (80, 600), (20, 120)),
}
OUTCOMES = [("success", 75), ("failure", 12), ("unknown", 8), ("mixed", 5)]
STATUSES = [("cns", 58), ("cns_via_nagix", 15), ("nagix_preliminary", 10), ("editor", 14), ("supplement", 3)]
LANDINGS = ["Sea of Japan (East Sea)", "Sea of Japan (East Sea)", "Sea of Japan (East Sea)", "Yellow Sea",
            "Pacific Ocean", "Japan's exclusive economic zone", None]
AGENCIES = ["South Korea's Joint Chiefs of Staff", "Japan's Ministry of Defense", "US Indo-Pacific Command",
            "the Korean Central News Agency", "analysts at the James Martin Center"]
SOURCES = [
    ("CNS North Korea Missile Test Database", "James Martin Center for Nonproliferation Studies (for NTI)",
     "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/"),
    ("Launch of ballistic missiles by North Korea", "Japan Ministry of Defense",
     "https://www.mod.go.jp/en/press/{y}/{m}{d}.html"),
    ("N. Korea fires ballistic missile into East Sea, JCS says", "Yonhap News Agency",
     "https://en.yna.co.kr/view/AEN{y}{m}{d}000{k}"),
    ("Report on the test-fire", "Korean Central News Agency (via KCNA Watch)", "https://kcnawatch.org/newstream/{y}{m}{d}{k}/"),
    ("Missile Defense Project: North Korean launches", "CSIS Missile Threat", "https://missilethreat.csis.org/country/dprk/"),
    ("Imagery of the launch area", "38 North", "https://www.38north.org/{y}/{m}/launch-{d}{k}/"),
]
CAVEATS = ["Count is a floor: officials said several missiles", "Distance and apogee are the JCS's first estimate",
           "Launch site given only as the surrounding county", "Time reconstructed from Japanese coast-guard notices",
           "Outcome disputed between Seoul and Tokyo"]
TAGS = ["first-flight", "lofted", "salvo", "solid-fuel", "liquid-fuel", "road-mobile", "rail-mobile",
        "submarine", "drill", "satellite", "night-launch"]
LEADS = [
    "{agency} said North Korea launched {count_words} {type_label} from {site} at {time_words}.",
    "North Korea fired {count_words} {type_label} from the area of {site} on {date_words}, according to {agency}.",
    "On {date_words}, {agency} detected the launch of what it assessed as {name_words} from {site}.",
]
SENTENCES = [
    "The missile flew about {distance} kilometres and reached an altitude of roughly {apogee} kilometres.",
    "It came down {landing_words}, outside the territorial waters of its neighbours.",
    "Officials in Seoul convened an emergency meeting of the National Security Council within the hour.",
    "Tokyo lodged a protest through diplomatic channels in Beijing, as it does after every launch.",
    "State media later published photographs showing the launcher on a wheeled transporter.",
    "Analysts noted that the trajectory was lofted, which shortens the range seen on a map.",
    "The launch came days after joint air drills by South Korea and the United States.",
    "No damage to aircraft or ships was reported, and no warning was issued to civilian shipping.",
    "The flight time was estimated at {minutes} minutes by the Japanese defence ministry.",
    "Satellite imagery from the preceding week showed vehicles gathering near the site.",
    "The test was supervised by senior officials of the Missile Administration, according to state media.",
    "Western analysts cautioned that early estimates of range and altitude are often revised.",
    "The United Nations Security Council met in closed session to discuss the launch.",
    "It was the {ordinal} launch of the year by the count of the record.",
    "A spokesperson for the foreign ministry called the launch a clear violation of resolutions.",
    "Commercial flights in the region were not rerouted, according to the aviation authority.",
    "Pyongyang described the event as a routine test of a weapon system already in service.",
    "The missile's solid-fuel motor allowed it to be fired with little visible preparation.",
    "Observers pointed to the timing, which coincided with a national holiday in the North.",
    "The figures below summarise what each government said in the first day after the launch.",
]
LIST_ITEMS = [
    "Launch detected by radar at {time_words}",
    "Flight of about {distance} km to an apogee near {apogee} km",
    "Came down {landing_words}",
    "Missiles fired in the event: {count_words}",
    "Assessed as {name_words} ({type_key})",
    "Reported first by {agency}",
    "Launch site: {site}",
]
LABELS = {"SRBM": "Short-range ballistic missile", "MRBM": "Medium-range ballistic missile",
          "IRBM": "Intermediate-range ballistic missile", "ICBM": "Intercontinental ballistic missile",
          "SLBM": "Submarine-launched ballistic missile", "SLV": "Satellite launch vehicle",
          "HGV": "Hypersonic glide vehicle", "cruise": "Cruise missile", "Unknown": "Unidentified missile"}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@dataclass(frozen=True)
class Note:
    """One synthetic incident: its file stem, Salvo front matter and Markdown body."""

    stem: str
    meta: dict[str, Any]
    body: str
    day: dt.date = field(compare=False)

    @property
    def missile_type(self) -> str:
        """The note's missile class key, e.g. "ICBM"."""
        return str(self.meta["missile_type"])


def slug(text: str) -> str:
    """A lower-case, hyphenated URL segment of ASCII letters and digits."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "note"


def short_slug(text: str) -> str:
    """The slug of the first two words of the text."""
    return "-".join(slug(text).split("-")[:2])


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    """One key of a list of (key, weight) pairs, drawn by weight."""
    keys, weights = zip(*weighted, strict=True)
    return rng.choices(keys, weights=weights)[0]


def random_day(rng: random.Random) -> dt.date:
    """A day between 1984 and mid-2026, more often recent, as North Korea's testing has been."""
    years = list(range(FIRST_DAY.year, LAST_DAY.year + 1))
    year = rng.choices(years, weights=[1 + (y - FIRST_DAY.year) ** 1.5 for y in years])[0]
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), LAST_DAY)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_meta(rng: random.Random, day: dt.date, month_only: bool, event_id: str) -> dict[str, Any]:
    """Front matter for one launch, with every key of docs/note-format.md in its order."""
    type_key = pick(rng, [(key, spec[0]) for key, spec in CLASSES.items()])
    _, names, distances, apogees = CLASSES[type_key]
    name = rng.choice(names)
    site = rng.choice(SITES) if rng.random() > 0.06 else (None, None, None, None)
    count = rng.choices([1, 2, 3, 4, 6, None], weights=[55, 20, 10, 6, 3, 6])[0]
    outcome = pick(rng, OUTCOMES) if (count or 1) > 1 else pick(rng, OUTCOMES[:3])
    known = rng.random() > 0.15
    return {
        "title": make_title(name, count, site[0]),
        "date": day.strftime("%Y-%m" if month_only else "%Y-%m-%d"),
        "time": None if month_only or rng.random() < 0.25 else f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
        "kind": "launch",
        "missile_type": type_key,
        "missile_name": name,
        "count": count,
        "launch_site": site[0],
        "province": site[1],
        "latitude": site[2],
        "longitude": site[3],
        "distance_km": rng.randint(*distances) if known else None,
        "apogee_km": rng.randint(*apogees) if known else None,
        "landing": rng.choice(LANDINGS),
        "outcome": outcome,
        "outcome_detail": f"1 failure, {count - 1} success" if outcome == "mixed" and count else None,
        "hypersonic": rng.choice(["confirmed", "claimed"]) if type_key == "HGV" else None,
        "overflew_japan": type_key in ("IRBM", "ICBM", "SLV") and rng.random() < 0.12,
        "record_status": pick(rng, STATUSES),
        "event_id": event_id,
        "yield_kt": None,
        "seismic_magnitude": None,
        "caveats": rng.sample(CAVEATS, rng.choice([0, 0, 0, 1, 1, 2])),
        "sources": make_sources(rng, day),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "draft": False,
    }


def make_title(name: str, count: int | None, site: str | None) -> str:
    """A headline such as "Two KN-23 missiles fired from Sunan"."""
    place = (site or "an undisclosed site").split(",")[0].split(" (")[0]
    if name == "Unknown":
        name = "unidentified"
    if count == 1:
        return f"{name[0].upper() + name[1:]} {'missile ' if name == 'unidentified' else ''}launched from {place}"
    return f"{COUNT_WORDS.get(count or 0, 'Several').capitalize()} {name} missiles fired from {place}"


def make_sources(rng: random.Random, day: dt.date) -> list[dict[str, str]]:
    """One to three sources; the record's database is always cited first."""
    chosen = [SOURCES[0], *rng.sample(SOURCES[1:], rng.randint(0, 2))]
    parts = {"y": f"{day.year}", "m": f"{day.month:02d}", "d": f"{day.day:02d}", "k": str(rng.randrange(10))}
    return [{"title": t, "publisher": p, "url": u.format(**parts)} for t, p, u in chosen]


def make_body(rng: random.Random, meta: dict[str, Any], day: dt.date, ordinal: int) -> str:
    """150 to 400 words of Markdown: paragraphs, a bullet list, a link and a table."""
    words = body_words(meta, day, ordinal)
    target = rng.randint(150, 385)
    known = meta["distance_km"] is not None
    items = [item for item in LIST_ITEMS if known or "{distance}" not in item]
    sentences = [text for text in SENTENCES if known or "{distance}" not in text]
    link = meta["sources"][-1]
    lead = rng.choice(LEADS).format(**words)
    lead = lead[0].upper() + lead[1:]
    link_line = (f"The account follows [{link['publisher']}]({link['url']}) and the record's own notes; "
                 f"see the sources below for the original wording.")
    bullets = "\n".join(f"- {item.format(**words)}" for item in rng.sample(items, rng.randint(3, 5)))
    table = make_table(rng, meta)
    total = word_count(f"{lead} {link_line} {bullets} {table}")
    pool = rng.sample(sentences, len(sentences))
    extra: list[str] = []
    while pool and total < target:
        extra.append(pool.pop().format(**words))
        total += word_count(extra[-1])
    middle = len(extra) // 2
    parts = [" ".join([lead, *extra[:middle]]), bullets, " ".join(extra[middle:]), table, link_line]
    return "\n\n".join(part for part in parts if part) + "\n"


def make_table(rng: random.Random, meta: dict[str, Any]) -> str:
    """A Markdown table of what two to four agencies reported about the flight."""
    rows = ["| Reported by | Distance (km) | Apogee (km) | Flight time (min) |", "| --- | ---: | ---: | ---: |"]
    for agency in rng.sample(AGENCIES[:3], rng.randint(2, 3)):
        distance = meta["distance_km"] or rng.randint(100, 900)
        apogee = meta["apogee_km"] or rng.randint(20, 120)
        rows.append(f"| {agency[0].upper() + agency[1:]} | {round(distance * rng.uniform(0.9, 1.1))} "
                    f"| {round(apogee * rng.uniform(0.9, 1.1))} | {rng.randint(5, 70)} |")
    return "\n".join(rows)


def body_words(meta: dict[str, Any], day: dt.date, ordinal: int) -> dict[str, str]:
    """The values that sentence templates fill in for one note."""
    count = meta["count"]
    return {
        "agency": AGENCIES[ordinal % len(AGENCIES)],
        "count_words": COUNT_WORDS.get(count, "several") if count else "an unknown number of",
        "type_label": LABELS[meta["missile_type"]].lower() + ("s" if (count or 2) > 1 else ""),
        "name_words": "an unidentified missile" if meta["missile_name"] == "Unknown" else f"a {meta['missile_name']}",
        "type_key": meta["missile_type"],
        "name": meta["missile_name"],
        "site": meta["launch_site"] or "an undisclosed site",
        "time_words": f"{meta['time']} Korea Standard Time" if meta["time"] else "an unreported hour",
        "date_words": f"{day:%d %B %Y}".lstrip("0"),
        "distance": str(meta["distance_km"] or "several hundred"),
        "apogee": str(meta["apogee_km"] or "an undisclosed"),
        "landing_words": landing_words(meta["landing"]),
        "minutes": str(10 + ordinal % 50),
        "ordinal": ORDINALS[ordinal % len(ORDINALS)],
    }


def landing_words(landing: str | None) -> str:
    """Where the missile came down, as a phrase: "in the Yellow Sea"."""
    if landing is None:
        return "at an unknown point"
    return f"in {'' if landing.startswith('Japan') else 'the '}{landing}"


def word_count(text: str) -> int:
    """Words of running text, table pipes and list markers not counted."""
    return len(re.findall(r"[\w'()-]*[A-Za-z0-9][\w'()-]*", text))


def make_notes(n: int, seed: int = SEED) -> list[Note]:
    """N notes in date order, the same for the same N and seed on any machine."""
    rng = random.Random(f"{seed}:{n}")
    days = sorted((random_day(rng), rng.random() < 0.03) for _ in range(n))
    notes: list[Note] = []
    stems: set[str] = set()
    per_day: dict[str, int] = {}
    for day, month_only in days:
        key = day.strftime("%Y%m00" if month_only else "%Y%m%d")
        per_day[key] = per_day.get(key, 0) + 1
        meta = make_meta(rng, day, month_only, f"nk-{key}-{per_day[key]:03d}")
        body = make_body(rng, meta, day, len(notes))
        place = short_slug(meta["launch_site"] or "unknown")
        stem = unique(f"{meta['date']}-{slug(meta['missile_name'])}-{place}", stems)
        notes.append(Note(stem=stem, meta=meta, body=body, day=day))
    return notes


def unique(stem: str, taken: set[str]) -> str:
    """The stem, or the stem with the first free -2, -3... suffix; remembered as taken."""
    candidate, k = stem.strip("-"), 2
    while candidate in taken:
        candidate, k = f"{stem}-{k}", k + 1
    taken.add(candidate)
    return candidate


# --- Writing each tool's input -------------------------------------------------------------------


def yaml_value(value: Any) -> str:
    """A YAML flow scalar or flow list; strings are JSON-quoted, which YAML reads as written."""
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def yaml_document(meta: dict[str, Any], body: str) -> str:
    """A Markdown file with YAML front matter; lists of tables are written in block style."""
    lines = ["---"]
    for key, value in meta.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            for table in value:
                items = list(table.items())
                lines.append(f"  - {items[0][0]}: {yaml_value(items[0][1])}")
                lines.extend(f"    {k}: {yaml_value(v)}" for k, v in items[1:])
        else:
            lines.append(f"{key}: {yaml_value(value)}")
    return "\n".join([*lines, "---", body])


def pelican_document(meta: dict[str, Any], body: str) -> str:
    """A Markdown file with Pelican's `Key: value` metadata; list values take one line each."""
    lines = []
    for key, value in meta.items():
        if value is None or value == []:
            continue
        values = value if isinstance(value, list) else [value]
        texts = [" | ".join(v.values()) if isinstance(v, dict) else str(v) for v in values]
        lines.append(f"{key.capitalize()}: {texts[0]}")
        lines.extend(f"    {text}" for text in texts[1:])
    return "\n".join(lines) + "\n\n" + body


def peer_meta(note: Note) -> dict[str, Any]:
    """The note's front matter for a peer: a full date (month-only notes take the 1st) and the
    Salvo `date` kept for display as `date_text`; `tags` renamed `keywords`, since Hugo, Pelican
    and Eleventy all give `tags` a meaning of their own (pages and collections)."""
    meta = {"title": note.meta["title"], "date": note.day.isoformat(), "date_text": note.meta["date"]}
    meta.update((k, v) for k, v in note.meta.items() if k not in ("title", "date", "tags"))
    meta["keywords"] = note.meta["tags"]
    return meta


def write_notes(folder: Path, notes: list[Note], render: Callable[[Note], str]) -> None:
    """Write each note as folder/<stem>.md, rendered by the tool's formatter."""
    folder.mkdir(parents=True, exist_ok=True)
    for note in notes:
        (folder / f"{note.stem}.md").write_text(render(note), encoding="utf-8")


def vocabularies() -> dict[str, dict[str, str]]:
    """The vocabularies of the repository's site.toml, which peers use for labels."""
    return tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))["vocabularies"]


def start_site(tool: str, dest: Path, data_dir: str | None) -> None:
    """Empty dest, copy the tool's skeleton (config and templates) and, if asked, its vocabularies."""
    if dest.exists():
        shutil.rmtree(dest)
    skeleton = PEERS / tool
    if skeleton.exists():
        shutil.copytree(skeleton, dest)
    dest.mkdir(parents=True, exist_ok=True)
    if data_dir is not None:
        (dest / data_dir).mkdir(parents=True, exist_ok=True)
        (dest / data_dir / "vocabularies.json").write_text(json.dumps(vocabularies(), indent=1), encoding="utf-8")


def write_salvo(notes: list[Note], dest: Path) -> None:
    """A Salvo site: the repository's site.toml and content/incidents/*.md."""
    start_site("salvo", dest, None)
    # The synthetic notes run to LAST_DAY, past the date the real record is complete to; the judgement calls
    # name real notes. Both go, so the periods, vocabularies and settings are the real site's.
    config = (REPO / "site.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^complete_to = .*$", f"complete_to = {LAST_DAY.isoformat()}", config)
    config = re.sub(r"(?ms)^\[\[judgement_calls\]\].*?(?=^\[(?!\[judgement_calls))", "", config)
    (dest / "site.toml").write_text(config, encoding="utf-8")
    write_notes(dest / "content" / "incidents", notes, lambda n: yaml_document(n.meta, n.body))


def write_hugo(notes: list[Note], dest: Path) -> None:
    """A Hugo site: hugo.toml, layouts/, data/vocabularies.json and content/incidents/*.md."""
    start_site("hugo", dest, "data")
    write_notes(dest / "content" / "incidents", notes,
                lambda n: yaml_document({**peer_meta(n), "missile_types": [n.missile_type]}, n.body))


def write_pelican(notes: list[Note], dest: Path) -> None:
    """A Pelican site: pelicanconf.py, theme/ and content/incidents/*.md with category = missile class."""
    start_site("pelican", dest, ".")

    def render(note: Note) -> str:
        meta = {"title": note.meta["title"], "slug": note.stem, "category": note.missile_type, **peer_meta(note)}
        return pelican_document(meta, note.body)

    write_notes(dest / "content" / "incidents", notes, render)


def write_eleventy(notes: list[Note], dest: Path) -> None:
    """An Eleventy site: eleventy.config.cjs, _includes/ layouts, _data/ and incidents/*.md."""
    start_site("eleventy", dest, "_data")
    write_notes(dest / "incidents", notes,
                lambda n: yaml_document({**peer_meta(n), "permalink": f"/incidents/{n.stem}/"}, n.body))


WRITERS: dict[str, Callable[[list[Note], Path], None]] = {
    "salvo": write_salvo,
    "hugo": write_hugo,
    "pelican": write_pelican,
    "eleventy": write_eleventy,
}


def write_sites(n: int, root: Path, tools: list[str], seed: int = SEED) -> list[Note]:
    """Generate N notes and write each tool's site as root/<tool>/; return the notes."""
    notes = make_notes(n, seed)
    for tool in tools:
        WRITERS[tool](notes, root / tool)
    return notes


if __name__ == "__main__":
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else BENCH / ".scratch" / "sites" / f"n{size}"
    written = write_sites(size, target, list(WRITERS))
    print(f"wrote {len(written)} notes for {', '.join(WRITERS)} under {target}")
