"""Households in the running model: everyone in exactly one household every month, members who
share a zone and a home cell, children with an adult, newborns with a woman of 16-50, household
counts and sizes near the census after ten years, and the same households on 1 and 2 threads.
Run with -s to see the figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ampsim.model import AMPModel
from ampsim.world.household_kernels import HouseholdKind
from ampsim.world.households import household_composition
from ampsim.world.residents import Sex

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.01
MONTHS = 120
CHECKED_MONTHS = 60  # every invariant is checked every month of the first five years


def _children_without_adult(model: AMPModel) -> np.ndarray:
    """Slots of residents under 18 whose household has no member aged 18 or more."""
    r = model.residents
    present = r.present()
    adult = present & (r.age_years() >= 18)
    adults = np.bincount(r.household[adult], minlength=model.households.capacity)
    return np.flatnonzero(present & ~adult & (adults[r.household] == 0))


def _newborns_without_mother_aged_16_50(model: AMPModel) -> tuple[int, int]:
    """This month's newborns whose household has no woman aged 16 to 50: those of zones that
    have such a woman, and those of zones that have none (who join a household with an adult)."""
    r = model.residents
    age = r.age_years()
    woman = r.present() & (r.sex == Sex.FEMALE) & (age >= 16) & (age <= 50)
    women = np.bincount(r.household[woman], minlength=model.households.capacity)
    zone_has_woman = np.bincount(r.zone[woman], minlength=model.territory.n_zones) > 0
    motherless = np.flatnonzero(r.present() & (r.age_months == 0) & (women[r.household] == 0))
    excused = int(np.count_nonzero(~zone_has_woman[r.zone[motherless]]))
    return motherless.size - excused, excused


def _at_home_shares(model: AMPModel, ages: tuple[int, ...]) -> list[float]:
    """Share of residents of each age who live in a family household as one of its children."""
    r = model.residents
    hh = model.households.arrays()
    present = r.present()
    age = r.age_years().astype(np.int64)[present]
    household = r.household[present]
    oldest = np.zeros(model.households.capacity, dtype=np.int64)
    np.maximum.at(oldest, household, age)
    family = np.isin(hh.kind[household], (HouseholdKind.COUPLE_WITH_CHILDREN, HouseholdKind.SINGLE_PARENT))
    child = family & (age <= oldest[household] - 16)
    return [round(float(child[age == a].mean()), 2) for a in ages]


@pytest.fixture(scope="module")
def run():
    """A ten-year run at scale 0.01 without spin-up, with the invariants of each of the first 60
    months and the household figures of every year."""
    model = AMPModel(scale=SCALE, seed=2, months=MONTHS, calibration_months=0)
    records = {"problems": [], "orphans": 0, "stranded": 0, "motherless": 0, "excused": 0, "newborns": 0}
    yearly = [_figures(model)]
    for month in range(1, MONTHS + 1):
        model.step()
        if month <= CHECKED_MONTHS:
            records["problems"].append(model.households.problems(model.residents))
            orphans = _children_without_adult(model)
            records["orphans"] += orphans.size
            stranded = _zone_has_adult(model)[model.residents.zone[orphans]]
            records["stranded"] += int(np.count_nonzero(stranded))
            motherless, excused = _newborns_without_mother_aged_16_50(model)
            records["motherless"] += motherless
            records["excused"] += excused
            records["newborns"] += int(
                np.count_nonzero(model.residents.present() & (model.residents.age_months == 0))
            )
        if month % 12 == 0:
            yearly.append(_figures(model))
    yield model, records, yearly
    model.close()


def _zone_has_adult(model: AMPModel) -> np.ndarray:
    r = model.residents
    return np.bincount(r.zone[r.present() & (r.age_years() >= 18)], minlength=model.territory.n_zones) > 0


def _figures(model: AMPModel) -> dict:
    table = model.households
    kinds = table.kind_counts()
    return {
        "month": model.month,
        "households": table.n_households(),
        "mean_size": table.mean_size(),
        "kinds_pct": np.round(100 * kinds / kinds.sum(), 1).tolist(),
        "at_home_18_20_22_25_29_35": _at_home_shares(model, (18, 20, 22, 25, 29, 35)),
    }


def test_every_resident_is_in_exactly_one_household_sharing_its_zone_and_home(run):
    """`problems` checks every resident's row, sizes, member lists, heads, the free list, and
    that members live in their household's zone and home cell; every month for five years."""
    _, records, _ = run
    bad = [(month + 1, found) for month, found in enumerate(records["problems"]) if found]
    assert not bad, bad[:3]


def test_no_child_lives_without_an_adult(run):
    """Children left without an adult join another household at once; only in a zone without
    any adult could they stay alone (counted apart)."""
    _, records, _ = run
    print(f"\nchildren without an adult, summed over {CHECKED_MONTHS} months: {records['orphans']}")
    assert records["stranded"] == 0


def test_newborns_join_a_household_with_a_woman_aged_16_to_50(run):
    """Except in a zone without any woman of 16-50, where a newborn joins an adult's household."""
    _, records, _ = run
    print(
        f"\nnewborns in {CHECKED_MONTHS} months: {records['newborns']}; in a zone without a woman "
        f"of 16-50: {records['excused']}"
    )
    assert records["newborns"] > 100 and records["motherless"] == 0


def test_household_count_and_size_stay_near_the_census(run, territory):
    model, _, yearly = run
    composition = household_composition(territory)
    census_size = float(np.average(composition.mean_size, weights=territory.population))
    census_households = model.residents.n_present / census_size
    print(f"\ncensus: {census_households:.0f} households of {census_size:.3f} people (scale {SCALE})")
    for figures in yearly:
        print(figures)
    last = yearly[-1]
    assert last["month"] == MONTHS
    assert last["households"] == pytest.approx(census_households, rel=0.03)
    assert last["mean_size"] == pytest.approx(census_size, rel=0.03)
    one_person = HouseholdKind.ONE_PERSON
    assert abs(last["kinds_pct"][one_person] - yearly[0]["kinds_pct"][one_person]) < 6


def test_memory_per_resident(run):
    model, _, _ = run
    # per resident living in the metropolis: the free slots that let it grow are counted too
    present = model.residents.n_present
    residents = model.residents.nbytes / present
    table = model.households.nbytes / present
    print(f"\nresident arrays {residents:.1f} bytes per resident; household table {table:.1f} more")
    assert residents + table <= 64


def test_growing_the_table_keeps_every_household(run):
    model, _, _ = run
    table = model.households
    before = (table.n_households(), table.kind_counts().tolist(), table.capacity)
    table.reserve(table.capacity + 10)
    assert table.capacity > before[2]
    assert (table.n_households(), table.kind_counts().tolist()) == before[:2]
    assert table.problems(model.residents) == []


# --- the same households on one and two threads -----------------------------------------
RUN = """
import hashlib
from ampsim.model import AMPModel
model = AMPModel(scale=0.08, seed=4, months=3, calibration_months=6)
while model.running:
    model.step()
digest = hashlib.sha256(model.residents.household.tobytes())
for name, array in model.households.arrays()._asdict().items():
    digest.update(name.encode() + array.tobytes())
import numba
print(numba.get_num_threads(), model.households.n_households(), digest.hexdigest())
"""


def _run_in_process(threads: int) -> tuple[int, int, str]:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    completed = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    used, households, digest = completed.stdout.split()[-3:]
    return int(used), int(households), digest


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to run on two threads")
def test_one_and_two_threads_give_the_same_households():
    one, two = _run_in_process(1), _run_in_process(2)
    assert one[0] == 1 and two[0] == 2
    assert one[1:] == two[1:]
