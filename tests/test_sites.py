"""The gazetteer (launch-sites.toml): its entries against the sources it cites, the repository's notes against it,
the checks it adds, and the canonical site each incident carries."""

from __future__ import annotations

import csv
import json
import time
import tomllib

import yaml
from conftest import ROOT, SITE_TOML, incident
from test_serve import CHANGE, serve, until  # noqa: F401 (serve is the fixture: a running preview)

from salvo.config import load_config
from salvo.options import Options
from salvo.pipeline import load_site
from salvo.sites import distance_km

SITES = (ROOT / "launch-sites.toml").read_text(encoding="utf-8")
RAW = ROOT / "sources" / "raw"


def sources_positions() -> set[tuple[float, float]]:
    """Every position the cited sources give: nagix's facilities and the CNS facility columns."""
    nagix = json.loads((RAW / "nagix_nk-missile-tests" / "facility.en.json").read_text(encoding="utf-8"))
    positions = {(f["lat"], f["lon"]) for f in nagix["facilities"].values()}
    with (RAW / "cns_via_mesege1_dprk_missile_stats" / "north_korea_missile_test_database.csv").open(
            encoding="cp1252") as handle:
        for row in csv.DictReader(handle):
            if row["Facility Latitude"] != "Unknown":
                positions.add((float(row["Facility Latitude"]), float(row["Facility Longitude"])))
    return positions


def test_every_position_is_one_the_cited_sources_give():
    sites = tomllib.loads(SITES)["sites"]
    placed = [(s["latitude"], s["longitude"]) for s in sites if "latitude" in s]
    assert len(placed) >= 50
    assert set(placed) <= sources_positions()
    assert all(s["source"].strip() for s in sites)


def test_every_site_spelled_in_the_notes_is_known_and_one_site_is_counted_once():
    gazetteer = load_config(ROOT).sites
    assert gazetteer is not None
    written = {yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]).get("launch_site")
               for p in (ROOT / "content" / "incidents").glob("*.md")}
    unknown = {name for name in written if name and name != "Unknown" and gazetteer.find(name) is None}
    assert unknown == set()
    same = [("Sunan", "Pyongyang International Airport"), ("Samsok", "Samsok missile test site",
            "Samsok missile test site #2", "Samsok missile test site #3", "Samsok ICBM test site"),
            ("Kaechon Air Base", "Kaechon Airbase"), ("Sondok", "Sondok Airbase"), ("wonsan", "Wonsan Kalma "
            "International Airport")]
    for names in same:
        assert len({gazetteer.find(name) for name in names}) == 1, names
    site, _ = load_site(ROOT, Options())
    by_site = {e.incident.launch_site: e.incident.facility for e in site.entries}
    assert by_site["Sunan"] == by_site["Pyongyang International Airport"] == "Pyongyang International Airport"
    assert len(set(by_site.values())) < len(set(by_site))


def test_distances_are_great_circle_kilometres():
    assert distance_km(39.2, 125.7, 39.2, 125.7) == 0
    assert abs(distance_km(0, 0, 0, 1) - 111.195) < 0.01  # a degree of longitude on the equator
    assert abs(distance_km(37.5665, 126.978, 39.0392, 125.7625) - 195) < 2  # Seoul to Pyongyang


def gazetteer_site(make_site, notes: dict[str, str], sites: str = SITES):
    """A test site with the repository's gazetteer (or the one given)."""
    return make_site({"launch-sites.toml": sites, **notes})


def test_a_site_that_is_no_name_or_alias_is_a_problem_with_a_suggestion(make_site):
    site = gazetteer_site(make_site, {
        "content/incidents/2017-07-04-a.md": incident(launch_site='"Panghyon Airbas"', latitude=39.927472,
                                                      longitude=125.207889),
        "content/incidents/2017-07-05-b.md": incident("B", "2017-07-05", launch_site="Unknown"),
        "content/incidents/2017-07-06-c.md": incident("C", "2017-07-06", launch_site="null"),
        "content/incidents/2017-07-07-d.md": incident("D", "2017-07-07", launch_site='"panghyon airport"')})
    run = site.run("build")
    assert run.code == 1
    assert run.err.splitlines() == [
        "content/incidents/2017-07-04-a.md:8: `launch_site` is `Panghyon Airbas`, which is not a name or alias in "
        "launch-sites.toml. Did you mean `Panghyon Airbase`? Write a name or alias listed there, \"Unknown\" if the "
        "site is not known, or add the site to launch-sites.toml with the source of its position",
        "Error: 1 problem found; nothing was written."]


def test_coordinates_more_than_10_km_from_the_sites_are_a_problem(make_site):
    # Panghyon Airbase is at 39.927472, 125.207889: 0.08 degrees of latitude south is 8.9 km, 0.1 is 11.1 km.
    site = gazetteer_site(make_site, {
        "content/incidents/2017-07-04-a.md": incident(launch_site='"Panghyon Airbase"', latitude=39.847472,
                                                      longitude=125.207889),
        "content/incidents/2017-07-05-b.md": incident("B", "2017-07-05", launch_site='"Panghyon Airport"',
                                                      latitude=39.827472, longitude=125.207889)})
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "content/incidents/2017-07-05-b.md:13: `latitude` and `longitude` (39.827472, 125.207889) are 11 km from "
        "Panghyon Airbase as launch-sites.toml places it (39.927472, 125.207889), more than 10 km: correct them, or "
        "name the site they belong to"]


def test_without_a_gazetteer_any_site_is_taken_as_written(make_site):
    site = make_site({"content/incidents/2017-07-04-a.md": incident(launch_site='"Anywhere at all"')})
    assert site.run("build").code == 0
    built, _ = load_site(site.root, Options())
    assert built.entries[0].incident.facility == "Anywhere at all"


def test_every_problem_of_the_gazetteer_is_reported_with_its_line(make_site):
    sites = ('[[sites]]\nname = "Alpha"\naliases = ["A"]\nlatitude = 39.0\nsource = "x"\n\n'
             '[[sites]]\nname = "Beta"\naliases = ["a", "Unknown"]\nlatitude = 39.0\nlongitude = 200\nsource = "x"\n\n'
             '[[sites]]\nname = "Gamma"\nprovnce = "P"\n')
    site = gazetteer_site(make_site, {"content/incidents/2017-07-04-a.md": incident()}, sites=sites)
    site.write({"site.toml": SITE_TOML.replace('language = "en"', 'language = 3')})
    run = site.run("build")
    assert run.code == 1
    assert run.err.splitlines() == [
        "launch-sites.toml:4: give both `latitude` and `longitude`, or neither",
        "launch-sites.toml:9: `Unknown` cannot name a site: notes write `Unknown` when the site is not known",
        "launch-sites.toml:9: `a` already names the site `Alpha`: a name or alias belongs to one site",
        "launch-sites.toml:10: `latitude` and `longitude` must be degrees, within ±90 and ±180: not (39.0, 200)",
        "launch-sites.toml:14: [[sites]] number 3 needs `source`",
        "launch-sites.toml:16: unknown key `provnce` in [[sites]]. Did you mean `province`?",
        "site.toml:5: `language` must be text in quotes, not a whole number",
        "Error: 7 problems found; nothing was written.",
    ]


def test_an_edit_to_the_gazetteer_is_built_at_once(make_site):
    site = gazetteer_site(make_site, {"content/incidents/2017-07-04-a.md": incident(launch_site='"Wonsan"')})
    assert site.run("build").code == 0
    time.sleep(2.1)  # every input settled, so the next build records a stamp and the one after trusts it
    assert site.run("build").code == 0
    assert site.run("build").out.startswith("Up to date")
    (site.root / "launch-sites.toml").write_text(SITES.replace('"Wonsan", ', ""), encoding="utf-8")
    run = site.run("build")
    assert run.code == 1 and "`launch_site` is `Wonsan`, which is not a name or alias" in run.err


def test_the_preview_rebuilds_when_the_gazetteer_changes(serve):  # noqa: F811
    served = serve({"launch-sites.toml": SITES})
    assert served.shows("First account.")
    (served.site.root / "launch-sites.toml").write_text(SITES.replace('name = "Panghyon"\n', 'name = "Panghyon-dong '
                                                                      'site"\n'), encoding="utf-8")
    page = until(served.overlaid, CHANGE, "the problem to be laid over the page")
    assert [str(item["text"]).split(": ", 1)[1].split(".")[0] for item in page.problems()] == [
        "`launch_site` is `Panghyon`, which is not a name or alias in launch-sites"]
