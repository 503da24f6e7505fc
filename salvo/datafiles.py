"""The record as data: data/incidents.csv, data/incidents.json and data/periods.json, and robots.txt."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from salvo.assemble import Entry, Site
from salvo.schema import INCIDENT
from salvo.urls import Urls

PATHS = ("data/incidents.csv", "data/incidents.json", "data/periods.json", "robots.txt")
PUBLISHED = tuple(f for f in INCIDENT if f.column)  # the note's fields, as the schema names their columns
DERIVED = ("administration", "in_comparable_record", "judgement_calls", "url", "sources")
CSV_FIELDS = (*(f.column for f in PUBLISHED), *DERIVED)


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
    own = {f.column: i.when.iso if f.name == "date" else i.when.time if f.name == "time" else getattr(i, f.name)
           for f in PUBLISHED}
    return own | {
        "administration": entry.period.label if entry.period else None,
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
