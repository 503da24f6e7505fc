"""site.toml checks, exit codes and what a failed build leaves behind."""

from __future__ import annotations

from conftest import SITE_TOML, incident

NOTE = {"content/incidents/2017-07-04-a.md": incident()}


def test_every_config_problem_is_reported_in_one_run_with_its_line(make_site):
    toml = SITE_TOML.replace('language = "en"', 'langauge = "en"').replace(
        'base_url = "https://example.org/"', "base_url = 42")
    site = make_site(NOTE, toml=toml)
    run = site.run("build")
    assert run.code == 1
    lines = run.err.splitlines()
    assert "site.toml:4: `base_url` must be text in quotes, not a whole number" in lines
    assert "site.toml:5: unknown key `langauge`. Did you mean `language`? Remove it or fix its name." in lines
    assert "site.toml:1: missing key `language`: add it to site.toml" in lines
    assert lines[-1] == "Error: 3 problems found; nothing was written."
    assert "Traceback" not in run.err
    assert not site.public.exists()


def test_periods_must_follow_each_other_and_carry_an_offset(make_site):
    toml = SITE_TOML.replace("start = 2017-01-20T12:00:00-05:00", "start = 2016-01-20T12:00:00-05:00").replace(
        "start = 2021-01-20T12:00:00-05:00", "start = 2021-01-20T12:00:00")
    site = make_site(NOTE, toml=toml)
    run = site.run("build")
    assert run.code == 1
    assert ("site.toml:20: period `Trump (1st term)` overlaps or precedes `Obama`: list periods in order, each "
            "starting when the previous one ends") in run.err.splitlines()
    assert "site.toml:27: `start` needs a UTC offset, e.g. 2025-01-20T12:00:00-05:00" in run.err.splitlines()


def test_invalid_toml_names_the_line(make_site):
    site = make_site(NOTE, toml=SITE_TOML.replace('title = "Test timeline"', 'title = "Test timeline'))
    run = site.run("build")
    assert run.code == 1 and run.err.startswith("site.toml:1: invalid TOML")


def test_a_failed_build_leaves_the_last_good_site_byte_identical(make_site):
    site = make_site(NOTE)
    assert site.run("build").code == 0
    before = site.snapshot()
    site.write({"content/incidents/2017-07-04-a.md": incident(count="three"),
                "content/incidents/2017-07-05-b.md": incident("B", "2017-07-05", outcome="sucess")})
    run = site.run("build")
    assert run.code == 1
    assert run.err.splitlines()[:2] == [
        "content/incidents/2017-07-04-a.md:7: `count` must be a whole number or null when unknown, not `three`",
        "content/incidents/2017-07-05-b.md:12: `outcome` is `sucess`, which is not in [vocabularies.outcomes] of "
        "site.toml. Did you mean `success`? Use one of: success, failure, unknown",
    ]
    assert site.snapshot() == before


def test_bad_usage_exits_2_and_help_exits_0(make_site):
    site = make_site(NOTE)
    assert site.run("build", "--no-such-flag").code == 2
    assert site.run("frobnicate").code == 2
    assert site.run("--help").code == 0


def test_base_url_with_a_subpath_prefixes_every_link(make_site):
    site = make_site(NOTE)
    assert site.run("build", "--base-url", "https://example.org/salvo/").code == 0
    home = site.page("index.html")
    links = [str(a["attrs"]["href"]) for a in home.find_all("a") if str(a["attrs"].get("href", "")).startswith("/")]
    assert links and all(href.startswith("/salvo/") for href in links)
    assert home.find_all("link", rel="stylesheet")[0]["attrs"]["href"] == "/salvo/static/style.css"
    assert home.find_all("link", rel="canonical")[0]["attrs"]["href"] == "https://example.org/salvo/"


def test_drafts_are_left_out_unless_asked_for(make_site):
    site = make_site({**NOTE, "content/incidents/2017-07-05-d.md": incident("Draft one", "2017-07-05", draft="true")})
    assert site.run("build").code == 0
    assert not (site.public / "incidents/2017-07-05-d").exists()
    assert site.run("build", "--drafts").code == 0
    assert site.page("incidents/2017-07-05-d/index.html").text_of("p", class_="draft-banner")


def test_two_builds_are_byte_identical_and_removed_notes_leave_no_page(make_site):
    site = make_site({**NOTE, "content/incidents/2017-07-05-b.md": incident("B", "2017-07-05")})
    assert site.run("build").code == 0
    first = site.snapshot()
    assert site.run("build").code == 0
    assert site.snapshot() == first
    (site.root / "content/incidents/2017-07-05-b.md").unlink()
    assert site.run("build").code == 0
    assert not (site.public / "incidents/2017-07-05-b").exists()
    assert "2017-07-05-b" not in (site.public / "sitemap.xml").read_text()
