"""Pieces shared by the subcommands: argument types that refuse bad values with a clear message,
the options that several commands take, and printing tables."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable

import annotated_types
import pandas as pd

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path
from ampsim.world.grid import check_cell_km
from ampsim.world.population import check_scale


def add_command(commands, name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
    """A subcommand whose handler is `handler(args) -> exit code`."""
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(handler=handler)
    return command


def add_run_options(command: argparse.ArgumentParser) -> None:
    """--scale, --seed, --start, --months and --quiet, defaulting to the scenario's values."""
    command.add_argument(
        "--scale",
        type=scale_argument,
        help="fraction of the real population simulated, in (0, 1] and enough for every zone to have "
        "a resident (default: the scenario's)",
    )
    command.add_argument(
        "--seed",
        type=seed_argument,
        help="root random seed, a non-negative integer (default: the scenario's)",
    )
    command.add_argument(
        "--start",
        type=start_argument,
        metavar="YYYY-MM",
        help="first simulated month; the air's emissions and backgrounds follow their trends from the "
        "2023 inventory, documented for 2019 to 2026 (default: the scenario's)",
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
    """A scale in (0, 1], at least the model's minimum (see `world.population.check_scale`)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    try:
        return check_scale(value)
    except InputError as error:
        problem = str(error).removeprefix("scale: ")
        if problem.startswith("expected a number"):
            problem = f"expected a number in (0, 1], got {text!r}"
        raise argparse.ArgumentTypeError(problem) from None


def budget_argument(text: str) -> float:
    """A budget in euros: a finite number, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of euros, got {text!r}") from None
    if not 0 <= value <= 1e12:
        raise argparse.ArgumentTypeError(f"expected euros between 0 and 1e12, got {text!r}")
    return value


def seed_argument(text: str) -> int:
    """A root seed within the bounds of `RunSettings.seed`."""
    low, high = setting_bounds("seed")
    value = _whole_number(text)
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer, got {text!r} (seeds go from {low} to {high})"
        )
    return value


def positive_argument(text: str, what: str = "a positive whole number") -> int:
    value = _whole_number(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def start_argument(text: str) -> str:
    """A first month written YYYY-MM, as `model.RunSettings.start` takes it."""
    from ampsim.model import MONTH_PATTERN

    if not re.fullmatch(MONTH_PATTERN, text):
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}")
    return text


def months_argument(text: str) -> int:
    """A number of months within the bounds of `RunSettings.months`."""
    return _bounded(text, "months", "a whole number of months")


def replicate_argument(text: str) -> int:
    """A replicate number within the bounds of `RunSettings.replicate`."""
    return _bounded(text, "replicate", "a replicate number")


def replicates_argument(text: str) -> int:
    """A number of replicates within the bounds of `Scenario.replicates`."""
    from ampsim.scenarios.scenario import Scenario

    return _bounded(text, "replicates", "a number of replicates", _field_bounds(Scenario, "replicates"))


def workers_argument(text: str) -> int:
    """A number of worker processes, at most the CPUs this process may use: more would only
    share the same cores, each with a whole model in memory."""
    cpus = available_cpus()
    value = _whole_number(text)
    if value is None or not 1 <= value <= cpus:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {cpus} (the CPUs available to ampsim), got {text!r}"
        )
    return value


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, else the machine's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def setting_bounds(name: str) -> tuple[int, int]:
    """The whole-number bounds of a run setting, as `model.RunSettings` declares them."""
    from ampsim.model import RunSettings

    return _field_bounds(RunSettings, name)


def _field_bounds(model: type, name: str) -> tuple[int, int]:
    """[low, high] of a whole-number field of a pydantic model, from its ge/gt/le/lt."""
    low, high = 0, 2**63 - 1
    for item in model.model_fields[name].metadata:
        if isinstance(item, annotated_types.Ge):
            low = int(item.ge)
        elif isinstance(item, annotated_types.Gt):
            low = int(item.gt) + 1
        elif isinstance(item, annotated_types.Le):
            high = int(item.le)
        elif isinstance(item, annotated_types.Lt):
            high = int(item.lt) - 1
    return low, high


def _bounded(text: str, setting: str, what: str, bounds: tuple[int, int] | None = None) -> int:
    """A whole number within the bounds of a run setting (or the given bounds)."""
    low, high = bounds or setting_bounds(setting)
    value = _whole_number(text)
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {text!r}")
    return value


def _whole_number(text: str) -> int | None:
    """int(text) for a short decimal integer, else None."""
    text = text.strip()
    if len(text) > 30 or not text.lstrip("+-").isascii() or not text.lstrip("+-").isdigit():
        return None
    return int(text)


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
