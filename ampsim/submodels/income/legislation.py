"""Dated legal amounts of the French tax-benefit system, read from ``legislation.yaml``.

Each parameter holds values with the date they apply from. ``Legislation.at(year, month)`` gives
the amounts in force on the first day of that month. After the last known value, euro amounts are
indexed every year on the anniversary of their last change by the documented indexation rate
(an assumption); rates, ages, hours and the amounts fixed in euros by law keep their last value.
Before the first known value (a run that starts in 2019 to 2022, for the air of those years),
euro amounts are the first value deflated at the same rate for each whole or part year before it,
an approximation of the amounts then in force; the others keep their first value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEGISLATION_FILE = Path(__file__).with_name("legislation.yaml")
FIRST_YEAR = 2019  # the first start year of a run (docs/pollution.md: the air's trends from 2019)
LAST_YEAR = 2100


@dataclass(frozen=True)
class Parameter:
    """One legal amount: its unit, source and dated values (sorted by date)."""

    name: str
    unit: str
    description: str
    source: str
    assumption: bool
    indexed: bool
    dates: tuple[dt.date, ...]
    values: tuple[Any, ...]

    def value_on(self, date: dt.date, indexation_rate: float) -> Any:
        """The value in force on ``date``, indexed if the date is past the last known value and
        deflated if it is before the first."""
        if date < self.dates[0]:
            years = _whole_years_between(date, self.dates[0])
            years += (date.month, date.day) != (self.dates[0].month, self.dates[0].day)  # a part year counts
            first = self.values[0]
            return _scale(first, (1.0 + indexation_rate) ** -years) if self.indexed else first
        position = max(i for i, d in enumerate(self.dates) if d <= date)
        value = self.values[position]
        if position == len(self.dates) - 1 and self.indexed:
            years = _whole_years_between(self.dates[-1], date)
            if years > 0:
                value = _scale(value, (1.0 + indexation_rate) ** years)
        return value


def _whole_years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def _scale(value: Any, factor: float) -> Any:
    if isinstance(value, dict):  # income tax scale: thresholds are indexed, rates are not
        return {"thresholds": [t * factor for t in value["thresholds"]], "rates": list(value["rates"])}
    return value * factor


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Legislation:
    """All parameters of ``legislation.yaml`` and the indexation rate used beyond them."""

    parameters: dict[str, Parameter]
    indexation_rate: float

    def at(self, year: int, month: int = 1) -> dict[str, Any]:
        """Every parameter's value in force on the first day of ``month`` of ``year``."""
        check_period(year, month)
        date = dt.date(year, month, 1)
        return {name: p.value_on(date, self.indexation_rate) for name, p in self.parameters.items()}


def check_period(year: int, month: int) -> None:
    """Raise ValueError unless year and month are integers in the supported range."""
    if not isinstance(year, int | _np_integer()) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year: expected an integer from {FIRST_YEAR} to {LAST_YEAR}, got {year!r}")
    if not isinstance(month, int | _np_integer()) or not 1 <= month <= 12:
        raise ValueError(f"month: expected an integer from 1 to 12, got {month!r}")


def _np_integer() -> type:
    import numpy as np

    return np.integer


def _parameter(name: str, entry: dict[str, Any]) -> Parameter:
    rows = sorted(entry["values"], key=lambda row: _as_date(row["from"]))
    values = tuple(
        {"thresholds": row["thresholds"], "rates": row["rates"]} if "thresholds" in row else row["value"]
        for row in rows
    )
    return Parameter(
        name=name,
        unit=entry["unit"],
        description=entry["description"],
        source=entry["source"],
        assumption=entry.get("status") == "assumption",
        indexed=bool(entry.get("indexed", entry["unit"].startswith("EUR"))),
        dates=tuple(_as_date(row["from"]) for row in rows),
        values=values,
    )


@lru_cache(maxsize=4)
def load_legislation(path: Path = LEGISLATION_FILE) -> Legislation:
    """Read and validate the legislation file (cached: the file is read once per path)."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    parameters = {name: _parameter(name, entry) for name, entry in raw["parameters"].items()}
    for p in parameters.values():
        if not p.source or not p.dates:
            raise ValueError(f"legislation: parameter {p.name} needs a source and at least one value")
    return Legislation(parameters=parameters, indexation_rate=float(raw["indexation"]["rate"]))


@lru_cache(maxsize=256)
def parameters_at(year: int, month: int = 1) -> dict[str, Any]:
    """The legislation in force in a month (cached, since the model asks for the same months)."""
    return load_legislation().at(int(year), int(month))
