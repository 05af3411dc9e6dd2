"""File and folder output that never leaves half-written files behind, and JSON of NumPy values."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


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


@contextlib.contextmanager
def staged_directory(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging folder beside `target`; when the block succeeds, it replaces
    `target` (an earlier `target` is removed only once the new one is in place). On failure,
    the staging folder is removed and `target` is left as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
        yield staging
        _replace_directory(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _replace_directory(staging: Path, target: Path) -> None:
    """Move `staging` onto `target`, removing an earlier `target` only once the move succeeded."""
    if not target.exists():
        staging.rename(target)
        return
    previous = target.with_name(f".{target.name}.previous-{uuid.uuid4().hex[:8]}")
    target.rename(previous)
    try:
        staging.rename(target)
    except OSError:
        previous.rename(target)
        raise
    shutil.rmtree(previous)


def json_default(value: Any) -> Any:
    """JSON form of NumPy values, pydantic models, and anything else (as text)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
