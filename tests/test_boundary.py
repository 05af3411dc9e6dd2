"""The boundary rates agree with the cited balances and projection, and reject bad input."""

import math

import numpy as np
import pytest
from pydantic import ValidationError

from ampsim.core.parameters import iter_parameters
from ampsim.submodels.housing import HousingParameters
from ampsim.world import boundary as b

START_POPULATION = 1_939_077  # the model's metro total (legal populations 2023, zones.csv)
YEARS_2026_2040 = 14


@pytest.fixture(scope="module")
def params():
    return b.BoundaryParameters()


@pytest.fixture(scope="module")
def structure():
    return b.metro_age_structure()


@pytest.fixture(scope="module")
def evidence():
    return b.boundary_evidence()


def test_net_migration_of_the_metro_age_structure_is_within_the_cited_range(params, structure, evidence):
    rate = b.net_migration_rate(b.band_shares(structure), params) * 100
    cited = [
        evidence.loc["amp_net_migration_2015", "value"],
        evidence.loc["amp_migration_2013_2018", "value"],
    ]
    print(f"\nnet migration {rate:.3f} %/year; cited {cited} %/year")
    assert min(cited) - 0.1 <= rate <= max(cited)
    assert rate < 0, "AMP loses people in its exchanges with the rest of France"


def test_gross_flows_match_the_census_arrivals(params, structure, evidence):
    flows = b.expected_migration(START_POPULATION, b.band_shares(structure), params)
    arrivals_pct = flows.arrivals / START_POPULATION * 100
    five_year_pct = evidence.loc["bdr_arrivals_5_years", "value"]
    print(f"\narrivals {flows.arrivals:,.0f}/year ({arrivals_pct:.2f} %), departures {flows.departures:,.0f}")
    # 8.2 % arrived within five years: at least 1.64 %/year, more with repeat moves and from abroad
    assert five_year_pct / 5 <= arrivals_pct <= five_year_pct / 5 * 1.4


def test_age_profile_follows_the_census_findings(params):
    net = np.subtract(params.in_migration, params.out_migration)
    bands = dict(zip(b.BAND_NAMES, net, strict=True))
    assert bands["18-24"] > 0, "students arrive"
    assert all(bands[name] < 0 for name in ("25-34", "35-49", "50-64")), "adults over 25 leave"
    assert bands["50-64"] == min(bands[n] for n in ("35-49", "50-64", "65-79"))
    assert np.argmax(params.out_migration) in (1, 2), "young adults move most"


def test_projection_2026_2040_is_close_to_the_insee_central_scenario(params, structure):
    totals = b.projected_population(START_POPULATION, structure, YEARS_2026_2040, params)
    target = b.projection_target(START_POPULATION, YEARS_2026_2040, params)
    growth = ((totals[-1] / totals[0]) ** (1 / YEARS_2026_2040) - 1) * 100
    print(
        f"\n2040: {totals[-1]:,.0f} projected by the rates against {target:,.0f} at "
        f"{params.projected_growth_pct} %/year; growth {growth:.3f} %/year"
    )
    assert abs(totals[-1] / target - 1) < 0.01
    assert abs(growth - params.projected_growth_pct) < 0.05


def test_the_projection_would_miss_without_migration_or_with_a_higher_birth_rate(params, structure):
    """The check can fail: closing the boundary or raising births moves the projection off target."""
    target = b.projection_target(START_POPULATION, YEARS_2026_2040, params)
    closed = params.model_copy(update={"in_migration": (0.0,) * 7, "out_migration": (0.0,) * 7})
    fertile = params.model_copy(update={"birth_rate": 15.0})
    for variant in (closed, fertile):
        total = b.projected_population(START_POPULATION, structure, YEARS_2026_2040, variant)[-1]
        assert abs(total / target - 1) >= 0.01


def test_natural_rates_reproduce_the_cited_crude_rates(params, structure):
    death, fertility = b.calibrated_natural_rates(structure, params)
    assert structure @ death * 1000 == pytest.approx(params.death_rate, rel=1e-6)
    assert fertility * structure[15:50].sum() * 1000 == pytest.approx(params.birth_rate)
    assert np.all(np.diff(death) >= 0) and death[-1] == 1


def test_metro_age_structure_matches_the_zones_share_of_15_29(structure):
    zones = b.read_data_csv("zones.csv", dtype={"insee_code": str})
    zones = zones[zones["insee_code"] != "13055"]
    expected = np.average(zones["share_15_29_pct"], weights=zones["population"]) / 100
    assert structure[15:30].sum() == pytest.approx(expected)
    assert structure.sum() == pytest.approx(1)


def test_every_probability_is_in_the_unit_interval(params):
    out_monthly, in_monthly = b.monthly_migration(params)
    for values in (out_monthly, in_monthly, b.by_age(params.out_migration)):
        assert values.shape == (b.MAX_AGE + 1,)
        assert np.all((values >= 0) & (values <= 1))
    assert b.monthly_probability(1.0) == 1 and b.monthly_probability(0.0) == 0


def test_monthly_probability_compounds_back_to_the_annual_one():
    annual = np.array([0.01, 0.2, 0.5])
    assert 1 - (1 - b.monthly_probability(annual)) ** 12 == pytest.approx(annual)


def test_programme_shares_sum_to_one(params):
    split = b.programme_job_split(1000, params)
    assert split.relocated + split.net_new == pytest.approx(1000)
    assert split.to_in_migrants + split.to_in_commuters + split.to_residents == pytest.approx(split.net_new)
    assert split.to_residents >= 0
    declared = b.programme_job_split(200, params, relocated_share=0.25)
    assert declared.relocated == 50 and declared.net_new == 150
    print(f"\n1,000 programme jobs: {split}")


def test_default_shares_sit_within_the_literature(params, evidence):
    transfers = evidence.loc[["papke_relocations_low", "rathelot_sillard_transfers"], "value"] / 100
    assert params.relocated_share <= transfers.max()
    non_residents = params.net_new_to_in_migrants + params.net_new_to_in_commuters
    assert evidence.loc["pays_aix_new_jobs", "value"] / 100 <= non_residents
    assert non_residents <= evidence.loc["bartik_nonresidents_share", "value"] / 100


def test_in_commuter_share_follows_from_the_job_concentration_index(params, evidence):
    index = evidence.loc["amp_job_concentration_2012", "value"] / 100
    derived = b.in_commuter_share_of_jobs(index, params.out_commuting_share)
    assert params.in_commuter_share == pytest.approx(derived, abs=5e-4)
    assert params.out_commuting_share < evidence.loc["paca_outside_epci", "value"] / 100


def test_projection_growth_is_the_derived_paca_rate(params, evidence):
    ratio = evidence.loc["paca_projection_2050", "value"] / evidence.loc["paca_population_2018", "value"]
    derived = (ratio ** (1 / 32) - 1) * 100
    assert params.projected_growth_pct == pytest.approx(derived, abs=5e-4)
    assert evidence.loc["paca_projection_growth", "value"] == pytest.approx(derived, abs=5e-4)


def test_multipliers_are_one_at_the_reference_and_move_the_right_way(params):
    employment = np.array([0.6, 0.5, 0.7])
    rent = np.array([12.0, 12.0, 15.0])
    inflow, outflow = b.migration_multipliers(employment, rent, 0.6, 12.0, params)
    assert inflow[0] == pytest.approx(1) and outflow[0] == pytest.approx(1)
    assert inflow[1] < 1 < outflow[1], "fewer jobs: fewer arrivals, more departures"
    dearer = b.migration_multipliers(np.array([0.6]), np.array([15.0]), 0.6, 12.0, params)
    assert dearer[0][0] < 1 < dearer[1][0], "dearer rents: fewer arrivals, more departures"


def test_every_parameter_has_a_unit_a_source_and_a_description(params):
    rows = list(iter_parameters(params))
    assert len(rows) >= 15
    for path, _value, unit, source, description in rows:
        assert unit and source and description, path


def test_evidence_rows_have_a_source_year_and_type(evidence):
    assert evidence.index.is_unique
    for column in ("figure", "unit", "year", "geography", "scope", "type", "source"):
        assert evidence[column].notna().all(), column
    assert set(evidence["type"]) <= {"official", "press", "paper", "derived"}


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda p, s: b.projected_population(-5, s, 10, p), "start_population"),
        (lambda p, s: b.projected_population(1e6, s, -1, p), "years"),
        (lambda p, s: b.projected_population(1e6, s, 2.5, p), "years"),
        (lambda p, s: b.projected_population(1e6, s * 2, 10, p), "age_structure"),
        (lambda p, s: b.projected_population(1e6, np.full(5, np.nan), 10, p), "age_structure"),
        (lambda p, s: b.monthly_probability(1.5), "annual"),
        (lambda p, s: b.monthly_probability(-0.1), "annual"),
        (lambda p, s: b.band_of_age(np.array([-1])), "age_years"),
        (lambda p, s: b.by_age((0.1, 0.2)), "band_values"),
        (lambda p, s: b.expected_migration(math.inf, b.band_shares(s), p), "population"),
        (lambda p, s: b.expected_migration(100, np.ones(3) / 3, p), "bands"),
        (lambda p, s: b.expected_migration(100, b.band_shares(s), p, in_multiplier=-1), "in_multiplier"),
        (lambda p, s: b.programme_job_split(100, p, relocated_share=1.2), "relocated_share"),
        (lambda p, s: b.programme_job_split(-1, p), "jobs"),
        (lambda p, s: b.in_commuter_share_of_jobs(0, 0.1), "job_concentration_index"),
        (lambda p, s: b.in_commuter_share_of_jobs(0.8, 0.05), "out_commuting_share"),
        (
            lambda p, s: b.migration_multipliers(np.array([0.0]), np.array([1.0]), 0.6, 1.0, p),
            "employment_rate",
        ),
        (lambda p, s: b.migration_multipliers(np.array([0.5]), np.array([1.0, 2.0]), 0.6, 1.0, p), "rent"),
        (
            lambda p, s: b.migration_multipliers(np.array([0.5]), np.array([1.0]), 0.6, -1.0, p),
            "reference_rent",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(params, structure, call, argument):
    with pytest.raises(ValueError, match=argument):
        call(params, structure)


def test_bad_parameters_are_rejected():
    with pytest.raises(ValidationError, match="out_migration"):
        b.BoundaryParameters(out_migration=(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.5))
    with pytest.raises(ValidationError, match="net_new_to_in_migrants"):
        b.BoundaryParameters(net_new_to_in_migrants=0.8, net_new_to_in_commuters=0.3)
    with pytest.raises(ValidationError, match="in_migration"):
        b.BoundaryParameters(in_migration=(0.1, 0.1))


def test_a_new_homes_net_residents_follow_from_the_metros_construction_and_growth(params, evidence):
    """The room a programme's dwelling adds is the metro's growth per resident its construction
    lodges: 8,450 dwellings in 2021 for about 2,100 more residents a year, with no net migration."""
    growth = START_POPULATION * params.projected_growth_pct / 100
    lodged = evidence.loc["amp_dwellings_built_2021", "value"] * 2.1  # residents a dwelling, Euromed
    print(f"\n{growth:,.0f} more residents a year for {lodged:,.0f} lodged: {growth / lodged:.3f}")
    assert evidence.loc["amp_net_migration_plh", "value"] == 0
    assert HousingParameters().new_home_net_residents == pytest.approx(growth / lodged, abs=0.01)
