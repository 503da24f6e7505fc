"""`build.py import`: CSV rows to notes, safe to run again, never overwriting an editor's note."""

from __future__ import annotations

import builtins
import contextlib
import csv
import io
import os
import pty
import unicodedata
from pathlib import Path

import pytest
import yaml

from salvo import importer
from salvo.progress import progress

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
    assert "1 note added, 1 already present, 1 difference reported" in run.out
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


HAND = ('---\ntitle: "{title}"\ndate: 2018-06-12\nkind: statement\nsources:\n  - title: "A source"\n'
        '    publisher: "A publisher"\n    url: "https://example.com/a"\n---\nWritten by hand.\n')
CONTEXT_HEADER = "date,kind,title,detail,source\n"
# Names an editor may give the note by hand that a case-insensitive file system (APFS, NTFS) takes for the name
# the importer gives the row `2018-06-12,summit,<title>`: other letter case, and the other Unicode normalisation.
SAME_NAMES = [("2018-06-12-Singapore-Summit.md", "Singapore summit"),
              (unicodedata.normalize("NFD", "2018-06-12-Sommet-à-Singapour.md"), "Sommet à Singapour")]


def case_insensitive(monkeypatch, root: Path) -> None:
    """Make every file opened under `root` be looked up as macOS and Windows do by default: a name finds an entry
    that differs only in letter case or Unicode normalisation, and a new file keeps the name it was given.

    No such file system can be mounted here (the kernel has neither vfat nor ext4's casefold), so the lookup is
    simulated where Salvo opens files: Python's open(), which Path.open and Path.write_text use too."""
    real_open = io.open

    def key(name: str) -> str:
        return unicodedata.normalize("NFC", name).casefold()

    def lookup(file: object) -> object:
        if not isinstance(file, str | os.PathLike):
            return file
        path = Path(os.path.abspath(file))
        if not path.is_relative_to(root):
            return file
        found = root
        for part in path.relative_to(root).parts:
            entries = os.listdir(found) if found.is_dir() else []
            found = found / next((e for e in entries if key(e) == key(part)), part)
        return found

    def open_(file: object, *args: object, **kwargs: object) -> object:
        return real_open(lookup(file), *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(io, "open", open_)
    monkeypatch.setattr(builtins, "open", open_)


@pytest.mark.parametrize(("name", "title"), SAME_NAMES, ids=["case", "normalisation"])
def test_a_hand_written_note_that_differs_only_in_case_is_never_overwritten(make_site, monkeypatch, name, title):
    hand = HAND.format(title=title)
    site = make_site({f"content/context/{name}": hand,
                      "context.csv": f"{CONTEXT_HEADER}2018-06-12,summit,{title},The leaders met.,https://example.com/s\n"})
    case_insensitive(monkeypatch, site.root)
    assert importer.run_import(site.root, site.root / "context.csv") == 0
    monkeypatch.undo()
    assert (site.root / "content/context" / name).read_text(encoding="utf-8") == hand
    written = sorted(p.name for p in (site.root / "content/context").iterdir())
    assert len(written) == 2 and next(n for n in written if n != name).endswith("-2.md"), written
    build = site.run("build")
    assert build.code == 0, build.err  # one URL each: before, a second file published to the same URL on Linux


def test_import_never_replaces_a_file_the_file_system_takes_for_a_new_name(make_site, monkeypatch, capsys):
    name, title = SAME_NAMES[0]
    hand = HAND.format(title=title)
    site = make_site({f"content/context/{name}": hand,
                      "context.csv": f"{CONTEXT_HEADER}2018-06-12,summit,{title},The leaders met.,https://example.com/s\n"})
    case_insensitive(monkeypatch, site.root)
    monkeypatch.setattr(importer, "_taken_names", lambda source: set())  # as if the file came after the listing
    assert importer.run_import(site.root, site.root / "context.csv") == 0
    monkeypatch.undo()
    assert (site.root / "content/context" / name).read_text(encoding="utf-8") == hand
    assert (site.root / "content/context/2018-06-12-singapore-summit-2.md").is_file()
    assert "1 note added" in capsys.readouterr().out


def test_a_byte_order_mark_is_read_as_excel_writes_it(make_site):
    long = "Sea of Japan" + " and further" * 12_000  # over the csv module's limit of 128 KB for a field
    site = make_site({"launches.csv": b"\xef\xbb\xbf" + rows(ROW | {"landing": long}).replace("\n", "\r\n").encode()})
    run = site.run("import", "launches.csv")
    assert run.code == 0, run.err
    assert "1 note added" in run.out
    assert front(site.root / "content/incidents/2017-07-04-hwasong-14.md")["landing"] == long
    assert site.run("build").code == 0


def test_every_bad_row_is_reported_at_its_line_and_nothing_is_written(make_site):
    csv_text = rows(ROW | {"event_id": "nk-1", "date": "2017-03-06"},  # a good row: not written either
                    ROW | {"event_id": "nk-2", "missile_name": "Bell\x07"},
                    ROW | {"event_id": "nk-3", "landing": "x" * 1_100_000},
                    ROW | {"event_id": "nk-4", "outcome": "sucess"})
    lines = csv_text.splitlines(keepends=True)
    short = ",".join(HEADER.split(",")[:5]).replace("date,time_local,missile_type,missile_name,count", "2017-09-15,"
                                                                                                      "06:57,IRBM,x,1")
    context = (f"{CONTEXT_HEADER}2018-06-12,summit,Summit,\"The leaders\nmet.\x1b\",https://example.com/s\n"
               "2018-06-13,summit,Short row\n")
    site = make_site({"launches.csv": "".join(lines[:3]) + short + "\n" + "".join(lines[3:]), "context.csv": context})
    run = site.run("import", "launches.csv")
    assert run.code == 1 and "Traceback" not in run.err, run.err
    err = run.err.splitlines()
    assert err[0].startswith("launches.csv:3: `title` contains the control character U+0007"), err
    assert err[1].startswith("launches.csv:3: `missile_name` contains the control character U+0007"), err
    assert err[2].startswith("launches.csv:4: the row has 5 fields where the header has 27"), err
    assert err[3].startswith("launches.csv:5: the note is 1075 KB, over the limit of 1024 KB"), err
    assert err[4].startswith("launches.csv:6: `outcome` is `sucess`"), err
    assert err[5] == "launches.csv: 4 rows refused, so no note was written (fix the rows and import again)"
    run = site.run("import", "context.csv")
    assert run.code == 1 and "Traceback" not in run.err, run.err
    err = run.err.splitlines()
    assert err[0].startswith("context.csv:2: contains the control character U+001B"), err
    assert err[1].startswith("context.csv:4: the row has 3 fields where the header has 5"), err  # 2-3: one row
    assert list((site.root / "content").rglob("*.md")) == []
    assert site.run("build").code == 0


def body(path: Path) -> str:
    """A note's body, as one line."""
    return " ".join(path.read_text(encoding="utf-8").split("---\n", 2)[2].split())


def test_generated_accounts_read_as_english(make_site):
    site = make_site({"launches.csv": rows(
        ROW | {"event_id": "nk-1", "missile_type": "cruise", "missile_name": "", "count": "", "distance_km": "",
               "apogee_km": "", "landing": "unknown"},
        ROW | {"event_id": "nk-2", "date": "2017-07-05", "count": "2", "landing": "Sea of Japan (East Sea) / unknown"},
        ROW | {"event_id": "nk-3", "date": "2017-07-06", "missile_type": "SRBM", "missile_name": "", "count": "1200",
               "distance_km": "12000", "apogee_km": "1500.5"},
        ROW | {"event_id": "nk-4", "date": "2017-07-07", "count": "", "apogee_km": ""})})
    assert site.run("import", "launches.csv").code == 0
    notes = site.root / "content/incidents"
    assert body(notes / "2017-07-04-cruise.md").startswith(
        "On 4 July 2017 at 09:40 Korea time, North Korea launched one or more cruise missiles from "
        "Panghyon in North Pyongan Province. The record does not say how many. The record gives neither the "
        "distance flown nor the apogee.")
    two = body(notes / "2017-07-05-hwasong-14.md")
    assert "/ unknown" not in two and "unknown" not in two
    assert ("The longest flight flew about 933 km and reached an apogee of about 2,802 km. At least one came down "
            "in the Sea of Japan (East Sea); the record does not say where the others did.") in two
    many = body(notes / "2017-07-06-srbm.md")
    assert "launched 1,200 SRBMs from" in many
    assert "flew about 12,000 km and reached an apogee of about 1,500.5 km" in many
    unknown = body(notes / "2017-07-07-hwasong-14.md")
    assert "launched one or more ICBMs (Hwasong-14) from" in unknown
    assert "The longest flight flew about 933 km, coming down in the Sea of Japan (East Sea)." in unknown
    assert site.run("build").code == 0


def test_progress_is_one_line_on_a_terminal_and_nothing_elsewhere():
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        assert list(progress(range(3), "Checking rows", terminal, after=0)) == [0, 1, 2]
    shown = b""
    with contextlib.suppress(OSError):  # EIO once everything written has been read and the terminal is closed
        while chunk := os.read(master, 4096):
            shown += chunk
    os.close(master)
    shown = shown.decode()
    assert shown.startswith("\rChecking rows: 0 of 3 (0%)\x1b[K"), repr(shown)
    assert shown.endswith("\r\x1b[K"), "the line is erased at the end"
    log = io.StringIO()  # a file or a pipe: not a terminal
    assert list(progress(range(3), "Checking rows", log, after=0)) == [0, 1, 2] and log.getvalue() == ""


def test_import_output_to_a_pipe_is_plain(make_site):
    site = make_site({"launches.csv": rows(*(ROW | {"event_id": f"nk-{n}"} for n in range(40)))})
    run = site.run("import", "launches.csv")
    assert run.code == 0 and run.out == "Imported launches.csv: 40 notes added, 0 already present, 0 differences " \
                                        "reported.\n" and run.err == ""
