#!/usr/bin/env python3
"""Salvo's entry point: `python build.py [build|serve|new|check|import] ...`; see --help."""

import sys

from salvo.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
