"""Cost per outcome: what a scenario spends beyond the baseline, divided by what it gains.

Each outcome is a gain over the whole horizon (positive is good) measured on the metro table in
real units; the cost per unit gained is a ratio of paired means with its Fieller interval, and is
given only when the gain is significantly above zero.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ampsim.studies.statistics import paired_interval, ratio_interval

if TYPE_CHECKING:
    from ampsim.studies.runner import RunResult

SPENT_PREFIX = "spent_"


@functools.cache
def census_shares() -> dict[str, float]:
    """Census ratios that turn metro rates into counts: labour force and 15-29 year-olds per resident."""
    from ampsim.world.territory import load_territory, read_data_csv

    territory = load_territory()
    labour = read_data_csv("labour_amp_2022.csv")
    share_15_29 = territory.zones["share_15_29_pct"].to_numpy(float)
    return {
        "labour_force": float(labour["active"].sum()) / float(territory.total_population),
        "aged_15_29": float(np.average(share_15_29, weights=territory.population)) / 100.0,
    }


def unemployed_people(metro: pd.DataFrame) -> np.ndarray:
    """Unemployed people by month: the `unemployed_people` column if there is one, else a census proxy.

    The proxy is unemployment rate × population × the census labour force per resident (855,851 /
    1,939,077), which assumes the policy leaves the size of the labour force unchanged.
    """
    if "unemployed_people" in metro:
        return metro["unemployed_people"].to_numpy(float)
    share = census_shares()["labour_force"]
    return metro["unemployment_rate"].to_numpy(float) / 100 * metro["population"].to_numpy(float) * share


def neet_people(metro: pd.DataFrame) -> np.ndarray:
    """NEETs by month: the `neet` column if there is one, else NEET share × population × the census
    share of 15-29 year-olds."""
    if "neet" in metro:
        return metro["neet"].to_numpy(float)
    share = census_shares()["aged_15_29"]
    return metro["neet_share"].to_numpy(float) / 100 * metro["population"].to_numpy(float) * share


def poor_people(metro: pd.DataFrame) -> np.ndarray:
    """Residents below the poverty line by month (poverty rate × population, exact)."""
    return metro["poverty_rate"].to_numpy(float) / 100 * metro["population"].to_numpy(float)


@dataclass(frozen=True)
class CostOutcome:
    """An outcome a policy buys, measured over the whole horizon as a gain (positive is good)."""

    name: str
    label: str  # what the gain counts
    unit: str  # unit of the cost per unit gained
    definition: str  # how it is computed, for the report
    columns: tuple[str, ...]  # metro columns it needs
    measure: Callable[[pd.DataFrame], np.ndarray]  # monthly amount, real units
    sign: float  # +1 when more is good, −1 when less is good
    per_year: bool  # person-years (sum over months / 12) rather than a count (sum over months)

    def gain(self, base: pd.DataFrame, other: pd.DataFrame) -> float:
        """The gain of `other` over `base` over the whole horizon."""
        total = float(np.sum(self.measure(other) - self.measure(base)))
        return self.sign * total / (12.0 if self.per_year else 1.0)


def _column(name: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """A measure that reads one metro column as it is."""
    return lambda metro: metro[name].to_numpy(float)


COST_OUTCOMES = (
    CostOutcome(
        "unemployed_person_years",
        "unemployed person-years avoided",
        "€ per unemployed person-year avoided",
        "minus the sum over months of the difference in unemployed people, divided by 12; unemployed "
        "people = unemployment rate × population × census labour force per resident (855,851 / "
        "1,939,077 = 44.1 %), assuming the policy leaves the labour force's size unchanged",
        ("unemployment_rate", "population"),
        unemployed_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "neet_person_years",
        "NEET person-years avoided",
        "€ per NEET person-year avoided",
        "minus the sum over months of the difference in NEETs, divided by 12; NEETs = NEET share × "
        "population × the census share of 15-29 year-olds (population-weighted over the zones)",
        ("neet_share", "population"),
        neet_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "poor_person_years",
        "person-years in poverty avoided",
        "€ per person-year out of poverty",
        "minus the sum over months of the difference in poor residents (poverty rate × population), "
        "divided by 12",
        ("poverty_rate", "population"),
        poor_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "startup_job_years",
        "startup job-years created",
        "€ per startup job-year",
        "the sum over months of the difference in jobs in startups, divided by 12",
        ("startup_jobs",),
        _column("startup_jobs"),
        1.0,
        True,
    ),
    CostOutcome(
        "deaths_pm25",
        "deaths attributable to PM2.5 avoided",
        "€ per attributable death avoided",
        "minus the sum over months of the difference in deaths attributable to PM2.5",
        ("attributable_deaths_pm25",),
        _column("attributable_deaths_pm25"),
        -1.0,
        False,
    ),
    CostOutcome(
        "above_who_no2_person_years",
        "person-years above the WHO NO2 guideline avoided",
        "€ per person-year above the WHO NO2 guideline avoided",
        "minus the sum over months of the difference in people above the WHO NO2 guideline, divided by 12",
        ("people_above_who_no2",),
        _column("people_above_who_no2"),
        -1.0,
        True,
    ),
)


def spending(metro: pd.DataFrame) -> dict[str, float]:
    """Euros spent over the horizon by each programme (the `spent_<programme>` columns)."""
    return {
        column.removeprefix(SPENT_PREFIX): float(metro[column].fillna(0).sum())
        for column in metro.columns
        if column.startswith(SPENT_PREFIX)
    }


def _total_spent(run: RunResult) -> float:
    """Euros spent over the horizon by all programmes of a run."""
    return sum(spending(run.metro).values())


def accounting_only(run: RunResult) -> list[str]:
    """Types of the run's programmes whose budget does not change their effect (only accounting)."""
    from ampsim.interventions import INTERVENTION_TYPES

    types = [i.get("type") for i in run.metadata.get("scenario", {}).get("interventions", [])]
    return sorted({t for t in types if t in INTERVENTION_TYPES and not INTERVENTION_TYPES[t].budget_is_lever})


def cost_rows(scenario: str, base_runs: Sequence[RunResult], other_runs: Sequence[RunResult]) -> pd.DataFrame:
    """Per outcome: the gain with its interval, the extra spending and the cost per unit gained;
    no cost per unit when a programme's budget is only accounting (its effect does not depend on it)."""
    spent = np.array([_total_spent(r) for r in other_runs])
    extra = spent - np.array([_total_spent(r) for r in base_runs])
    accounting = accounting_only(other_runs[0]) if other_runs else []
    rows = []
    for outcome in COST_OUTCOMES:
        if not all(c in r.metro.columns for r in (*base_runs, *other_runs) for c in outcome.columns):
            continue
        gains = np.array([outcome.gain(b.metro, o.metro) for b, o in zip(base_runs, other_runs, strict=True)])
        gain, low, high = paired_interval(gains)
        cost, cost_low, cost_high = ratio_interval(extra, gains)
        note = _cost_note(extra.mean(), gain, low, len(gains))
        if accounting:
            cost = cost_low = cost_high = float("nan")
            note = (
                f"the budget of {', '.join(accounting)} is accounting, not a lever (the effect does not "
                "depend on it): no cost per unit"
            )
        rows.append(
            {
                "scenario": scenario,
                "outcome": outcome.name,
                "label": outcome.label,
                "spent_eur": spent.mean(),
                "extra_spent_eur": extra.mean(),
                "outcome_diff": float(gain),
                "outcome_low": float(low),
                "outcome_high": float(high),
                "cost_per_unit": cost,
                "cost_low": cost_low,
                "cost_high": cost_high,
                "unit": outcome.unit,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _cost_note(extra_spent: float, gain: float, low: float, replicates: int) -> str:
    """Why a cost per unit is or is not given."""
    if not extra_spent > 0:
        return "no spending recorded"
    if not gain > 0:
        return "no gain: no cost per unit"
    if replicates < 2:
        return "interval needs at least 2 replicates"
    if not low > 0:
        return "gain not significant (its interval includes 0): no cost per unit"
    return ""
