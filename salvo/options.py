"""What the command line may change about a build, and the day it is built for.

Standard library only: `build` reads these before it knows whether it has anything to do (see stamp.py).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

KST = dt.timezone(dt.timedelta(hours=9), "KST")


@dataclass(frozen=True)
class Options:
    """What the command line may change about a build."""

    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None


def today() -> dt.date:
    """Today in Korea, or the day given by SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), KST).date()
    return dt.datetime.now(KST).date()


def build_day(options: Options) -> dt.date:
    """The day the build is for: given, or today."""
    return options.today or today()
