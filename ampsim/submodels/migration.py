"""Migration across the metropolis's boundary: departures and arrivals, by age and zone.

Each month a resident leaves the metropolis with the monthly probability of their age band
(`BoundaryParameters.out_migration`) times their zone's out factor; the slot becomes free. Zone z
then receives arrivals in proportion to its population: during the spin-up, as many as bring it
back to its census population (so the model starts at the census); from the start on, at the mean
rate of those spin-up months, times the zone's in factor, plus the projected growth of the
metropolis (`projected_growth_pct`). The factors are constant elasticities of the zone's employment
rate and rent, relative to the start (`boundary.migration_multipliers`). Arrivals need a vacant
dwelling: a zone whose housing is full sends the rest to zones with room, or they do not come.
An arrival's age band follows the band rates of `in_migration` over the zone's age structure;
diploma, status and home cell are drawn as for the initial population. An arrival is drawn for a
zone and carries the calibrated traits of that zone's people (`Residents.origin`), like those whose
homes the zone's arrivals take; where the zone has no room left they settle in another zone with
room, and keep those traits; adults open a household, children join one
(`household_events.settle_arrivals_kernel`). Draws of departures are keyed on slots, draws of
arrivals on (zone drawn for, rank of the arrival in that zone's month): the same arrival in every
scenario.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for, listed_slots
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.submodels.household_events import COUPLE_AGES, release_slots_kernel, settle_arrivals_kernel
from ampsim.world.boundary import AGE_BANDS, BoundaryParameters, migration_multipliers, monthly_probability
from ampsim.world.homes import ALL_INCOMES, draw_home_cell
from ampsim.world.household_kernels import ADULT_AGE
from ampsim.world.household_table import PARENT_GAP, YOUNG_CHILD_AGE, age_spans, lives_with_partner_array
from ampsim.world.households import HouseholdParameters
from ampsim.world.population import PopulationParameters, entrant_status_cdf, metro_education_cdf
from ampsim.world.residents import ARRIVED, INCUMBENT, Status, reset_slot
from ampsim.world.view import ModelView

MAX_AGE_YEARS = 120
CALIBRATION_MONTHS = 24  # the last spin-up months whose arrival rates are kept
MAX_ARRIVALS_PER_ZONE = 1 << 20  # counter space of a zone's arrivals in a month (draw keys)
RELATIVE_RANGE = (0.5, 2.0)  # employment rate and rent relative to the start, as the factors see them
VACANCY_RANGE = (0.25, 3.0)  # vacant dwellings relative to the start, as the in factor sees them


class Migration(Submodel):
    """Departures and arrivals; counts them by zone each month."""

    def __init__(
        self,
        params: BoundaryParameters,
        population: PopulationParameters,
        households: HouseholdParameters | None = None,
    ):
        super().__init__(params)
        self.population_params = population
        households = households or HouseholdParameters()
        self.parent_gap = np.array([households.parent_gap_min, households.parent_gap_max], dtype=np.int64)
        self.couple_gap = np.array([households.couple_gap_min, households.couple_gap_max], dtype=np.int64)
        band_of_year = np.zeros(MAX_AGE_YEARS + 1, dtype=np.int64)
        for b, (low, high) in enumerate(AGE_BANDS):
            band_of_year[low : high + 1] = b
        self.band_of_year = band_of_year
        self.departure_probability = monthly_probability(np.asarray(params.out_migration)[band_of_year])
        self._leavers = np.empty(0, dtype=np.int32)
        self.arrival_slots = np.empty(0, dtype=np.int32)
        self.relocated_children = 0

    def setup(self, model: ModelView) -> None:
        territory, r = model.territory, model.residents
        n = territory.n_zones
        self.census_population = np.bincount(r.zone[r.present()], minlength=n).astype(np.int64)
        # movers are more qualified than stayers (Insee Analyses Grand Est 107, 2020): an arrival's
        # diploma follows the metro's mix, not the one of the zone they settle in
        self.education_cdf = metro_education_cdf(n)
        self.status_cdf = entrant_status_cdf(self.population_params, MAX_AGE_YEARS)
        self.census_total = int(self.census_population.sum())
        self.couple_probability = couple_probability(model)
        # arrivals = level x the band rates of `in_migration` on each zone's residents; the level
        # is 1 until the spin-up measures the one that keeps the metro at its census population
        self.level = 1.0
        self._spin_up_arrivals = 0.0
        self._spin_up_expected = 0.0
        # employment rates are compared with the census's (1 - unemployment rate), not with a
        # simulated month's, which in a zone of a few simulated residents can be 0 or 1
        census_unemployment = territory.zones["unemployment_rate_pct"].to_numpy(float) / 100
        self.reference_employment = 1 - census_unemployment
        self.in_factor, self.out_factor = np.ones(n), np.ones(n)
        self.reference_vacant: np.ndarray | None = None  # vacant dwellings in the first month
        self.departures_by_zone = np.zeros(n, dtype=np.int64)
        self.arrivals_by_zone = np.zeros(n, dtype=np.int64)
        self.turned_away = 0

    def step(
        self,
        model: ModelView,
        employment_rate: np.ndarray,
        rent: np.ndarray,
        vacant: np.ndarray,
        work_cdf: np.ndarray,
    ) -> None:
        """Departures, then arrivals. `employment_rate`, `rent` and `vacant` (dwellings free in
        each zone, in simulated residents they can lodge) set the factors from the start on;
        `work_cdf` (home zone x work zone) is where an arrival who comes with a job works."""
        r = model.residents
        if model.month >= 1:
            if self.reference_vacant is None:
                self.reference_vacant = np.asarray(vacant, dtype=float).copy()
            self.update_factors(employment_rate, rent, vacant)
        if self._leavers.size != r.n:
            self._leavers = np.empty(r.n, dtype=np.int32)
        self.departures_by_zone[:] = 0
        n_listed = departures_kernel(
            model.keys("migration.departures"),
            r.kernel_view(),
            model.households.arrays(),
            age_spans(r.household, r.age_months, model.households.capacity),
            self.departure_probability,
            self.out_factor,
            chunks_for(r.n),
            self._leavers,
            self.departures_by_zone,
        )
        leavers = listed_slots(self._leavers, n_listed)
        households = model.households.arrays()
        relocated = release_slots_kernel(
            model.keys("households.departures"), r.kernel_view(), households, leavers, self.parent_gap,
            model.territory.n_zones,
        )  # fmt: skip
        wanted = self._arrivals_wanted(model)
        free = np.flatnonzero(r.status == Status.ABSENT).astype(np.int32)
        placed = place_arrivals(wanted, np.maximum(np.asarray(vacant, dtype=np.int64), 0))
        homes = arrival_homes(wanted, placed, free.size)
        coming = homes[homes >= 0]
        self.turned_away = int(wanted.sum() - coming.size)
        self.arrivals_by_zone = np.bincount(coming, minlength=wanted.size).astype(np.int64)
        slots = free[: coming.size]
        households = model.households.reserve(slots.size)
        arrivals_kernel(
            model.keys("migration.arrivals"),
            r.kernel_view(),
            self._arrival_tables(model, work_cdf),
            wanted,
            homes,
            slots,
        )
        self.relocated_children = relocated + settle_arrivals_kernel(
            model.keys("households.arrivals"), r.kernel_view(), households, slots, self.parent_gap,
            self.couple_probability, self.couple_gap, model.territory.n_zones,
        )  # fmt: skip
        self.arrival_slots = slots

    def update_factors(self, employment_rate: np.ndarray, rent: np.ndarray, vacant: np.ndarray) -> None:
        """The zones' in and out factors from their employment rates relative to the census's,
        their rents and, for arrivals, the metro's vacant dwellings relative to the first month's:
        new homes draw arrivals to the metropolis, and the movers who take them free the homes
        arrivals settle in (over 90 % of the occupants of new dwellings already lived in AMP,
        Insee Analyses PACA 32). Each factor is kept within its range, so that no small zone's
        noise explodes."""
        relative = np.clip(
            np.asarray(employment_rate, dtype=float) / self.reference_employment, *RELATIVE_RANGE
        )
        rents = np.clip(np.asarray(rent, dtype=float), *RELATIVE_RANGE)
        self.in_factor, self.out_factor = migration_multipliers(relative, rents, 1.0, 1.0, self.params)
        vacant = np.asarray(vacant, dtype=float).sum()
        reference = self.reference_vacant.sum() if self.reference_vacant is not None else vacant
        room = np.clip((vacant + 1) / (reference + 1), *VACANCY_RANGE)
        self.in_factor = self.in_factor * room**self.params.vacancy_elasticity_in

    def _arrivals_wanted(self, model: ModelView) -> np.ndarray:
        """Arrivals each zone would receive this month, whole numbers: in the spin-up, those that
        bring the metro back to its census population, shared in proportion to each zone's
        arrivals at the band rates; from the start, level x those, times the zone's in factor,
        plus the projected growth (stochastic rounding keyed on the zone)."""
        r = model.residents
        present = r.present()
        n = self.in_factor.size
        residents = np.bincount(r.zone[present], minlength=n).astype(float)
        band = self.band_of_year[np.minimum(r.age_months[present] // 12, MAX_AGE_YEARS)]
        monthly_rate = np.asarray(self.params.in_migration)[band] / 12
        at_band_rates = np.bincount(r.zone[present], weights=monthly_rate, minlength=n)
        if model.month < 1:
            needed = max(self.census_total - residents.sum(), 0.0)
            expected = needed * at_band_rates / max(at_band_rates.sum(), 1e-12)
            if model.month > -CALIBRATION_MONTHS:
                self._spin_up_arrivals += needed
                self._spin_up_expected += at_band_rates.sum()
            if model.month == 0 and self._spin_up_expected > 0:
                self.level = self._spin_up_arrivals / self._spin_up_expected
        else:
            growth = (1 + self.params.projected_growth_pct / 100) ** (1 / 12) - 1
            expected = self.level * at_band_rates * self.in_factor + growth * residents
        key = model.keys("migration.counts")
        draws = np.array([uniform(key, z, 0) for z in range(n)])
        return (np.floor(expected) + (draws < expected - np.floor(expected))).astype(np.int64)

    def _arrival_tables(self, model: ModelView, work_cdf: np.ndarray) -> ArrivalTables:
        r = model.residents
        present = r.present()
        band = self.band_of_year[np.minimum(r.age_months[present] // 12, MAX_AGE_YEARS)]
        n = self.in_factor.size
        n_bands = len(AGE_BANDS)
        cell = r.zone[present].astype(np.int64) * n_bands + band
        by_band = np.bincount(cell, minlength=n * n_bands).reshape(n, n_bands).astype(float)
        weight = by_band * np.asarray(self.params.in_migration)[None, :]
        total = weight.sum(axis=1, keepdims=True)
        cdf = np.cumsum(
            np.divide(weight, total, out=np.full_like(weight, 1 / weight.shape[1]), where=total > 0), axis=1
        )
        grid = model.territory.grid
        return ArrivalTables(
            band_cdf=cdf,
            band_low=np.array([low for low, _ in AGE_BANDS], dtype=np.int64),
            band_high=np.array([high for _, high in AGE_BANDS], dtype=np.int64),
            education_cdf=self.education_cdf,
            status_cdf=self.status_cdf,
            zone_cell_start=grid.zone_cell_start,
            zone_cells=grid.zone_cells,
            cell_cdf=model.home_cell_cdf[ALL_INCOMES],  # an arrival's income is not known yet
            median_income=model.territory.zones["median_income_eur"].to_numpy(float),
            employed_share=self.params.arrivals_employed_share,
            work_cdf=np.asarray(work_cdf, dtype=float),
        )

    def net_migration(self) -> int:
        """Arrivals less departures this month (simulated residents)."""
        return int(self.arrivals_by_zone.sum() - self.departures_by_zone.sum())


def couple_probability(model: ModelView) -> float:
    """Probability that an adult arrival aged 25-64 joins a partner who arrived alone, so that
    about as many arrivals of those ages live with a partner as residents do at the start: with a
    share s of them partnered, joins are q/(1 + q) of arrivals and pair two, so q = s / (2 − s)."""
    r = model.residents
    age = r.age_months // 12
    adults = r.present() & (age >= COUPLE_AGES[0]) & (age <= COUPLE_AGES[1])
    share = (
        float(lives_with_partner_array(r, model.households.arrays())[adults].mean()) if adults.any() else 0.0
    )
    return share / (2 - share)


def place_arrivals(wanted: np.ndarray, vacant: np.ndarray) -> np.ndarray:
    """Arrivals by zone within the vacant dwellings: each zone takes its own up to its room; the
    rest go to the zones with room left, in proportion to the arrivals those zones drew
    (whole numbers, remainders to the zones with most room), or do not come if none has room."""
    arrivals = np.minimum(wanted, vacant)
    overflow = int(wanted.sum() - arrivals.sum())
    while overflow > 0:
        room = vacant - arrivals
        open_zones = room > 0
        if not open_zones.any():
            break
        weight = np.where(open_zones, np.maximum(wanted, 1), 0).astype(float)
        share = np.minimum(np.floor(overflow * weight / weight.sum()), room).astype(np.int64)
        if share.sum() == 0:  # fewer left than zones with room: one each, roomiest first
            order = np.argsort(-room, kind="stable")[: min(overflow, int(open_zones.sum()))]
            share[order] = 1
        arrivals += share
        overflow -= int(share.sum())
    return arrivals


def arrival_homes(wanted: np.ndarray, placed: np.ndarray, free_slots: int) -> np.ndarray:
    """Home zone of each of the month's arrivals, in the order they are drawn (zone they are drawn
    for, then rank), or -1 for those who do not come. An arrival settles in the zone it was drawn
    for while that zone has room (`placed`, from `place_arrivals`); the others take, in that
    order, the room `placed` gives other zones; the last do not come when there are more than
    `free_slots`."""
    wanted = np.asarray(wanted, dtype=np.int64)
    placed = np.asarray(placed, dtype=np.int64)
    zones = np.arange(wanted.size)
    kept = np.minimum(wanted, placed)
    drawn_for = np.repeat(zones, wanted)
    rank = np.arange(drawn_for.size) - np.repeat(np.cumsum(wanted) - wanted, wanted)
    homes = drawn_for.copy()
    overflow = np.flatnonzero(rank >= kept[drawn_for])
    elsewhere = np.repeat(zones, placed - kept)  # the room other zones give, in zone order
    homes[overflow[: elsewhere.size]] = elsewhere[: overflow.size]
    homes[overflow[elsewhere.size :]] = -1
    homes[np.flatnonzero(homes >= 0)[free_slots:]] = -1  # no free slot left
    return homes


class ArrivalTables(NamedTuple):
    """What the arrivals kernel reads (read-only)."""

    band_cdf: np.ndarray  # (zones, bands): CDF of an arrival's age band
    band_low: np.ndarray  # first and last age of each band, years
    band_high: np.ndarray
    education_cdf: np.ndarray  # by zone: CDF of the diploma level
    status_cdf: np.ndarray  # by sex and age: CDF of the status on arrival
    zone_cell_start: np.ndarray  # the grid's cells of each zone, for the home cell
    zone_cells: np.ndarray
    cell_cdf: np.ndarray
    median_income: np.ndarray  # by zone, €/year per consumption unit (Filosofi 2021)
    employed_share: float  # active arrivals who come with a job in the metropolis
    work_cdf: np.ndarray  # (home zone, work zone): CDF of their work zone (0 rows: no vacancy)


@njit(cache=True, parallel=True)
def departures_kernel(
    key, r, hh, spans, probability, out_factor, n_chunks, leavers, departures_by_zone
):  # pragma: no cover - compiled
    """List the residents (`r`, ResidentArrays; `hh`, HouseholdArrays) who leave the metropolis
    this month, chunk c's from its first slot on, and count them by zone. Households leave
    together, on the draw of their lowest slot and the rate of their oldest member's age; an
    adult child of the household (18 or more, at least 16 years younger than its oldest member)
    decides alone, on their own draw and age, unless the household has a child under 3, who may
    be theirs. `spans`: the oldest and youngest ages of every household (`age_spans`). Returns the
    numbers listed, by chunk."""
    zone = r.zone  # read only; nothing is written inside prange but the lists
    status = r.status
    age_months = r.age_months
    household = r.household
    head = hh.head
    oldest_by_row, youngest_by_row = spans
    n_zones = departures_by_zone.size
    counts = np.zeros((n_chunks, n_zones), dtype=np.int64)
    n_listed = np.zeros(n_chunks, dtype=np.int64)
    max_age = probability.size - 1
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        k = start
        for i in range(start, stop):
            if status[i] == Status.ABSENT:
                continue
            h = household[i]
            age = age_months[i] // 12
            oldest, youngest = oldest_by_row[h], youngest_by_row[h]
            if ADULT_AGE <= age <= oldest - PARENT_GAP and youngest >= YOUNG_CHILD_AGE:
                u, rate_age = uniform(key, i, 0), age  # an adult child: alone
            else:
                u, rate_age = uniform(key, head[h], 1), oldest  # with the household
            z = zone[i]
            if u < probability[min(rate_age, max_age)] * out_factor[z]:
                counts[c, z] += 1
                leavers[k] = i
                k += 1
        n_listed[c] = k - start
    for c in range(n_chunks):
        departures_by_zone += counts[c]
    return n_listed


@njit(cache=True)
def arrivals_kernel(key, r, tables, wanted, homes, slots):  # pragma: no cover - compiled
    """Draw the month's arrivals into `slots`, zone by zone (`wanted[z]` drawn for zone z, who
    live in `homes`, `arrival_homes`; -1 do not come): age band and age, sex, diploma, status on
    arrival, the traits of zone z's people (`Residents.origin`), home cell in their home zone, its
    median standard of living until the income submodel computes their household's; an active
    arrival comes with a job, in an established firm of a work zone drawn from `work_cdf`, with
    probability `employed_share` (where a vacancy is within reach), else as a job seeker; draws
    keyed on (zone drawn for, rank): the same arrival in every scenario. Serial."""
    k = 0
    j = -1
    for z in range(wanted.size):
        for rank in range(wanted[z]):
            j += 1
            h = homes[j]
            if h < 0:  # no room or no free slot: does not come
                continue
            i = slots[k]
            k += 1
            n = z * MAX_ARRIVALS_PER_ZONE + rank
            band = 0
            u = uniform(key, n, 0)
            while band < tables.band_cdf.shape[1] - 1 and u >= tables.band_cdf[z, band]:
                band += 1
            low, high = tables.band_low[band], min(tables.band_high[band], MAX_AGE_YEARS - 1)
            age = low + min(int(uniform(key, n, 1) * (high - low + 1)), high - low)
            sex = 1 if uniform(key, n, 2) < 0.5 else 0
            u = uniform(key, n, 3)
            level = 0
            while level < 3 and u >= tables.education_cdf[z, level]:
                level += 1
            u = uniform(key, n, 4)
            s = 0
            while s < Status.RETIRED and u >= tables.status_cdf[sex, age, s]:
                s += 1
            reset_slot(r, i, s)
            r.zone[i] = h
            r.origin[i] = ARRIVED + z  # like the people of the zone they were drawn for
            # at least a month old: an arrival was born elsewhere (births are the demography's)
            r.age_months[i] = max(age * 12 + min(int(uniform(key, n, 5) * 12), 11), 1)
            r.sex[i] = sex
            r.education[i] = level
            r.income[i] = tables.median_income[h]  # until the month's incomes compute their household's
            r.home_cell[i] = draw_home_cell(
                uniform(key, n, 6), h, tables.zone_cell_start, tables.zone_cells, tables.cell_cdf
            )
            if (
                s == Status.UNEMPLOYED
                and tables.work_cdf[h, -1] > 0.0
                and uniform(key, n, 7) < tables.employed_share
            ):
                w = np.searchsorted(tables.work_cdf[h], uniform(key, n, 8), side="right")
                r.status[i] = Status.EMPLOYED
                r.employer[i] = INCUMBENT
                r.work_zone[i] = min(w, tables.work_cdf.shape[1] - 1)
