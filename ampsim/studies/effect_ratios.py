"""Ratios of paired effects from a comparison: how many fewer unemployed residents per programme
job, how many fewer poor residents per additional employed resident, and how the population moves.

A replicate's effect on an indicator is the difference, scenario minus baseline, of its mean over
the final 12 months of the horizon (as the sweep analysis defines a run's outcome). A ratio is the
ratio of the mean effects over replicates; its 95 % interval is a paired percentile bootstrap over
replicates (the same resampled replicates for numerator and denominator, a fixed seed so that the
interval is reproducible). Usage: `python -m ampsim.studies.effect_ratios DIR SCENARIO [JOBS]`,
DIR a folder written by `ampsim compare`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ampsim.core.errors import InputError

BOOTSTRAP_SAMPLES = 10_000
BOOTSTRAP_SEED = 20260101
FINAL_MONTHS = 12


class Estimate(NamedTuple):
    """A mean over replicates with its 95 % interval."""

    value: float
    low: float
    high: float

    def text(self, digits: int = 3) -> str:
        return f"{self.value:.{digits}f} ({self.low:.{digits}f} to {self.high:.{digits}f})"


def read_replicates(directory: str | Path) -> pd.DataFrame:
    """The per-replicate table of a comparison folder (scenario, replicate, month, indicator, value)."""
    path = Path(directory) / "replicates.parquet"
    if not path.is_file():
        raise InputError(f"{path}: expected the replicates table written by `ampsim compare`")
    return pd.read_parquet(path)


def window_means(replicates: pd.DataFrame, indicator: str, first: bool = False) -> pd.DataFrame:
    """Mean of an indicator over the final (or first) 12 months, by scenario and replicate."""
    rows = replicates[replicates["indicator"] == indicator]
    if rows.empty:
        raise InputError(f"indicator {indicator!r}: not in the comparison's replicates")
    months = np.sort(rows["month"].unique())
    kept = months[:FINAL_MONTHS] if first else months[-FINAL_MONTHS:]
    rows = rows[rows["month"].isin(kept)]
    return rows.groupby(["scenario", "replicate"])["value"].mean().unstack("scenario")


def paired_effects(replicates: pd.DataFrame, scenario: str, baseline: str, indicator: str) -> np.ndarray:
    """Scenario minus baseline, final-year means, one value per replicate."""
    table = window_means(replicates, indicator)
    for name in (scenario, baseline):
        if name not in table.columns:
            raise InputError(f"scenario {name!r}: not in the comparison (found {sorted(table.columns)})")
    return (table[scenario] - table[baseline]).to_numpy(float)


def ratio_of_means(numerator: np.ndarray, denominator: np.ndarray) -> Estimate:
    """Mean numerator over mean denominator, with a paired percentile bootstrap interval."""
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    if numerator.shape != denominator.shape or numerator.size < 2:
        raise InputError("ratio: expected paired effects of at least two replicates")
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, numerator.size, size=(BOOTSTRAP_SAMPLES, numerator.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        samples = numerator[picks].mean(axis=1) / denominator[picks].mean(axis=1)
    samples = samples[np.isfinite(samples)]
    low, high = np.percentile(samples, [2.5, 97.5]) if samples.size else (np.nan, np.nan)
    mean = denominator.mean()
    value = numerator.mean() / mean if mean != 0 else np.nan  # no effect on the denominator
    return Estimate(float(value), float(low), float(high))


def mean_interval(values: np.ndarray) -> Estimate:
    """Mean with its 95 % t interval."""
    values = np.asarray(values, float)
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return Estimate(float(values.mean()), float(values.mean() - half), float(values.mean() + half))


def job_programme_ratios(
    replicates: pd.DataFrame, scenario: str, baseline: str = "baseline", jobs: float | None = None
) -> dict[str, Estimate]:
    """The acceptance figures of a job-creating programme: fewer unemployed per programme job
    (when `jobs` is given), fewer poor per additional employed resident, the population's change
    from the first to the final year in both scenarios and its difference with the baseline."""
    unemployed = paired_effects(replicates, scenario, baseline, "unemployed_people")
    poor = paired_effects(replicates, scenario, baseline, "poor_people")
    employed = paired_effects(replicates, scenario, baseline, "employed_people")
    population = paired_effects(replicates, scenario, baseline, "population")
    final = window_means(replicates, "population")
    first = window_means(replicates, "population", first=True)
    out = {
        "fewer poor per additional employed resident": ratio_of_means(-poor, employed),
        "additional employed residents": mean_interval(employed),
        "fewer unemployed residents": mean_interval(-unemployed),
        "fewer poor residents": mean_interval(-poor),
        "population, scenario minus baseline (final year)": mean_interval(population),
        f"population change, first to final year ({baseline})": mean_interval(
            (final[baseline] - first[baseline]).to_numpy(float)
        ),
        f"population change, first to final year ({scenario})": mean_interval(
            (final[scenario] - first[scenario]).to_numpy(float)
        ),
    }
    if jobs is not None:
        out["fewer unemployed per programme job"] = mean_interval(-unemployed / float(jobs))
    if "start_unemployed" in set(replicates["indicator"]):
        out.update(start_population_ratios(replicates, scenario, baseline, jobs))
    return out


def start_population_ratios(
    replicates: pd.DataFrame, scenario: str, baseline: str = "baseline", jobs: float | None = None
) -> dict[str, Estimate]:
    """The same ratios among the residents of the start and their children, leaving out the people
    who arrived from outside since: how many of the metropolis's own unemployed get a job and how
    many of its own poor leave poverty, when a programme also brings newcomers; and the share of
    the additional employed who are newcomers (in-migrants' share of the new jobs, Bartik 1991)."""
    unemployed = paired_effects(replicates, scenario, baseline, "start_unemployed")
    poor = paired_effects(replicates, scenario, baseline, "start_poor")
    employed = paired_effects(replicates, scenario, baseline, "start_employed")
    everyone = paired_effects(replicates, scenario, baseline, "employed_people")
    label = "residents of the start"
    out = {
        "newcomers' share of the additional employed residents": ratio_of_means(
            everyone - employed, everyone
        ),
        f"{label}: fewer poor per additional employed resident": ratio_of_means(-poor, employed),
        f"{label}: additional employed residents": mean_interval(employed),
        f"{label}: fewer unemployed residents": mean_interval(-unemployed),
        f"{label}: fewer poor residents": mean_interval(-poor),
    }
    if jobs is not None:
        out[f"{label}: fewer unemployed per programme job"] = mean_interval(-unemployed / float(jobs))
    return out


def main(argv: list[str]) -> int:
    """Print the ratios of a comparison folder."""
    if len(argv) not in (2, 3):
        print("usage: python -m ampsim.studies.effect_ratios DIR SCENARIO [JOBS]", file=sys.stderr)
        return 2
    try:
        jobs = float(argv[2]) if len(argv) == 3 else None
        table = job_programme_ratios(read_replicates(argv[0]), argv[1], jobs=jobs)
    except (InputError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, estimate in table.items():
        digits = 3 if abs(estimate.value) < 10 else 0
        print(f"{name}: {estimate.text(digits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
