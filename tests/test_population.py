import numpy as np
import pytest

from ampsim.core.errors import InputError
from ampsim.core.seeds import SeedPlan
from ampsim.world.population import (
    PopulationParameters,
    check_scale,
    minimum_scale,
    population_summary,
    residents_per_zone,
    synthesise_population,
)
from ampsim.world.residents import Status
from ampsim.world.territory import POVERTY_THRESHOLD_EUR


def test_full_scale_has_every_resident(territory, population_full):
    assert population_full.n == 1_939_077
    assert population_full.weight == 1.0
    counts = np.bincount(population_full.zone, minlength=territory.n_zones)
    assert np.array_equal(counts, territory.population)


def test_reported_totals_are_in_real_population_units(territory, population_tenth):
    residents = population_tenth
    assert residents.n == round(1_939_077 * 0.1)
    assert residents.n * residents.weight == pytest.approx(1_939_077)
    summary = population_summary(territory, residents)
    zones = summary.iloc[:-1]
    # every zone's population within one simulated resident of the census
    assert np.all(np.abs(zones["people"] - zones["people_data"]) <= residents.weight + 1e-6)


def test_resident_memory_is_at_most_64_bytes_each(population_full):
    assert population_full.bytes_per_resident <= 64
    assert population_full.nbytes == sum(a.nbytes for a in population_full.arrays().values())


def test_zone_unemployment_within_sampling_error(territory, population_tenth):
    summary = population_summary(territory, population_tenth).iloc[:-1]
    residents = population_tenth
    age = residents.age_years()
    working_age = (age >= 15) & (age <= 64)
    active = working_age & np.isin(residents.status, [Status.EMPLOYED, Status.UNEMPLOYED])
    n_active = np.bincount(residents.zone[active], minlength=territory.n_zones)
    p = summary["unemployment_pct_data"].to_numpy() / 100
    observed = summary["unemployment_pct"].to_numpy() / 100
    z = (observed - p) / np.sqrt(p * (1 - p) / n_active)
    assert np.abs(z).max() < 4.5, summary.iloc[np.argmax(np.abs(z))]
    # and not suspiciously exact either: the spread of z-scores looks like sampling noise
    assert 0.6 < z.std() < 1.4


def test_zone_median_income_within_sampling_error(territory, population_tenth):
    summary = population_summary(territory, population_tenth).iloc[:-1]
    n = np.bincount(population_tenth.zone, minlength=territory.n_zones)
    target = summary["median_income_data"].to_numpy()
    sigma = PopulationParameters().income_sigma
    # standard error of a sample median of a log-normal: m * sigma * sqrt(pi / 2) / sqrt(n)
    standard_error = target * sigma * np.sqrt(np.pi / 2) / np.sqrt(n)
    z = (summary["median_income"].to_numpy() - target) / standard_error
    assert np.abs(z).max() < 4.5


def test_youth_share_within_sampling_error(territory, population_tenth):
    summary = population_summary(territory, population_tenth).iloc[:-1]
    n = np.bincount(population_tenth.zone, minlength=territory.n_zones)
    p = summary["youth_share_pct_data"].to_numpy() / 100
    z = (summary["youth_share_pct"].to_numpy() / 100 - p) / np.sqrt(p * (1 - p) / n)
    assert np.abs(z).max() < 4.5


def test_metro_figures(territory, population_full):
    metro = population_summary(territory, population_full).iloc[-1]
    assert metro["people"] == 1_939_077
    assert abs(metro["unemployment_pct"] - 12.1) < 0.5
    residents = population_full
    age = residents.age_years()
    young_active = (age >= 15) & (age <= 24) & np.isin(residents.status, [0, 1])
    youth_rate = (residents.status[young_active] == Status.UNEMPLOYED).mean()
    assert 0.20 < youth_rate < 0.28  # census 2022: 23.8 %
    poverty = (residents.income < POVERTY_THRESHOLD_EUR).mean()
    assert 0.15 < poverty < 0.22


def test_statuses_are_consistent_with_age(population_tenth):
    residents = population_tenth
    age = residents.age_years()
    status = residents.status
    assert age.max() <= 104
    assert np.all(status[age < 15] == Status.IN_EDUCATION)
    assert np.all(status[age >= 65] == Status.RETIRED)
    assert not np.any(status == Status.IN_TRAINING)  # nobody is in training at the start
    working_age = (age >= 15) & (age <= 64)
    activity = np.isin(status[working_age], [Status.EMPLOYED, Status.UNEMPLOYED]).mean()
    assert abs(activity - 0.717) < 0.01  # census 2022: 71.7 %


def test_income_ranks_with_education_and_employment(population_tenth):
    residents = population_tenth
    log_income = np.log(residents.income)
    by_level = [log_income[residents.education == level].mean() for level in range(4)]
    assert by_level == sorted(by_level)
    employed = log_income[residents.status == Status.EMPLOYED].mean()
    unemployed = log_income[residents.status == Status.UNEMPLOYED].mean()
    assert employed > unemployed + 0.2


def test_homes_are_on_land_in_the_residents_own_zone(territory, population_tenth):
    grid = territory.grid
    residents = population_tenth
    assert residents.home_cell.max() < grid.n_cells
    assert np.array_equal(grid.cell_zone[residents.home_cell], residents.zone)
    assert grid.land.ravel()[grid.cell_flat[residents.home_cell]].all()


def test_same_seed_same_arrays_other_seed_different(territory):
    first = synthesise_population(territory, 0.02, SeedPlan.from_seed(11).replicate(0))
    again = synthesise_population(territory, 0.02, SeedPlan.from_seed(11).replicate(0))
    other = synthesise_population(territory, 0.02, SeedPlan.from_seed(12).replicate(0))
    replicate = synthesise_population(territory, 0.02, SeedPlan.from_seed(11).replicate(1))
    for name, array in first.arrays().items():
        assert array.tobytes() == again.arrays()[name].tobytes(), name
    for name in ("age_months", "status", "income", "home_cell", "education"):
        assert not np.array_equal(first.arrays()[name], other.arrays()[name]), name
        assert not np.array_equal(first.arrays()[name], replicate.arrays()[name]), name
    assert np.array_equal(first.zone, other.zone)  # zone sizes depend on the scale only


def test_at_the_minimum_scale_no_zone_is_a_resident_for_more_than_twice_its_people(territory):
    smallest = minimum_scale()
    assert smallest == 1 / (2 * territory.population.min())
    counts = residents_per_zone(territory.population, smallest)
    assert counts.min() == 1
    assert (counts / smallest <= 2 * territory.population).all()
    residents = synthesise_population(territory, smallest, SeedPlan.from_seed(0).replicate(0))
    assert np.unique(residents.zone).size == 107
    with pytest.raises(InputError, match=r"expected at least 0.00397 \(1/252\).*\(126 inhabitants\)"):
        check_scale(1e-5)


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan"), float("inf"), "0.1", None, True])
def test_scale_outside_the_unit_interval_is_rejected(bad):
    with pytest.raises(InputError, match=r"scale: expected a number in \(0, 1\]"):
        check_scale(bad)
