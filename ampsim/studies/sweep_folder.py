"""A sweep's results folder: creating it, locking it, and reading its parts back.

The folder holds `manifest.json`, `design.parquet`, `parts/` (one Parquet part per finished
batch) and `failures/`, and a marker naming `ampsim sweep` (see `core.io`). Only one sweep writes
into a folder at a time: `lock` holds an exclusive `flock` on its `.lock` file for the whole
sweep, so a second `--resume` on the same folder fails at once. A part that cannot be read (a
truncated or empty file left by a crash or a full disk) is reported in one line
(`DamagedFileWarning`); when a sweep resumes it is moved into `damaged/` and its runs are run again.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ampsim.core.errors import DamagedFileWarning, InputError
from ampsim.core.io import process_lock, read_marker, write_marker

PARTS, FAILURES, DAMAGED = "parts", "failures", "damaged"
LOCK = ".lock"
KEY = ["point", "replicate"]


def check_new_folder(directory: Path) -> None:
    """InputError unless a new sweep can start in `directory`: absent or empty, and writable."""
    if directory.exists() and not directory.is_dir():
        raise InputError(f"--out {directory}: exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()):
        if is_sweep_folder(directory):
            raise InputError(
                f"--out {directory}: exists and is not empty; use --resume to continue that sweep "
                "or choose another folder"
            )
        raise InputError(
            f"--out {directory}: exists, is not empty and is not a sweep's folder; ampsim never deletes "
            "files it did not write: choose a new or empty folder"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out {directory}: cannot create the folder: {error.strerror}") from None


def create_folders(directory: Path) -> None:
    """The folders and the marker of a new sweep's results folder."""
    (directory / PARTS).mkdir(parents=True, exist_ok=True)
    (directory / FAILURES).mkdir(exist_ok=True)
    write_marker(directory, "sweep")


def is_sweep_folder(directory: Path) -> bool:
    """Whether `directory` holds a sweep (its marker, or the manifest of an older sweep)."""
    marker = read_marker(directory)
    if marker is not None:
        return marker["command"] == "sweep"
    return "fingerprint" in read_manifest(directory, quiet=True)


def read_manifest(directory: Path, quiet: bool = False) -> dict[str, Any]:
    """The manifest of a sweep's folder, or InputError saying the folder is not a sweep's (an
    empty mapping with `quiet`)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("experiment"), dict):
        if quiet:
            return {}
        why = (
            "no manifest.json"
            if not (directory / "manifest.json").exists()
            else "its manifest.json is not a sweep's"
        )
        raise InputError(f"{directory}: not a sweep results folder ({why})")
    return manifest


@contextlib.contextmanager
def lock(directory: Path) -> Iterator[None]:
    """Hold the folder's lock for the block; InputError at once if another sweep holds it."""
    with process_lock(
        directory / LOCK,
        f"--out {directory}",
        "another ampsim sweep is writing into this folder (process {holder}); wait for it to end, or "
        "stop it, before resuming",
    ):
        yield


def read_parts(
    directory: str | os.PathLike, folder: str, columns: list[str] | None = None, repair: bool = False
) -> list[pd.DataFrame]:
    """The tables of a results folder's parts (`parts/` or `failures/`), in name order. A part that
    cannot be read is reported and skipped; with `repair`, it is moved into `damaged/`."""
    directory = Path(directory)
    frames = []
    for part in sorted((directory / folder).glob("*.parquet")):
        try:
            frame = pd.read_parquet(part, columns=columns)
            if not set(KEY) <= set(frame.columns):
                raise ValueError("no point and replicate columns")
        except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
            _report_damaged(directory, part, error, repair)
            continue
        frames.append(frame)
    return frames


def _report_damaged(directory: Path, part: Path, error: Exception, repair: bool) -> None:
    """One line about a damaged part; with `repair`, move it aside (its runs will run again)."""
    reason = " ".join(str(error).split())[:120] or type(error).__name__
    where = part.relative_to(directory)
    if repair:
        (directory / DAMAGED).mkdir(exist_ok=True)
        os.replace(part, directory / DAMAGED / part.name)
        done = f"moved to {DAMAGED}/; its runs will run again"
    else:
        done = "skipped (ampsim sweep --resume moves it aside and runs its batch again)"
    warnings.warn(
        f"{directory}/{where}: not a readable Parquet part ({reason}); {done}", DamagedFileWarning, 2
    )


def done_keys(directory: str | os.PathLike, repair: bool = False) -> set[tuple[int, int]]:
    """Keys of the runs whose outputs are on disk (damaged parts skipped, or moved aside)."""
    keys: set[tuple[int, int]] = set()
    for frame in read_parts(directory, PARTS, columns=KEY, repair=repair):
        keys.update(zip(frame["point"].tolist(), frame["replicate"].tolist(), strict=True))
    return keys


def load_results(directory: str | os.PathLike) -> pd.DataFrame:
    """One tidy table of all runs' outputs, the design factors joined by point, sorted by key."""
    directory = Path(directory)
    read_manifest(directory)
    try:
        design = pd.read_parquet(directory / "design.parquet")
    except (OSError, ValueError) as error:
        raise InputError(f"{directory}/design.parquet: cannot read the design: {error}") from None
    frames = read_parts(directory, PARTS)
    if not frames:
        return pd.DataFrame(columns=["point", "replicate", "month", *design.columns.drop("point")])
    outputs = pd.concat(frames, ignore_index=True)
    table = outputs.merge(design, on="point", how="left", validate="many_to_one")
    return table.sort_values([*KEY, "month"], kind="stable").reset_index(drop=True)


def load_failures(directory: str | os.PathLike) -> pd.DataFrame:
    """Runs that failed and have not succeeded since (on a resume)."""
    directory = Path(directory)
    frames = read_parts(directory, FAILURES)
    if not frames:
        return pd.DataFrame(columns=["point", "replicate", "error", "traceback"])
    failures = pd.concat(frames, ignore_index=True)
    done = done_keys(directory)
    still = [(p, r) not in done for p, r in zip(failures["point"], failures["replicate"], strict=True)]
    return failures[np.array(still, dtype=bool)].drop_duplicates(KEY, keep="last").reset_index(drop=True)
