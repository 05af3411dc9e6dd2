"""An open metropolis: free slots, departures and arrivals, births by fertility, housing vacancies."""

import numpy as np
import pytest

from ampsim.model import AMPModel
from ampsim.submodels.migration import arrival_homes, place_arrivals
from ampsim.world.residents import ARRIVED, NO_ZONE, Status, arrived_since_start


@pytest.fixture(scope="module")
def run():
    """A baseline of three years at scale 0.01, with the yearly populations and, over the months,
    how many arrivals live in the zone they were drawn for (`ARRIVALS`)."""
    model = AMPModel(scale=0.01, seed=3, months=36)
    start = model.residents.n_present
    populations = []
    ARRIVALS.clear()
    while model.running:
        model.step()
        slots = model.migration.arrival_slots
        r = model.residents
        ARRIVALS.append((int(np.sum(r.origin[slots] == ARRIVED + r.zone[slots])), int(slots.size)))
        if model.month % 12 == 0:
            populations.append(model.residents.n_present)
    yield model, start, populations
    model.close()


ARRIVALS: list[tuple[int, int]] = []  # each month: (arrivals in the zone they were drawn for, arrivals)


def test_the_spin_up_starts_the_run_at_the_census_population(run):
    model, start, _ = run
    census = model.migration.census_total
    assert abs(start - census) <= 0.002 * census  # the spin-up's arrivals make up for its losses
    assert model.migration.level > 0


def test_the_baseline_grows_about_as_the_projection(run):
    model, start, populations = run
    growth_pct = 100 * ((populations[-1] / start) ** (1 / 3) - 1)
    print(f"\nbaseline growth {growth_pct:.3f} %/year (projection 0.108)")
    assert abs(growth_pct - model.params.boundary.projected_growth_pct) < 0.35
    assert populations[-1] != start  # the metropolis is open: the population moves


def test_flows_are_of_the_cited_size(run):
    model, _, _ = run
    rows = model.metrics.metro_rows[-12:]
    population = rows[-1]["population"]
    for name, low, high in (("arrivals", 1.0, 3.5), ("departures", 1.0, 3.5), ("births", 0.6, 1.4)):
        yearly = 100 * sum(row[name] for row in rows) / population
        print(f"{name}: {yearly:.2f} % of the population a year")
        assert low < yearly < high, name


def test_free_slots_hold_nobody(run):
    model, _, _ = run
    r = model.residents
    free = r.status == Status.ABSENT
    assert free.any()
    assert np.all(r.household[free] < 0)
    assert model.households.problems(r) == []
    # every count skips them: the population indicator is the present residents
    assert model.metrics.latest["population"] == pytest.approx(r.n_present * r.weight)


def test_without_free_slots_newcomers_only_take_the_slots_leavers_freed():
    model = AMPModel(
        scale=0.005, seed=1, months=3, calibration_months=2, params={"population": {"free_slot_share": 0}}
    )
    slots = model.residents.n
    for _ in range(3):
        model.step()
        assert model.residents.n_present <= slots
    assert model.residents.n == slots
    assert model.households.problems(model.residents) == []
    model.close()


def test_arrivals_stay_within_vacant_dwellings_and_overflow_goes_where_there_is_room():
    wanted = np.array([10, 0, 5, 3])
    vacant = np.array([4, 6, 5, 0])
    placed = place_arrivals(wanted, vacant)
    assert np.all(placed <= vacant)
    assert placed.sum() == min(wanted.sum(), vacant.sum())
    assert placed[0] == 4 and placed[2] == 5 and placed[3] == 0
    assert place_arrivals(wanted, np.zeros(4, dtype=np.int64)).sum() == 0


def test_better_employment_draws_more_arrivals():
    model = AMPModel(scale=0.005, seed=2, months=2, calibration_months=2)
    migration = model.migration
    model.step()
    better = migration.reference_employment.copy()
    better[0] *= 1.05
    migration.update_factors(better, np.ones(better.size), migration.reference_vacant)
    assert migration.in_factor[0] == pytest.approx(1.05**model.params.boundary.employment_elasticity_in)
    assert migration.out_factor[0] < 1 and np.allclose(migration.in_factor[1:], 1)
    model.close()


def test_people_carry_their_traits_and_arrivals_those_of_the_homes_they_take(run):
    """The zones' calibrated traits (job search, pay level) belong to the people fitted on: a
    resident keeps their origin when they move; an arrival takes on the traits of the zone it was
    drawn for, where nearly all settle (the others where a full zone sends them); the residents of
    the start and their children are counted apart from the newcomers."""
    model, _, _ = run
    r = model.residents
    present = r.present()
    arrived = present & arrived_since_start(r.origin)
    slots = model.migration.arrival_slots
    assert slots.size > 0 and np.all(r.origin[slots] >= ARRIVED)
    where_drawn = sum(matched for matched, _ in ARRIVALS) / sum(total for _, total in ARRIVALS)
    print(f"\n{where_drawn:.1%} of the 36 months' arrivals live in the zone they were drawn for")
    assert where_drawn > 0.8
    assert arrived.sum() > 0.03 * present.sum()  # three years of arrivals
    stayed = present & ~arrived
    moved = stayed & (r.origin != r.zone)
    assert 0 < moved.sum() < 0.5 * stayed.sum()  # movers between zones kept their origin
    levels = model.incomes.level_by_origin
    zone_levels = model.incomes.zone_level
    assert zone_levels.min() < levels[NO_ZONE] < zone_levels.max()
    assert np.array_equal(levels[: zone_levels.size], zone_levels)
    assert np.array_equal(levels[ARRIVED : ARRIVED + zone_levels.size], zone_levels)
    multiplier = model.labour._search_tables(model.training.search_boost).multiplier_by_origin
    assert multiplier[NO_ZONE] == 1.0
    row = model.metrics.metro_rows[-1]
    assert row["start_population"] == pytest.approx(stayed.sum() * r.weight)
    assert row["start_unemployed"] < row["unemployed_people"] and row["start_poor"] < row["poor_people"]


def _first_month_arrivals(no_room: list[int]) -> tuple[AMPModel, np.ndarray]:
    """A model after its first month, the zones listed having no vacant home for arrivals; its
    arrivals' slots."""
    model = AMPModel(scale=0.01, seed=3, months=1, calibration_months=24)
    vacant = model.housing.vacant
    zones = np.flatnonzero(np.isin(model.territory.codes, no_room))

    def without_room(residents):
        room = vacant(residents).copy()
        room[zones] = 0
        return room

    model.housing.vacant = without_room
    model.step()
    return model, model.migration.arrival_slots.copy()


def test_an_arrival_carries_the_traits_of_the_zone_it_was_drawn_for_wherever_it_settles():
    plain, slots = _first_month_arrivals([])
    full, same_slots = _first_month_arrivals([13215, 13203])
    assert np.array_equal(slots, same_slots)  # the same arrivals come, into the same slots
    for name in ("age_months", "sex", "education", "origin"):  # the same people
        assert np.array_equal(getattr(full.residents, name)[slots], getattr(plain.residents, name)[slots])
    drawn_for = plain.residents.origin[slots].astype(int) - ARRIVED
    targets = np.isin(full.territory.codes[drawn_for], [13215, 13203])
    print(f"\n{targets.sum()} of {slots.size} simulated arrivals drawn for zones without room")
    assert targets.sum() > 0 and (~targets).sum() > 0
    assert np.all(plain.residents.zone[slots][targets] == drawn_for[targets])  # with room, there
    moved = full.residents.zone[slots][targets]
    assert not np.isin(full.territory.codes[moved], [13215, 13203]).any()  # without, elsewhere
    plain.close()
    full.close()


def test_arrivals_without_room_where_drawn_take_the_room_of_other_zones_in_order():
    wanted = np.array([3, 2, 0, 1])
    placed = np.array([1, 4, 1, 0])  # zone 0 keeps 1, zone 1 gets 2 more, zone 2 gets 1, zone 3 none
    homes = arrival_homes(wanted, placed, free_slots=10)
    assert homes.tolist() == [0, 1, 1, 1, 1, 2]
    assert arrival_homes(wanted, placed, free_slots=4).tolist() == [0, 1, 1, 1, -1, -1]
    short = arrival_homes(wanted, np.array([1, 2, 0, 0]), free_slots=10)
    assert short.tolist() == [0, -1, -1, 1, 1, -1]  # no room anywhere else: they do not come
