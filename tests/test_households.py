"""Households: everyone in exactly one, children with a parent-aged adult, census shares and mean
size per zone, consumption units, determinism and input checks."""

import re

import numba
import numpy as np
import pytest

from ampsim.core.seeds import SeedPlan
from ampsim.world.households import (
    N_UNIFORMS,
    HouseholdKind,
    HouseholdParameters,
    Households,
    consumption_units,
    form_households,
    household_composition,
    kind_shares,
    reference_rows,
)
from ampsim.world.population import synthesise_population
from ampsim.world.residents import Sex, Status

PURPOSE = "population.households"
SCALE = 0.05
ZONES = ("Marseille 3e", "Marseille 8e", "Marseille 14e", "Aix-en-Provence", "Cadolive")


@pytest.fixture(scope="module")
def composition(territory):
    return household_composition(territory)


@pytest.fixture(scope="module")
def residents(territory):
    return synthesise_population(territory, SCALE, SeedPlan.from_seed(5).replicate(0))


@pytest.fixture(scope="module")
def formed(residents, composition):
    rng = SeedPlan.from_seed(5).replicate(0).generator(PURPOSE)
    return form_households(
        residents.zone, residents.age_years(), residents.sex, residents.status, composition, rng
    )


def members_by_slot(households: Households, household_of: np.ndarray):
    """For each resident, the members of their household, one slot at a time (-1 past the end)."""
    start = households.offsets[household_of]
    size = households.size[household_of]
    for k in range(int(households.size.max())):
        yield np.where(k < size, households.members[np.minimum(start + k, households.members.size - 1)], -1)


def test_every_resident_belongs_to_exactly_one_household(formed, residents):
    household_of, households = formed
    assert household_of.dtype == np.int32 and household_of.size == residents.n
    assert np.array_equal(np.sort(households.members), np.arange(residents.n))
    listed = np.repeat(np.arange(households.n), households.size)
    assert np.array_equal(household_of[households.members], listed)
    assert households.size.min() >= 1 and households.offsets[-1] == residents.n
    assert np.array_equal(households.zone, residents.zone[households.members[households.offsets[:-1]]])
    for name in ("zone", "kind", "adults", "children_under_14", "members_14_plus"):
        assert getattr(households, name).dtype == np.uint8


def test_every_child_lives_with_an_adult_16_to_50_years_older(formed, residents):
    household_of, households = formed
    params = HouseholdParameters()
    age = residents.age_years().astype(int)
    children = np.flatnonzero(age < 18)
    found = np.zeros(children.size, dtype=bool)
    for slot in members_by_slot(households, household_of[children]):
        other = age[np.maximum(slot, 0)]
        gap = other - age[children]
        found |= (slot >= 0) & (other >= 18) & (gap >= params.parent_gap_min) & (gap <= params.parent_gap_max)
    assert children.size > 10_000 and found.all(), f"{(~found).sum()} children without a parent-aged adult"


def test_households_are_consistent_with_their_kind(formed, residents):
    household_of, households = formed
    kind, adults, size = households.kind, households.adults, households.size
    assert (size[kind == HouseholdKind.ONE_PERSON] == 1).all()
    couple = kind == HouseholdKind.COUPLE
    assert (size[couple] == 2).all() and (adults[couple] == 2).all()
    families = (kind == HouseholdKind.COUPLE_WITH_CHILDREN) | (kind == HouseholdKind.SINGLE_PARENT)
    assert (size[kind == HouseholdKind.COUPLE_WITH_CHILDREN] >= 3).all()
    assert (size[kind == HouseholdKind.SINGLE_PARENT] >= 2).all() and (adults[families] >= 1).all()
    child_kind = kind[household_of[residents.age_years() < 18]]
    assert np.isin(child_kind, [HouseholdKind.COUPLE_WITH_CHILDREN, HouseholdKind.SINGLE_PARENT]).all()


def test_couples_are_a_man_and_a_woman_with_a_plausible_age_gap(formed, residents):
    _, households = formed
    params = HouseholdParameters()
    start = households.offsets[:-1][households.kind == HouseholdKind.COUPLE]
    first, second = households.members[start], households.members[start + 1]
    assert (residents.sex[first] != residents.sex[second]).all()
    man = np.where(residents.sex[first] == Sex.MALE, first, second)
    woman = np.where(residents.sex[first] == Sex.MALE, second, first)
    gap = residents.age_years()[man].astype(int) - residents.age_years()[woman].astype(int)
    assert gap.min() >= params.couple_gap_min and gap.max() <= params.couple_gap_max
    assert abs(gap.mean() - params.couple_gap_mean) < 1.0


def test_retirees_live_alone_or_in_couples(formed, residents):
    household_of, households = formed
    kinds = households.kind[household_of[residents.status == Status.RETIRED]]
    assert np.isin(kinds, [HouseholdKind.ONE_PERSON, HouseholdKind.COUPLE]).all()


def test_about_the_set_share_of_students_18_24_live_with_their_parents(formed, residents):
    household_of, households = formed
    age = residents.age_years().astype(int)
    students = np.flatnonzero((residents.status == Status.IN_EDUCATION) & (age >= 18) & (age <= 24))
    with_parent = np.zeros(students.size, dtype=bool)
    for slot in members_by_slot(households, household_of[students]):
        gap = age[np.maximum(slot, 0)] - age[students]
        with_parent |= (slot >= 0) & (gap >= 16)
    share = with_parent.mean()
    print(f"\nstudents 18-24 living with an adult 16+ years older: {share:.3f} (parameter 0.32)")
    assert abs(share - HouseholdParameters().students_at_home) < 0.06


@pytest.mark.parametrize("query", ZONES)
def test_kind_shares_and_mean_size_match_the_census(formed, residents, composition, territory, query):
    _, households = formed
    z = territory.zone_index(query)
    shares = kind_shares(households, territory.n_zones)[z]
    in_zone = households.zone == z
    size = households.size[in_zone].mean()
    wanted = composition.shares[z]
    print(
        f"\n{territory.names[z]} ({in_zone.sum()} households, data row {composition.row[z]}): "
        + ", ".join(f"{k.name.lower()} {100 * s:.1f} % (data {100 * w:.1f})"
                    for k, s, w in zip(HouseholdKind, shares, wanted, strict=True))
        + f"; mean size {size:.2f} (data {composition.mean_size[z]:.2f})"
    )  # fmt: skip
    tolerance = 0.03 if in_zone.sum() > 1000 else 0.06
    assert np.abs(shares - wanted).max() < tolerance
    assert abs(size - composition.mean_size[z]) < 0.05 * composition.mean_size[z]


def test_metro_size_distribution_is_near_the_2006_census(formed):
    _, households = formed
    table = reference_rows()
    old = table.loc["mpm_2006", [f"size_{k}_pct" for k in (1, 2, 3, 4, 5)] + ["size_6_plus_pct"]]
    counts = np.bincount(np.minimum(households.size, 6), minlength=7)[1:]
    shares = 100 * counts / counts.sum()
    pairs = zip(shares, old, strict=True)
    print("\nsize 1..6+ %: " + ", ".join(f"{s:.1f} (2006: {o:.1f})" for s, o in pairs))
    assert np.abs(shares - old.to_numpy(float)).max() < 5.0  # 2006: fewer one-person households


def test_zone_composition_rule(territory, composition):
    row = dict(zip(territory.names, composition.row, strict=True))
    assert row["Marseille 8e Arrondissement"] == "marseille_8e"
    assert row["Marseille 14e Arrondissement"] == "marseille_14e"
    assert row["Marseille 3e Arrondissement"] == "marseille_employment_zone"
    assert row["Aubagne"] == "marseille_employment_zone"
    assert row["Aix-en-Provence"] == row["Gardanne"] == "aix_living_area"
    assert row["Istres"] == row["Salon-de-Provence"] == row["Martigues"] == "paca"
    assert np.allclose(composition.shares.sum(axis=1), 1.0)
    eighth = territory.zone_index("Marseille 8e")
    assert composition.shares[eighth, HouseholdKind.ONE_PERSON] == pytest.approx(0.456)
    assert composition.shares[eighth, HouseholdKind.SINGLE_PARENT] == pytest.approx(0.095)
    assert composition.mean_size[territory.zone_index("Marseille 3e")] == pytest.approx(2.13, abs=0.01)
    fourteenth = territory.zone_index("Marseille 14e")
    assert 1.8 < composition.mean_size[eighth] < composition.mean_size[fourteenth] < 2.6


def test_consumption_units_on_the_modified_oecd_scale():
    households = Households(
        zone=np.zeros(4, np.uint8),
        kind=np.array([0, 2, 3, 4], np.uint8),
        adults=np.array([1, 2, 1, 0], np.uint8),
        children_under_14=np.array([0, 1, 2, 2], np.uint8),
        members_14_plus=np.array([1, 3, 1, 0], np.uint8),
        offsets=np.array([0, 1, 5, 8, 10]),
        members=np.arange(10, dtype=np.int32),
    )
    assert np.allclose(consumption_units(households), [1.0, 1 + 0.5 + 0.5 + 0.3, 1 + 0.6, 1 + 0.3])


def test_consumption_units_of_formed_households(formed, residents):
    household_of, households = formed
    age = residents.age_years()
    weight = np.where(age < 14, 0.3, 0.5)
    # 0.5 per member aged 14+, 0.3 per child, plus 0.5 since the first member aged 14+ counts 1
    expected = np.bincount(household_of, weights=weight, minlength=households.n) + 0.5
    assert (households.members_14_plus >= 1).all()
    assert np.allclose(consumption_units(households), expected)


def test_same_seed_same_households_whatever_the_threads(residents, composition, formed):
    args = (residents.zone, residents.age_years(), residents.sex, residents.status, composition)
    uniforms = SeedPlan.from_seed(5).replicate(0).generator(PURPOSE).random((residents.n, N_UNIFORMS))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        serial, serial_households = form_households(*args, uniforms)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(serial, formed[0])
    assert np.array_equal(serial_households.kind, formed[1].kind)
    other, _ = form_households(*args, SeedPlan.from_seed(6).replicate(0).generator(PURPOSE))
    assert not np.array_equal(other, formed[0])


def test_zones_without_adults_and_empty_input(composition):
    age = np.array([3, 9, 12])
    household, households = form_households(
        np.zeros(3, np.uint8), age, np.zeros(3, np.uint8), np.full(3, Status.IN_EDUCATION), composition,
        np.random.default_rng(0),
    )  # fmt: skip
    assert households.n == 1 and (household == 0).all() and households.kind[0] == HouseholdKind.OTHER
    empty = np.zeros(0, np.uint8)
    household, households = form_households(empty, empty, empty, empty, composition, np.random.default_rng(0))
    assert household.size == 0 and households.n == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"age_years": np.zeros(2)}, "different lengths"),
        ({"zone": np.full(3, 107)}, "unknown zone index 107"),
        ({"zone": np.zeros((3, 1))}, "one-dimensional"),
        ({"age_years": np.array([-1, 2, 3])}, "ages of 0 or more"),
        ({"sex": np.array([0, 1, 2])}, "sex"),
        ({"status": np.array([0, 9, 0])}, "status"),
        ({"rng_or_uniforms": np.zeros((3, 2))}, "uniforms: expected shape (3, 6)"),
        ({"rng_or_uniforms": np.ones((3, 6))}, "uniforms: expected values in [0, 1)"),
    ],
)
def test_bad_input_raises_a_one_line_value_error(composition, change, message):
    arguments = {
        "zone": np.zeros(3, np.uint8),
        "age_years": np.array([40, 38, 10]),
        "sex": np.array([0, 1, 0]),
        "status": np.array([0, 0, 3]),
        "composition": composition,
        "rng_or_uniforms": np.random.default_rng(0),
    } | change
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        form_households(**arguments)
    assert "\n" not in str(error.value)
