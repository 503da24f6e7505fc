"""The command line: parse arguments, call one stage function, turn SiteError into messages and exit codes.

Exit codes: 0 success, 1 invalid content, 2 bad usage, 3 the machine refused (a full disk, a folder that cannot be
written).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import tomllib
from pathlib import Path

from salvo.errors import SiteError, machine_problem
from salvo.options import Options, today
from salvo.schema import INCIDENT, KIND
from salvo.stamp import CACHE_DIR, Stamp, cache_folder

COMMANDS = ("build", "serve", "new", "check", "import")
ROOT = Path(__file__).resolve().parent.parent
KOREA = "Korea Standard Time (UTC+9)"
EXAMPLES = {
    None: """examples:
  build.py build                      write the site into public/
  build.py serve                      preview at http://127.0.0.1:8000/, drafts included, live reload
  build.py new "SRBM launch" --date 2026-04-19 --type SRBM --site Wonsan
  build.py check                      everything build would refuse, and every broken link
  build.py new --help                 the options of one command

The editor's guide: docs/workflow.md.""",
    "build": """examples:
  build.py build
  build.py build --drafts --destination /tmp/preview
  build.py build --base-url https://example.github.io/salvo/""",
    "check": """examples:
  build.py check
  build.py check --drafts --format json""",
    "serve": """examples:
  build.py serve
  build.py serve --port 8080""",
    "new": """The note is written to content/incidents/YYYY-MM-DD-slug.md as a draft (draft: true): `build` leaves it
out, `serve` shows it with a draft banner and `check` lists it as unfinished, until you set draft: false.
Values given are checked as `build` checks them; nothing is written if one is wrong.

examples:
  build.py new "SRBM launch" --date 2026-04-19 --time 09:30 --type SRBM --count 2 --site Wonsan
  build.py new "Sixth nuclear test" --kind nuclear_test --date 2017-09-03 --time 12:29 --site Punggye-ri
  build.py new                        (in a terminal: asks for the title, date, time, type, count and site)""",
    "import": """The shapes of both files, with an example row each: docs/import.md. Re-running an import adds the new
rows, reports differences with the notes already there, and never overwrites a note.

examples:
  build.py import sources/nk_launch_events.csv
  build.py import sources/context_events.csv""",
}


def version() -> str:
    """Salvo's version, as pyproject.toml gives it (or the metadata pip made from it, for an installed copy)."""
    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError):
        try:
            return importlib.metadata.version("salvo")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"


def vocabulary(argv: list[str], name: str) -> str:
    """The keys of a vocabulary of the site's site.toml (where --source points), for help texts; "" if unreadable."""
    source = Path(".")
    for n, arg in enumerate(argv):
        if arg in ("--source", "-s") and n + 1 < len(argv):
            source = Path(argv[n + 1])
        elif arg.startswith("--source="):
            source = Path(arg.split("=", 1)[1])
    try:
        with (source / "site.toml").open("rb") as handle:
            words = tomllib.load(handle)["vocabularies"][name]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return ""
    return ", ".join(map(str, words)) if isinstance(words, dict) else ""


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser, with Hugo's option names; `argv` gives the site whose vocabularies the help lists."""
    argv = argv or []
    main = argparse.ArgumentParser(prog="build.py", description="Salvo: build the North Korea test timeline.",
                                   epilog=EXAMPLES[None], formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--version", action="version", version=f"%(prog)s (Salvo) {version()}")
    commands = main.add_subparsers(dest="command", metavar="{build,serve,new,check,import}")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                                  epilog=EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR",
                         help="the site's folder, holding site.toml and content/ (default: the current folder)")
        return sub

    def drafts(sub: argparse.ArgumentParser, what: str) -> None:
        sub.add_argument("--drafts", "-D", action="store_true",
                         help=f"{what} notes marked `draft: true` as if published (default: left out)")

    build_cmd = command("build", "build the site into public/")
    build_cmd.add_argument("--destination", "-d", type=Path, metavar="DIR",
                           help="the folder to write the site into, replaced only when the build succeeds "
                                "(default: SOURCE/public)")
    drafts(build_cmd, "include")
    build_cmd.add_argument("--base-url", "-b", metavar="URL",
                           help="the absolute http(s) URL the site is served at, ending in /, e.g. "
                                "https://owner.github.io/salvo/ (default: base_url in site.toml)")

    check = command("check", "validate everything and check every internal link; write nothing")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text: a `path:line: message` line per problem; json: a list of {path, line, field, "
                            "message} (default: text)")
    drafts(check, "check")

    serve = command("serve", "preview the site with live reload, drafts included, built outside public/")
    serve.add_argument("--port", "-p", type=int, default=8000, metavar="PORT",
                       help="the TCP port to listen on, 1 to 65535 (default: 8000)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")

    new = command("new", "scaffold a new incident note, as a draft")
    types = vocabulary(argv, "missile_types") or "a key of [vocabularies.missile_types] in site.toml"
    outcomes = vocabulary(argv, "outcomes") or "a key of [vocabularies.outcomes] in site.toml"
    new.add_argument("title", nargs="?",
                     help="the incident in a few words, quoted; asked for when left out in a terminal")
    words = {"missile_types": types, "outcomes": outcomes, "korea": KOREA}
    for option in (spec.option for spec in INCIDENT if spec.option):
        new.add_argument(f"--{option.flag}", metavar=option.metavar, help=option.help.format(**words))
    new.add_argument("--kind", choices=KIND.choices, default=KIND.default,
                     help="a missile launch or a nuclear test (default: launch)")
    new.set_defaults(usage_error=new.error)

    importer = command("import", "turn the rows of a launch or context CSV file into notes")
    importer.add_argument("csv", type=Path, metavar="FILE.csv",
                          help="a UTF-8 CSV file with the columns of sources/nk_launch_events.csv (launches) or "
                               "sources/context_events.csv (context events)")
    return main


def main(argv: list[str]) -> int:
    """Run one command; return the exit code."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    try:
        args = parser(argv).parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if args.command is None:
        parser().print_help()
        return 2
    try:
        return HANDLERS[args.command](args)
    except SystemExit as exit_:  # a usage error found by the command itself
        return 2 if exit_.code else 0
    except SiteError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"Error: {count} problem{'s' if count != 1 else ''} found; nothing was written.", file=sys.stderr)
        return 1
    except OSError as error:  # the machine's state, not the site's content
        print(machine_problem(error), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


def run_build(args: argparse.Namespace) -> int:
    """`build`: write the site and print one summary line; when nothing it reads or wrote has changed since the
    last build, say so without importing the rest of Salvo."""
    source = args.source
    destination = args.destination or source / "public"
    options = Options(drafts=args.drafts, base_url=args.base_url, today=today())
    cache = cache_folder(str(source))
    if cache != os.path.join(source, CACHE_DIR):
        print(f"Note: {source} cannot be written: " + (f"the cache is kept in {cache}" if cache else
              "building without a cache (set XDG_CACHE_HOME to a folder that can be written to keep one)"),
              file=sys.stderr)
    stamp = Stamp(str(source), str(destination), repr(options), cache)  # before anything is read
    if last := stamp.recorded():
        print(f"Up to date: {last['notes']} notes, {len(last['paths'])} files, unchanged since the last build: "
              f"{destination}")
        return 0
    from salvo.pipeline import build

    report = build(source, destination, options)
    if report.outputs:  # with the signatures the write stage took
        live = report.outputs.live
        stamp.record(report.notes, {rel: signed for rel, (_, signed) in live.files.items()}, live.folders)
    print(report.summary())
    return 0


def run_check(args: argparse.Namespace) -> int:
    """`check`: every validation and link problem, and a line per draft, as text or JSON; writes nothing. Drafts
    alone do not fail it."""
    from salvo.check import check_site

    problems, drafts = check_site(args.source, Options(drafts=args.drafts))
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in sorted(problems + drafts)], indent=1, ensure_ascii=False))
    else:
        for problem in sorted(problems + drafts):
            print(problem)
        count = len(problems)
        found = f"{count} problem{'s' if count != 1 else ''} found" if count else "No problems found"
        unfinished = f"; {len(drafts)} draft{'s' if len(drafts) != 1 else ''} left out" if drafts else ""
        print(f"{found}{unfinished}.", file=sys.stderr)
    return 1 if problems else 0


def run_serve(args: argparse.Namespace) -> int:
    """`serve`: the live-reloading preview."""
    from salvo.serve import serve

    return serve(args.source, args.bind, args.port)


def run_new(args: argparse.Namespace) -> int:
    """`new`: scaffold an incident note."""
    from salvo.scaffold import new_note

    return new_note(args)


def run_import(args: argparse.Namespace) -> int:
    """`import`: CSV rows to notes."""
    from salvo.importer import run_import as do_import

    return do_import(args.source, args.csv)


HANDLERS = {"build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "import": run_import}
