"""The command line: parse arguments, call one stage function, turn SiteError into messages and exit codes.

Exit codes: 0 success, 1 invalid content, 2 bad usage, 3 the machine refused (a full disk, a folder that cannot be
written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from salvo.errors import SiteError, machine_problem
from salvo.options import Options, today
from salvo.stamp import CACHE_DIR, Stamp, cache_folder

COMMANDS = ("build", "serve", "new", "check", "import")


def parser() -> argparse.ArgumentParser:
    """The argument parser, with Hugo's option names."""
    main = argparse.ArgumentParser(prog="build.py", description="Salvo: build the North Korea test timeline.")
    commands = main.add_subparsers(dest="command", metavar="{build,serve,new,check,import}")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--source", "-s", type=Path, default=Path("."), help="the site folder (default: .)")

    build_cmd = commands.add_parser("build", help="build the site into public/")
    common(build_cmd)
    build_cmd.add_argument("--destination", "-d", type=Path, help="output folder (default: SOURCE/public)")
    build_cmd.add_argument("--drafts", "-D", action="store_true", help="include notes marked draft")
    build_cmd.add_argument("--base-url", "-b", help="override base_url from site.toml")

    check = commands.add_parser("check", help="validate everything and check links; write nothing")
    common(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--drafts", "-D", action="store_true", help="include notes marked draft")

    serve = commands.add_parser("serve", help="preview with live reload on 127.0.0.1")
    common(serve)
    serve.add_argument("--port", "-p", type=int, default=8000)
    serve.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: loopback only)")

    new = commands.add_parser("new", help="scaffold a new incident note")
    common(new)
    new.add_argument("title", nargs="?", help="the incident's title")
    for flag in ("date", "time", "type", "name", "count", "site", "province", "distance", "apogee", "landing",
                 "outcome"):
        new.add_argument(f"--{flag}")
    new.add_argument("--kind", choices=("launch", "nuclear_test"), default="launch")
    new.add_argument("--draft", action="store_true", help="mark the note as a draft")

    importer = commands.add_parser("import", help="turn rows of a launch or context CSV into notes")
    common(importer)
    importer.add_argument("csv", type=Path, help="a CSV file shaped like sources/nk_launch_events.csv or "
                          "sources/context_events.csv")
    return main


def main(argv: list[str]) -> int:
    """Run one command; return the exit code."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if args.command is None:
        parser().print_help()
        return 2
    try:
        return HANDLERS[args.command](args)
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
    """`check`: every validation and link problem, as text or JSON; writes nothing."""
    from salvo.check import check_site

    problems = check_site(args.source, Options(drafts=args.drafts))
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in problems], indent=1, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''} found." if count else "No problems found.", file=sys.stderr)
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
