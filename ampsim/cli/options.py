"""Pieces shared by the subcommands: argument types that refuse bad values with a clear message,
the options that several commands take, and printing tables."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pandas as pd

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path
from ampsim.core.seeds import SeedPlan
from ampsim.world.grid import check_cell_km
from ampsim.world.population import check_scale


def add_command(commands, name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
    """A subcommand whose handler is `handler(args) -> exit code`."""
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(handler=handler)
    return command


def add_run_options(command: argparse.ArgumentParser) -> None:
    """--scale, --seed, --months and --quiet, defaulting to the scenario's values."""
    command.add_argument(
        "--scale",
        type=scale_argument,
        help="fraction of the real population simulated, in (0, 1] (default: the scenario's)",
    )
    command.add_argument(
        "--seed",
        type=seed_argument,
        help="root random seed, a non-negative integer (default: the scenario's)",
    )
    command.add_argument(
        "--months", type=months_argument, help="months to simulate (default: the scenario's)"
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")


def add_grid_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cell-km", type=cell_km_argument, default=1.0, help="grid cell size in km, 0.25 to 5 (default 1)"
    )


def add_csv_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--csv", metavar="FILE", help="also write the table to this CSV file")


def scale_argument(text: str) -> float:
    try:
        return check_scale(float(text))
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None


def seed_argument(text: str) -> int:
    try:
        return SeedPlan.from_seed(int(text)).entropy
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None


def positive_argument(text: str, what: str = "a positive whole number") -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def months_argument(text: str) -> int:
    return positive_argument(text, "a positive whole number of months")


def cell_km_argument(text: str) -> float:
    try:
        return check_cell_km(float(text))
    except (ValueError, InputError) as error:
        raise argparse.ArgumentTypeError(
            str(error) if isinstance(error, InputError) else f"expected a number of kilometres, got {text!r}"
        ) from None


def print_table(table: pd.DataFrame, formats: dict[str, str]) -> None:
    formatters = {
        column: (lambda value, f=fmt: "" if pd.isna(value) else f.format(value))
        for column, fmt in formats.items()
    }
    print(table.to_string(index=False, formatters=formatters, na_rep=""))


def write_csv(table: pd.DataFrame, path: str | None) -> None:
    if not path:
        return
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)
    print(f"wrote {path}")
