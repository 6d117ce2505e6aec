"""Options of one run → a frozen Settings passed explicitly to every stage."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024 * 1024  # larger inputs are recorded as errors, not read


@dataclass(frozen=True)
class Settings:
    inputs: tuple[Path, ...] = ()
    out: Path = Path("data/out")
    rules_dir: Path | None = None          # None: the rules shipped with the package
    metadata: Path | None = None
    published: dt.date | None = None       # one publication date for the whole run
    workers: int = 1
    progress: bool = False
    max_file_bytes: int = MAX_FILE_BYTES
    include: tuple[str, ...] = ()          # globs: read only these files of the input folders
    exclude: tuple[str, ...] = ()          # globs: never read these
    follow_links: bool = False             # follow symlinks that leave the input folder
