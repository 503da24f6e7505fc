"""`build.py import`: CSV rows to notes, safe to run again, never overwriting an editor's note."""

from __future__ import annotations

import csv
import io

import yaml

HEADER = ("date,time_local,missile_type,missile_name,count,launch_site,province,distance_km,apogee_km,landing,"
          "outcome,source,event_id,date_precision,date_utc,time_utc,hypersonic,overflew_japan,outcome_detail,"
          "us_president,facility_lat,facility_lon,record_status,record_ids,source_urls,description,notes")


def rows(*lines: dict[str, str]) -> str:
    """A launch CSV with the record's columns."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER.split(","), lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow({k: "" for k in HEADER.split(",")} | line)
    return out.getvalue()


ROW = {"date": "2017-07-04", "time_local": "09:40", "missile_type": "ICBM", "missile_name": "Hwasong-14",
       "count": "1", "launch_site": "Panghyon", "province": "North Pyongan Province", "distance_km": "933",
       "apogee_km": "2802", "landing": "Sea of Japan (East Sea)", "outcome": "success", "event_id": "nk-1",
       "date_precision": "day", "record_status": "cns", "source_urls": "https://example.com/a | https://example.com/b",
       "notes": "distance_km and apogee_km are the largest among the missiles of the event"}


def front(path) -> dict:
    """A note's front matter, read with plain PyYAML."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_import_writes_one_valid_note_per_row_and_the_site_builds(make_site):
    site = make_site({"launches.csv": rows(ROW, ROW | {"event_id": "nk-2", "date": "2017-07-28", "count": "",
                                                       "date_precision": "day", "launch_site": "Unknown"})})
    run = site.run("import", "launches.csv")
    assert run.code == 0, run.err
    assert "2 notes added" in run.out
    first = front(site.root / "content/incidents/2017-07-04-hwasong-14.md")
    assert first["event_id"] == "nk-1" and first["count"] == 1 and first["distance_km"] == 933
    assert first["time"] == "09:40" and first["record_status"] == "cns"
    assert [s["url"] for s in first["sources"]] == ["https://example.com/a", "https://example.com/b"]
    assert "distance_km and apogee_km are the largest among the missiles of the event" in first["caveats"]
    second = front(site.root / "content/incidents/2017-07-28-hwasong-14.md")
    assert second["count"] is None and "Officials gave no number of missiles." in second["caveats"]
    assert site.run("build").code == 0


def test_running_again_adds_only_new_rows_and_reports_differences_without_overwriting(make_site):
    site = make_site({"launches.csv": rows(ROW)})
    assert site.run("import", "launches.csv").code == 0
    note = site.root / "content/incidents/2017-07-04-hwasong-14.md"
    edited = note.read_text(encoding="utf-8").replace("count: 1", "count: 2") + "An editor's paragraph.\n"
    note.write_text(edited, encoding="utf-8")
    site.write({"launches.csv": rows(ROW, ROW | {"event_id": "nk-9", "date": "2017-08-29"})})
    run = site.run("import", "launches.csv")
    assert run.code == 0, run.err
    assert "1 notes added, 1 already present, 1 differences reported" in run.out
    assert ("content/incidents/2017-07-04-hwasong-14.md: `count` differs from launches.csv line 2: "
            "note has 2, record has 1 (the note is kept)") in run.out
    assert note.read_text(encoding="utf-8") == edited
    assert (site.root / "content/incidents/2017-08-29-hwasong-14.md").is_file()


def test_same_day_events_get_distinct_files(make_site):
    site = make_site({"launches.csv": rows(ROW, ROW | {"event_id": "nk-2", "launch_site": "Kusong"})})
    assert site.run("import", "launches.csv").code == 0
    names = sorted(p.name for p in (site.root / "content/incidents").glob("*.md"))
    assert names == ["2017-07-04-hwasong-14-2.md", "2017-07-04-hwasong-14.md"]


def test_invalid_rows_get_the_errors_notes_get_and_write_nothing(make_site):
    site = make_site({"launches.csv": rows(ROW | {"missile_type": "XRBM", "distance_km": "far"}, ROW | {
        "event_id": "nk-2", "date": "2017-02-30"})})
    run = site.run("import", "launches.csv")
    assert run.code == 1
    lines = run.err.splitlines()
    assert any(line.startswith("launches.csv:2: `missile_type` is `XRBM`, which is not in [vocabularies.missile_types]")
               for line in lines), run.err
    assert any(line.startswith("launches.csv:2: `distance_km` must be a number or null when unknown, not `far`")
               for line in lines), run.err
    assert any(line.startswith("launches.csv:3: `date` 2017-02-30 is not a real date") for line in lines), run.err
    assert list((site.root / "content/incidents").glob("*.md")) == []


def test_context_file_makes_context_notes_and_nuclear_tests(make_site):
    context = ("date,kind,title,detail,source,end_date,time_local,yield_kt,seismic_magnitude\n"
               "2018-06-12,summit,Singapore summit,The leaders met.,https://example.com/s,,,,\n"
               "2017-09-03,nuclear_test,Sixth nuclear test,The largest yield.,https://example.com/n,,12:30,100,6.3\n")
    site = make_site({"context.csv": context})
    run = site.run("import", "context.csv")
    assert run.code == 0, run.err
    summit = front(site.root / "content/context/2018-06-12-singapore-summit.md")
    assert summit["kind"] == "summit"
    test = front(site.root / "content/incidents/2017-09-03-sixth-nuclear-test.md")
    assert test["kind"] == "nuclear_test" and test["seismic_magnitude"] == 6.3 and test["yield_kt"] == "100"
    assert site.run("build").code == 0


def test_a_file_of_another_shape_is_refused(make_site):
    site = make_site({"other.csv": "a,b\n1,2\n"})
    run = site.run("import", "other.csv")
    assert run.code == 1 and run.err.startswith("other.csv:1: the columns match neither")
