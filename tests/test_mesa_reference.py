"""The kernels implement the residents' rules: the Mesa-objects reference agrees with them.

benchmarks/mesa_reference.py writes training, the labour market, commuting and exposure as one
Mesa agent per resident. From the state of a 20,000-resident model, six months run by the model's
kernels (30 times, with the random streams of 30 replicates) and by the reference must give the
same metro results: each random result of the reference, averaged over three of its seeds, within
four standard deviations of the kernels' mean, the deterministic ones (exposure, attributable
deaths) to rounding. A reference with one rule changed
must be told apart, so the tolerances are not too wide to see a wrong rule.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for benchmarks/

from ampsim.model import AMPModel
from benchmarks.mesa_reference import KernelMonths, ReferenceModel, kernel_state, metro_results

MONTHS = 6
REPLICATES = 30
REFERENCE_SEEDS = (1, 2, 3)
RANDOM_RESULTS = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "employed",
    "in_training",
    "trained_seekers",
    "car_share",
)
# no rule of these months changes incomes (the income submodel is not among them), so the mean
# income is the same in every run, as the exposures are
DETERMINISTIC_RESULTS = ("mean_exposure_no2", "mean_exposure_pm25", "attributable_deaths_pm25", "mean_income")


@pytest.fixture(scope="module")
def source():
    model = AMPModel(scale=20_000 / 1_939_077, seed=11, months=MONTHS)
    yield model
    model.close()


@pytest.fixture(scope="module")
def kernel_runs(source):
    """The kernels' results after MONTHS months, one row per replicate's random streams."""
    kernels = KernelMonths(source)
    runs = []
    for replicate in range(REPLICATES):
        kernels.restore(replicate)
        for _ in range(MONTHS):
            kernels.step()
        results = metro_results(kernel_state(source), source)
        results["attributable_deaths_pm25"] = float(source.exposure.attributable_deaths[:, 0].sum())
        runs.append(results)
    kernels.restore(0)  # the references start from the saved state
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


def reference_results(source, seed: int, separation_factor: float = 1.0) -> dict[str, float]:
    reference = ReferenceModel(source, seed=seed)
    reference.inputs.separation_rate *= separation_factor
    try:
        for _ in range(MONTHS):
            reference.step()
        results = metro_results(reference.state(), source)
        results["attributable_deaths_pm25"] = reference.attributable_deaths_pm25()
        return results
    finally:
        reference.close()


def mean_reference_results(source, **options) -> dict[str, float]:
    """The reference's results averaged over `REFERENCE_SEEDS`."""
    runs = [reference_results(source, seed=seed, **options) for seed in REFERENCE_SEEDS]
    return {name: float(np.mean([run[name] for run in runs])) for name in runs[0]}


def far_from_kernels(kernel_runs, results, reference_runs: int = len(REFERENCE_SEEDS)) -> dict[str, float]:
    """Random results further than four standard deviations from the kernels' mean, in deviations
    (the spread of a difference between the mean of `reference_runs` reference runs and the mean
    of the kernels' runs)."""
    far = {}
    for name in RANDOM_RESULTS:
        runs = kernel_runs[name]
        sd = runs.std(ddof=1) * np.sqrt(1 / reference_runs + 1 / runs.size)
        z = (results[name] - runs.mean()) / sd
        if abs(z) > 4:
            far[name] = round(float(z), 1)
    return far


def test_the_reference_gives_the_kernels_results(source, kernel_runs):
    results = mean_reference_results(source)
    assert far_from_kernels(kernel_runs, results) == {}
    for name in DETERMINISTIC_RESULTS:  # no randomness: the same to float32 rounding
        assert kernel_runs[name].std() <= 1e-9 * abs(kernel_runs[name].mean())
        assert results[name] == pytest.approx(kernel_runs[name][0], rel=1e-5)


def test_the_kernels_random_results_do_vary(kernel_runs):
    for name in RANDOM_RESULTS:  # the tolerances rest on a real spread
        assert kernel_runs[name].std() > 0


def test_a_reference_with_another_separation_rate_is_told_apart(source, kernel_runs):
    results = mean_reference_results(source, separation_factor=1.5)
    assert "unemployment_rate" in far_from_kernels(kernel_runs, results)
