"""File and folder output that never leaves half-written files behind and never deletes what the
program did not write, and JSON of NumPy values.

A result folder (of `ampsim run`, `compare`, `sweep`) carries a marker file, `.ampsim-result`,
naming the command that wrote it and the files it wrote. A folder may receive a result only if it
does not exist, is empty, or holds a previous result of the same command and nothing else; the
previous result is then replaced, file by file of its own list, once the new one is complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ampsim.core.errors import InputError
from ampsim.core.version import __version__

RESULT_MARKER = ".ampsim-result"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    """Write a text file atomically (UTF-8)."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_parquet_atomic(frame: pd.DataFrame, target: str | os.PathLike) -> None:
    """Write a table as Parquet atomically, without its index."""
    with atomic_path(target) as temporary:
        frame.to_parquet(temporary, index=False)


# --- result folders ----------------------------------------------------------------------------
def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a result folder ({"command": ..., "files": [...]}), or None."""
    try:
        with open(folder / RESULT_MARKER, "rb") as handle:
            marker = json.loads(handle.read(1_000_000))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("command"), str) else None


def write_marker(folder: Path, command: str, files: list[str] | None = None) -> None:
    """Mark `folder` as a result of `ampsim COMMAND` that holds `files` (None: files it adds as
    it goes, as a sweep does)."""
    marker: dict[str, Any] = {"command": command, "ampsim_version": __version__}
    if files is not None:
        marker["files"] = sorted(files)
    write_text_atomic(folder / RESULT_MARKER, json.dumps(marker, indent=1) + "\n")


def check_output_folder(target: str | os.PathLike, command: str, option: str = "--out") -> Path:
    """The folder `target` as an absolute path, once sure a result of `ampsim COMMAND` may go
    there: it does not exist, or is empty, or holds a previous result of the same command and
    nothing else; and its parent can be created and written into (a probe file is written and
    removed). InputError, naming the option, otherwise: nothing is ever deleted here."""
    shown = f"{option} {target}"
    path = Path(os.path.abspath(os.fspath(target)))
    if path.parent == path:
        raise InputError(f"{shown}: is the root folder; expected a folder for the results")
    if path.is_symlink():
        raise InputError(f"{shown}: is a symbolic link; give the folder it points to, or another one")
    if path.exists() and not path.is_dir():
        raise InputError(f"{shown}: exists and is not a folder")
    if path.is_dir():
        _check_reusable(path, command, shown)
    existing = next(parent for parent in path.parents if parent.exists() or parent == parent.parent)
    if not existing.is_dir():
        raise InputError(f"{shown}: {existing} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.probe-", dir=path.parent)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"{shown}: cannot create or write into {path.parent} ({reason})") from None
    return path


def _check_reusable(path: Path, command: str, shown: str) -> None:
    """InputError unless the existing folder is empty or a previous result of `command` only."""
    try:
        entries = sorted(itertools.islice(os.scandir(path), 1000), key=lambda entry: entry.name)
    except OSError as error:
        raise InputError(f"{shown}: cannot read the folder: {error.strerror}") from None
    if not entries:
        return
    marker = read_marker(path)
    if marker is None:
        names = ", ".join(entry.name + ("/" if entry.is_dir() else "") for entry in entries[:3])
        more = ", ..." if len(entries) > 3 else ""
        raise InputError(
            f"{shown}: exists, is not empty ({names}{more}) and is not a result of ampsim {command}; "
            "ampsim never deletes files it did not write: choose a new or empty folder"
        )
    if marker["command"] != command:
        raise InputError(
            f"{shown}: holds a result of ampsim {marker['command']}, not of ampsim {command}; "
            "choose another folder"
        )
    foreign = _foreign_files(path, marker)
    if foreign:
        listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError(
            f"{shown}: holds a previous result of ampsim {command} but also files it did not write "
            f"({listed}); move them away or choose another folder"
        )


def _foreign_files(folder: Path, marker: dict[str, Any]) -> list[str]:
    """Files and links in a result folder that its marker does not list (at most 100)."""
    listed = set(marker.get("files") or ()) | {RESULT_MARKER}
    foreign = []
    for root, folders, files in os.walk(folder):
        for name in [*files, *(f for f in folders if os.path.islink(os.path.join(root, f)))]:
            relative = os.path.relpath(os.path.join(root, name), folder)
            if relative not in listed:
                foreign.append(relative)
                if len(foreign) >= 100:
                    return foreign
    return sorted(foreign)


@contextlib.contextmanager
def staged_directory(target: str | os.PathLike, command: str) -> Iterator[Path]:
    """Yield an empty staging folder beside `target`; when the block succeeds, it is marked as a
    result of `ampsim COMMAND` and replaces `target`. On failure (or an interruption), the
    staging folder is removed and `target` is left as it was. `target` must be absent, empty or
    a previous result of the same command (see `check_output_folder`); of a previous result,
    only the files it lists are deleted, once the new result is in place."""
    target = check_output_folder(target, command, option="output folder")
    staging: Path | None = None
    mask = _hold_stop_signals()  # a Ctrl+C or SIGTERM between mkdtemp and `try` would leave it behind
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        _release_stop_signals(mask)  # a signal held meanwhile is raised here, inside `try`
        staging.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
        yield staging
        write_marker(staging, command, _files_in(staging))
        _replace_directory(staging, target, command)
    finally:
        _release_stop_signals(mask)
        if staging is not None and staging.exists():
            shutil.rmtree(staging)


def _hold_stop_signals() -> set | None:
    """Hold SIGINT and SIGTERM (where the platform can); the previous mask, to release them."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _release_stop_signals(mask: set | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _files_in(folder: Path) -> list[str]:
    """Paths of the files under `folder`, relative to it."""
    return [
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, files in os.walk(folder)
        for name in files
        if name != RESULT_MARKER
    ]


def _replace_directory(staging: Path, target: Path, command: str) -> None:
    """Move `staging` onto `target`. An empty `target` is removed first; a previous result is
    moved aside, then only its own files are deleted (anything else found there is kept, in a
    folder named `TARGET.kept-DATE` beside it)."""
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()  # fails if a file appeared meanwhile: nothing is lost
    if not target.exists():
        staging.rename(target)
        return
    _check_reusable(target, command, f"output folder {target}")
    marker = read_marker(target) or {}
    previous = target.with_name(f".{target.name}.previous-{uuid.uuid4().hex[:8]}")
    target.rename(previous)
    try:
        staging.rename(target)
    except OSError:
        previous.rename(target)
        raise
    _remove_result(previous, marker, target.with_name(f"{target.name}.kept-{time.strftime('%Y%m%d-%H%M%S')}"))


def _remove_result(folder: Path, marker: dict[str, Any], kept: Path) -> None:
    """Delete the files a marker lists and the folders left empty; anything else stays, in the
    folder renamed `kept`."""
    for name in [*(marker.get("files") or ()), RESULT_MARKER]:
        path = folder / name
        if path.is_file() or path.is_symlink():
            path.unlink()
    for root, _, _ in sorted(os.walk(folder), key=lambda item: -len(item[0])):
        with contextlib.suppress(OSError):
            os.rmdir(root)  # only empty folders go
    if folder.exists():
        folder.rename(kept)


def json_default(value: Any) -> Any:
    """JSON form of NumPy values, pydantic models, and anything else (as text)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


@contextlib.contextmanager
def process_lock(path: Path, label: str, busy: str) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing, this process's id written
    in it) for the block. InputError at once, starting with `label`, if it cannot be created or
    another process holds it: then `busy` is formatted with the holder's id as `{holder}`."""
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise InputError(f"{label}: cannot create the lock file: {error.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "another process"
            raise InputError(f"{label}: {busy.format(holder=holder)}") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # releases the lock
