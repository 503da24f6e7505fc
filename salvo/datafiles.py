"""The record as data: data/incidents.csv, data/incidents.json and data/periods.json, and robots.txt."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from salvo.assemble import Entry, Site
from salvo.urls import Urls

PATHS = ("data/incidents.csv", "data/incidents.json", "data/periods.json", "robots.txt")
CSV_FIELDS = ("event_id", "date", "time_kst", "kind", "administration", "missile_type", "missile_name", "count",
              "launch_site", "province", "latitude", "longitude", "distance_km", "apogee_km", "landing", "outcome",
              "hypersonic", "overflew_japan", "record_status", "in_comparable_record", "judgement_calls", "url",
              "sources")


def make(path: str, site: Site, urls: Urls) -> bytes:
    """One of PATHS."""
    if path == "robots.txt":
        return f"User-agent: *\nAllow: /\nSitemap: {urls.absolute('/sitemap.xml')}\n".encode()
    if path == "data/periods.json":
        return _json("periods", [f.as_dict() for f in site.figures])
    rows = [row(e, site, urls) for e in site.entries]
    if path == "data/incidents.json":
        return _json("incidents", rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in rows:
        writer.writerow({k: _cell(" | ".join(v) if isinstance(v, list) else "" if v is None else v)
                         for k, v in record.items()})
    return buffer.getvalue().encode("utf-8")


def row(entry: Entry, site: Site, urls: Urls) -> dict[str, Any]:
    """One incident as a flat record, with its derived administration."""
    i = entry.incident
    return {
        "event_id": i.event_id, "date": i.when.iso, "time_kst": i.when.time, "kind": i.kind,
        "administration": entry.period.label if entry.period else None, "missile_type": i.missile_type,
        "missile_name": i.missile_name, "count": i.count, "launch_site": i.launch_site, "province": i.province,
        "latitude": i.latitude, "longitude": i.longitude, "distance_km": i.distance_km, "apogee_km": i.apogee_km,
        "landing": i.landing, "outcome": i.outcome, "hypersonic": i.hypersonic,
        "overflew_japan": i.overflew_japan, "record_status": i.record_status,
        "in_comparable_record": i.comparable,
        "judgement_calls": [call.id for call, slugs in site.calls if i.slug in slugs],
        "url": urls.absolute(f"/incidents/{i.slug}/"),
        "sources": [s.url for s in i.sources],
    }


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ or a tab gets a leading '."""
    return f"'{value}" if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _json(name: str, records: list[dict[str, Any]]) -> bytes:
    """{name: records} as stable JSON, one record per line: readable, and each line made by json's C encoder
    (indented output is pure Python: a second for 10,000 notes). '<' and '>' are escaped so that the file is
    safe to inline anywhere."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = b",\n".join(encode(r).replace("<", "\\u003c").replace(">", "\\u003e").encode("utf-8") for r in records)
    return b'{"%s": [\n%s\n]}\n' % (name.encode(), lines)  # built as bytes: one copy of a large file, not four
