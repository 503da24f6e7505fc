"""Drafts, as Hugo's archetypes have them: left out by `build` whatever state they are in, shown by `serve` and
`build --drafts` with a banner, listed by `check` as unfinished without failing it."""

from __future__ import annotations

import json

from conftest import incident

UNFINISHED = ("---\ntitle: \"Launch being written up\"\ndate: \"2017-07-28\"\ntime: null\nmissile_type: null\n"
              "outcome: null\nsources:\n  - title: null\n    publisher: null\n    url: null\ndraft: true\n---\n"
              "Half an account.\n")
CONTEXT = ("---\ntitle: \"Talks being written up\"\ndate: \"2018-06-12\"\nkind: summit\nsources: []\ndraft: true\n"
           "---\nNotes.\n")
MISTAKEN = incident("Mistaken draft", "2017-08-01", time='"9:40"', draft="true", outcome=None)
PUBLISHED = {"content/incidents/2017-07-04-first.md": incident("First")}


def test_build_leaves_drafts_out_whatever_their_state(make_site):
    site = make_site({**PUBLISHED, "content/incidents/2017-07-28-unfinished.md": UNFINISHED,
                      "content/incidents/2017-08-01-mistaken.md": MISTAKEN,
                      "content/context/2018-06-12-talks.md": CONTEXT})
    run = site.run("build")
    assert run.code == 0, run.err
    assert run.out.startswith("Built 4 notes")
    pages = {p.relative_to(site.public).as_posix() for p in site.public.rglob("index.html")}
    assert "incidents/2017-07-04-first/index.html" in pages
    assert not any(name in page for page in pages for name in ("unfinished", "mistaken", "talks"))


def test_check_lists_each_draft_with_what_is_left_and_passes(make_site):
    site = make_site({**PUBLISHED, "content/incidents/2017-07-28-unfinished.md": UNFINISHED,
                      "content/incidents/2017-08-01-mistaken.md": MISTAKEN,
                      "content/context/2018-06-12-talks.md": CONTEXT,
                      "content/incidents/2017-08-02-ready.md": incident("Ready", "2017-08-02", draft="true"),
                      "content/pages/about.md": "---\ntitle: About\ndraft: true\n---\nSoon.\n"})
    run = site.run("check")
    assert (run.code, run.err) == (0, "No problems found; 5 drafts left out.\n")
    assert run.out.splitlines() == [
        "content/context/2018-06-12-talks.md:6: draft, left out of the site: to publish it, fill in sources, then "
        "set `draft: false`",
        "content/incidents/2017-07-28-unfinished.md:11: draft, left out of the site: to publish it, fill in "
        "missile_type, outcome, sources, then set `draft: false`",
        "content/incidents/2017-08-01-mistaken.md:12: draft, left out of the site: to publish it, fix its 1 problem "
        "(`check --drafts` lists them), then fill in any required field left blank, then set `draft: false`",
        "content/incidents/2017-08-02-ready.md:13: draft, left out of the site: to publish it, set `draft: false`",
        "content/pages/about.md:3: draft, left out of the site: to publish it, set `draft: false`",
    ]
    listed = json.loads(site.run("check", "--format", "json").out)
    assert {(p["path"], p["field"]) for p in listed} == {(line.split(":")[0], "draft") for line in run.out.splitlines()}


def test_check_and_build_with_drafts_judge_drafts_but_allow_their_blanks(make_site):
    site = make_site({**PUBLISHED, "content/incidents/2017-07-28-unfinished.md": UNFINISHED,
                      "content/incidents/2017-08-01-mistaken.md": MISTAKEN})
    run = site.run("check", "--drafts")
    assert run.code == 1
    assert run.out.splitlines()[1:] == [
        "content/incidents/2017-08-01-mistaken.md:4: `time` must be \"HH:MM\" on a 24-hour clock (Korea Standard "
        "Time), not \"9:40\"",
        "content/incidents/2017-08-01-mistaken.md:12: draft, left out of the site: to publish it, fix its 1 problem, "
        "then fill in any required field left blank, then set `draft: false`",
    ]
    assert run.err == "1 problem found; 2 drafts left out.\n"
    built = site.run("build", "--drafts")
    assert built.code == 1 and built.err.startswith("content/incidents/2017-08-01-mistaken.md:4: `time` must be")
    (site.root / "content/incidents/2017-08-01-mistaken.md").unlink()
    built = site.run("build", "--drafts")
    assert built.code == 0, built.err
    page = site.page("incidents/2017-07-28-unfinished/index.html")
    assert page.text_of("p", class_="draft-banner") == [
        "Draft: left out of the published site until you set draft: false. Still to fill in: missile_type, outcome, "
        "sources."]
    facts = dict(zip(page.text_of("th"), page.text_of("td"), strict=False))
    assert (facts["Missile class"], facts["Outcome"]) == ("to fill in", "to fill in")


def test_a_draft_may_not_leave_its_title_date_or_kind_blank(make_site):
    site = make_site({**PUBLISHED, "content/incidents/2017-07-28-untitled.md": UNFINISHED.replace(
        'title: "Launch being written up"', "title: null"),
                      "content/context/2018-06-12-talks.md": CONTEXT.replace("kind: summit", "kind: null")})
    run = site.run("check", "--drafts")
    assert run.code == 1
    assert [line.split(": ", 1)[1] for line in run.out.splitlines() if "draft," not in line] == [
        "`kind` is required but is null: fill it in", "`title` is required but is null: fill it in"]


def test_a_draft_does_not_clash_with_the_published_notes_unless_published(make_site):
    site = make_site({**PUBLISHED, "content/incidents/2017-07-05-copy.md": incident(
        "Copy", "2017-07-05", event_id="nk-1", draft="true"),
                      "content/incidents/2017-07-04-first.md": incident("First", event_id="nk-1")})
    assert site.run("build").code == 0
    clash = site.run("build", "--drafts")
    assert clash.code == 1 and "share the event_id nk-1" in clash.err


def test_a_context_draft_and_a_page_draft_carry_the_banner_when_drafts_are_built(make_site):
    site = make_site({**PUBLISHED, "content/context/2018-06-12-talks.md": CONTEXT,
                      "content/pages/about.md": "---\ntitle: About\ndraft: true\n---\nSoon.\n"})
    run = site.run("build", "--drafts")
    assert run.code == 0, run.err
    assert site.page("context/2018-06-12-talks/index.html").text_of("p", class_="draft-banner") == [
        "Draft: left out of the published site until you set draft: false. Still to fill in: sources."]
    assert site.page("about/index.html").text_of("p", class_="draft-banner") == [
        "Draft: left out of the published site until you set draft: false."]
    assert not site.page("incidents/2017-07-04-first/index.html").find_all("p", class_="draft-banner")
