"""`build.py check`: validation and link problems, as text or JSON, with exit codes; writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SITE_TOML, incident

BODY = ("A short account, see [the other launch](/incidents/2017-07-28-second/), [the terms](/periods/#main)\n"
        "and [the top of this page](#main).\n")
BROKEN = ("A short account with [a dead link](/incidents/nope/)\n"
          "and [a dead anchor](#missing).\n")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under root."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


def test_a_broken_link_and_anchor_in_a_note_body_are_reported_at_the_notes_lines(make_site):
    site = make_site({
        "content/incidents/2017-07-04-first.md": incident("First", body=BROKEN),
        "content/incidents/2017-07-28-second.md": incident("Second", "2017-07-28", body=BODY),
    })
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "content/incidents/2017-07-04-first.md:18: broken link `/incidents/nope/`: no page or file at /incidents/nope/ "
        "in the built site",
        "content/incidents/2017-07-04-first.md:19: broken anchor `#missing`: this page has no element with "
        "id=\"missing\"",
    ]
    assert run.err.strip() == "2 problems found."


def test_a_broken_link_from_a_field_is_reported_at_the_fields_line(make_site):
    own = "https://example.org/incidents/2017-07-28-gone/"
    note = incident("First").replace('url: "https://example.com/a"', f'url: "{own}"')
    site = make_site({"content/incidents/2017-07-04-first.md": note})
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [f"content/incidents/2017-07-04-first.md:16: broken link `{own}`: no page or file "
                                    "at /incidents/2017-07-28-gone/ in the built site"]


def test_a_broken_link_made_by_a_template_is_reported_at_the_output_page(make_site):
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First"),
                      "templates/404.html": '{% extends "base.html" %}{% block main %}\n<a href="/nowhere/">x</a>'
                                            "{% endblock %}\n"})
    run = site.run("check")
    assert run.code == 1
    [line] = run.out.splitlines()
    path, number, message = line.split(":", 2)
    assert (path, number.isdigit()) == ("public/404.html", True)
    assert message == (" broken link `/nowhere/`: no page or file at /nowhere/ in the built site (made by the page's "
                       "template)")


def test_json_output_is_a_list_of_path_line_field_message(make_site):
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First", body=BROKEN)})
    run = site.run("check", "--format", "json")
    assert run.code == 1
    problems = json.loads(run.out)
    assert [sorted(p) for p in problems] == [["field", "line", "message", "path"]] * 2
    assert [(p["path"], p["line"], p["field"]) for p in problems] == [
        ("content/incidents/2017-07-04-first.md", 18, "link"), ("content/incidents/2017-07-04-first.md", 19, "anchor")]
    assert "`/incidents/nope/`" in problems[0]["message"]


def test_a_clean_site_passes_with_exit_0(make_site):
    site = make_site({
        "content/incidents/2017-07-04-first.md": incident("First", body="Then [the second](../2017-07-28-second/)."),
        "content/incidents/2017-07-28-second.md": incident("Second", "2017-07-28", body=BODY),
        "content/pages/about.md": "---\ntitle: About\n---\n[The timeline](/#timeline), [CSV](/data/incidents.csv).\n",
    })
    run = site.run("check")
    assert (run.code, run.out, run.err.strip()) == (0, "", "No problems found.")
    json_run = site.run("check", "--format", "json")
    assert (json_run.code, json.loads(json_run.out)) == (0, [])


def test_invalid_notes_are_reported_as_build_reports_them(make_site):
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First", time='"9:40"', missile_type="ICMB")})
    run = site.run("check")
    assert run.code == 1
    built = site.run("build")
    assert run.out.splitlines() == built.err.splitlines()[:-1]
    assert [line.split(": ", 1)[0] for line in run.out.splitlines()] == ["content/incidents/2017-07-04-first.md:4",
                                                                         "content/incidents/2017-07-04-first.md:5"]


def test_a_configuration_problem_is_reported_with_exit_1(make_site):
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First")},
                     toml=SITE_TOML.replace('language = "en"', 'language = "en"\nlanguge = "en"'))
    run = site.run("check", "--format", "json")
    assert run.code == 1
    assert json.loads(run.out) == [{"path": "site.toml", "line": 6, "field": "languge",
                                    "message": "unknown key `languge`. Did you mean `language`? "
                                               "Remove it or fix its name."}]


def test_check_writes_nothing_whether_it_passes_or_fails(make_site):
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First")})
    before = tree(site.root)
    assert site.run("check").code == 0
    broken = site.root / "content/incidents/2017-07-28-second.md"
    broken.write_text(incident("Second", "2017-07-28", body=BROKEN), encoding="utf-8")
    before_failing = tree(site.root)
    assert site.run("check", "--format", "json").code == 1
    assert tree(site.root) == before_failing
    broken.unlink()
    assert tree(site.root) == before
    assert not site.public.exists()


def test_a_link_to_a_draft_is_broken_unless_drafts_are_checked(make_site):
    site = make_site({
        "content/incidents/2017-07-04-first.md": incident("First", body="See [the draft](/incidents/2017-07-28-d/)."),
        "content/incidents/2017-07-28-d.md": incident("Draft", "2017-07-28", draft="true"),
    })
    run = site.run("check")
    assert run.code == 1 and "broken link `/incidents/2017-07-28-d/`" in run.out
    assert site.run("check", "--drafts").code == 0


def test_body_links_are_resolved_under_the_base_path(make_site):
    toml = SITE_TOML.replace('base_url = "https://example.org/"', 'base_url = "https://example.org/salvo/"')
    site = make_site({"content/incidents/2017-07-04-first.md": incident("First", body=BROKEN),
                      "content/incidents/2017-07-28-second.md": incident("Second", "2017-07-28", body=BODY)},
                     toml=toml)
    problems = json.loads(site.run("check", "--format", "json").out)
    assert [(p["path"], p["line"], p["message"].split(":")[0]) for p in problems] == [
        ("content/incidents/2017-07-04-first.md", 18, "broken link `/salvo/incidents/nope/`"),
        ("content/incidents/2017-07-04-first.md", 19, "broken anchor `#missing`")]


def test_a_clean_site_under_a_base_path_passes(make_site):
    toml = SITE_TOML.replace('base_url = "https://example.org/"', 'base_url = "https://example.org/salvo/"')
    site = make_site({"content/incidents/2017-07-28-second.md": incident("Second", "2017-07-28")}, toml=toml)
    run = site.run("check")
    assert run.code == 0, run.out
