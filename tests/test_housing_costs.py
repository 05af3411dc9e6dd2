"""Housing costs: tenure shares by zone type as sourced, rents per m2 and surfaces, the APL zones
of known communes, the rent index, determinism and input checks."""

import numpy as np
import pytest

from ampsim.core.parameters import iter_parameters
from ampsim.core.seeds import SeedPlan
from ampsim.submodels.income.housing_costs import (
    HousingCostParameters,
    RentArea,
    Tenure,
    apl_zone,
    draw_tenures,
    dwelling_surface,
    household_rent,
    monthly_rents,
    rent_table,
    zone_apl_zones,
    zone_areas,
)
from ampsim.world.households import form_households, household_composition
from ampsim.world.population import synthesise_population
from ampsim.world.territory import read_data_csv

SCALE = 0.05
SOURCES = {  # census shares behind the defaults (owners, private, social, free)
    True: (0.467, 0.332, 0.179, 0.022),
    False: (97556 / 178678, (46094 + 9109) / 178678, 19320 / 178678, 6599 / 178678),
}


@pytest.fixture(scope="module")
def table():
    return rent_table()


@pytest.fixture(scope="module")
def households(territory):
    seeds = SeedPlan.from_seed(13).replicate(0)
    residents = synthesise_population(territory, SCALE, seeds)
    _, formed = form_households(
        residents.zone,
        residents.age_years(),
        residents.sex,
        residents.status,
        household_composition(territory),
        seeds.generator("population.households"),
    )
    return formed


@pytest.fixture(scope="module")
def tenures(territory, households, table):
    u = SeedPlan.from_seed(13).replicate(0).generator("income.tenure").random(households.n)
    return draw_tenures(u, households.zone, territory, table)


def test_tenure_shares_by_zone_type_match_the_sources(territory, households, tenures):
    marseille, _ = zone_areas(territory)
    in_marseille = marseille[households.zone]
    print(f"\n{households.n} synthetic households (scale {SCALE})")
    for flag, name in ((True, "Marseille"), (False, "other communes")):
        shares = np.bincount(tenures[in_marseille == flag], minlength=4) / np.sum(in_marseille == flag)
        print(
            f"{name}: owners {shares[0]:.3f}, private {shares[1]:.3f}, social {shares[2]:.3f}, "
            f"free {shares[3]:.3f} (sources {np.round(SOURCES[flag], 3)})"
        )
        assert np.allclose(shares, SOURCES[flag], atol=0.02)
        tenants = shares[1] + shares[2]
        assert tenants == pytest.approx(SOURCES[flag][1] + SOURCES[flag][2], abs=0.02)


def test_rents_per_m2_and_surfaces_as_sourced(table):
    assert table.private_rent[RentArea.MARSEILLE] == 12.2
    assert table.private_rent[RentArea.AIX] == 15.2
    assert table.private_rent[RentArea.OTHER] == 12.7
    assert table.social_rent == 6.3
    # the surface line passes through INSEE's 52 m2 (private) and 64 m2 (social) mean rented flats
    assert table.first_surface + table.extra_surface * 0.8 == pytest.approx(52.0)
    assert table.first_surface + table.extra_surface * 1.4 == pytest.approx(64.0)
    assert [dwelling_surface(n, table) for n in (1, 2, 3, 6, 9)] == [36.0, 56.0, 76.0, 136.0, 136.0]


def test_rent_of_each_tenure(table):
    assert household_rent(Tenure.OWNER, 3, RentArea.MARSEILLE, 1.0, table) == 0.0
    assert household_rent(Tenure.FREE, 3, RentArea.MARSEILLE, 1.0, table) == 0.0
    assert household_rent(Tenure.PRIVATE, 1, RentArea.MARSEILLE, 1.0, table) == pytest.approx(36 * 12.2)
    assert household_rent(Tenure.PRIVATE, 2, RentArea.AIX, 1.0, table) == pytest.approx(56 * 15.2)
    assert household_rent(Tenure.SOCIAL, 2, RentArea.AIX, 1.3, table) == pytest.approx(56 * 6.3)


def test_mean_rents_of_the_synthetic_households(territory, households, tenures, table):
    rents = monthly_rents(tenures, households.size, households.zone, territory, table)
    assert np.all(rents[(tenures == Tenure.OWNER) | (tenures == Tenure.FREE)] == 0.0)
    for tenure in (Tenure.PRIVATE, Tenure.SOCIAL):
        mine = tenures == tenure
        surface = rents[mine] / np.where(tenure == Tenure.SOCIAL, 6.3, 1.0)
        print(
            f"\n{tenure.name.lower()}: mean rent {rents[mine].mean():.0f} EUR/month, "
            f"mean size {households.size[mine].mean():.2f}"
        )
        assert 300.0 < rents[mine].mean() < 900.0
        if tenure == Tenure.SOCIAL:
            assert 45.0 < surface.mean() < 75.0


def test_rent_index_moves_private_rents_only(territory, table):
    zone = np.array([territory.zone_index("Marseille 3e"), territory.zone_index("Aix-en-Provence")])
    tenure = np.array([Tenure.PRIVATE, Tenure.SOCIAL])
    size = np.array([2, 2])
    index = np.ones(territory.n_zones)
    base = monthly_rents(tenure, size, zone, territory, table, index)
    index[zone] = 1.2
    moved = monthly_rents(tenure, size, zone, territory, table, index)
    assert moved[0] == pytest.approx(1.2 * base[0]) and moved[1] == base[1]
    start = np.full(territory.n_zones, 1.2)
    assert monthly_rents(tenure, size, zone, territory, table, index, start)[0] == pytest.approx(base[0])
    indexed = rent_table(HousingCostParameters(social_rent_follows_index=True))
    assert monthly_rents(tenure, size, zone, territory, indexed, index)[1] == pytest.approx(1.2 * base[1])


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        (13001, 2),
        (13055, 2),
        (13201, 2),
        (13216, 2),
        (13005, 2),
        (13047, 2),
        (13103, 2),
        (13028, 2),
        (83120, 2),
        (13003, 3),
        (13110, 3),
        (13050, 3),
        (84089, 3),
    ],
)
def test_apl_zone_of_known_communes(code, zone):
    assert apl_zone(code) == zone


def test_every_zone_has_an_apl_zone(territory):
    zones = zone_apl_zones(territory)
    assert zones.size == territory.n_zones and set(np.unique(zones)) <= {2, 3}
    table = read_data_csv("apl_zones.csv")
    assert len(table) == 92 and set(table["apl_zone"]) == {2, 3}


def test_same_uniforms_give_the_same_tenures(territory, households, tenures, table):
    u = SeedPlan.from_seed(13).replicate(0).generator("income.tenure").random(households.n)
    assert np.array_equal(draw_tenures(u, households.zone, territory, table), tenures)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda t, tab: draw_tenures([0.5, 1.2], [0, 1], t, tab), "u"),
        (lambda t, tab: draw_tenures([0.5, 0.2], [0, 500], t, tab), "zone"),
        (lambda t, tab: draw_tenures([0.5, 0.2], [0], t, tab), "zone"),
        (lambda t, tab: monthly_rents([5], [2], [0], t, tab), "tenure"),
        (lambda t, tab: monthly_rents([1], [0], [0], t, tab), "household_size"),
        (lambda t, tab: monthly_rents([1], [2], [0], t, tab, np.ones(3)), "rent_index"),
        (lambda t, tab: monthly_rents([1], [2], [0], t, tab, np.full(t.n_zones, -1.0)), "rent_index"),
        (lambda t, tab: apl_zone(75056), "insee_code"),
        (lambda t, tab: apl_zone("13001"), "insee_code"),
        (lambda t, tab: rent_table(HousingCostParameters(tenure_other=(0.5, 0.5, 0.5, 0.0))), "tenure_other"),
    ],
)
def test_bad_input_raises_a_one_line_value_error(territory, table, call, word):
    with pytest.raises(ValueError) as error:
        call(territory, table)
    message = str(error.value)
    assert message.startswith(f"{word}:") and "\n" not in message


def test_every_parameter_is_documented():
    for path, value, unit, source, description in iter_parameters(HousingCostParameters()):
        assert unit and source and description, path
        assert value is not None, path
