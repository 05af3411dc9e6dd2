"""Monthly indicators per zone and for the metropolis, computed from the state in one kernel pass.

What each indicator means is in `ampsim.indicators`; the zone table's columns follow its order.

Counts are multiplied by the residents' weight, so every figure is in real-population units.
Medians, income quintiles and Gini indices come from per-zone histograms of log income (160 bins,
about 4 % wide, with the income summed inside each bin), which a single pass over residents fills.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import add_chunks, chunk_bounds, chunks_for
from ampsim.submodels.commuting import Commuting
from ampsim.submodels.demography import Demography
from ampsim.submodels.exposure import Exposure
from ampsim.submodels.housing import Housing
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.submodels.labour import LabourMarket
from ampsim.submodels.migration import Migration
from ampsim.submodels.pollution import PollutionModel
from ampsim.submodels.sensors import SensorNetwork
from ampsim.submodels.startups import StartupSector
from ampsim.submodels.training import Training
from ampsim.world.income import (
    INCOME_BINS,
    histogram_quantiles,
    income_bin,
    income_bin_table,
    income_quintile,
)
from ampsim.world.residents import ARRIVED, Status
from ampsim.world.view import ModelView


class ObservedModel(ModelView, Protocol):
    """What the metrics read: the model's services and the submodels they report on."""

    params: Any  # the model's parameter tree
    date_label: str
    demography: Demography
    migration: Migration
    training: Training
    labour: LabourMarket
    startups: StartupSector
    housing: Housing
    commuting: Commuting
    pollution: PollutionModel
    sensors: SensorNetwork
    exposure: Exposure

    def spending_this_month(self) -> dict[str, float]: ...


# per-zone counters filled by the kernel
(
    POPULATION,
    ACTIVE,
    UNEMPLOYED,
    YOUNG_ACTIVE,
    YOUNG_UNEMPLOYED,
    AGED_15_29,
    NEET,
    POOR,
    EMPLOYED,
    IN_TRAINING,
    LONG_TERM_UNEMPLOYED,
    POOR_EMPLOYED,
    POOR_UNEMPLOYED,
    CHILDREN,
    POOR_CHILDREN,
    START_POPULATION,
    START_EMPLOYED,
    START_UNEMPLOYED,
    START_POOR,
    AGED_15_64,
    EMPLOYED_15_64,
) = range(21)
N_COUNTERS = 21

# The kernel counts residents by class — status, age group, a year or more in the status, poor,
# arrived from outside since the start — and the counters are sums of classes (fewer,
# unconditional updates in the pass over residents).
AGE_GROUP_EDGES = (15, 18, 25, 30, 65)  # age groups: under 15, 15-17, 18-24, 25-29, 30-64, 65+
N_STATUSES, N_AGE_GROUPS = len(Status), len(AGE_GROUP_EDGES) + 1
N_CLASSES = N_STATUSES * N_AGE_GROUPS * 2 * 2 * 2

MARSEILLE_NORTH = (13201, 13202, 13203, 13213, 13214, 13215, 13216)
MARSEILLE_SOUTH = (13206, 13207, 13208, 13209)


class MetricTables(NamedTuple):
    """What the metrics kernel reads besides the residents (read-only)."""

    bin_table: np.ndarray  # income bin by the bits of the float32 income (`income_bin_table`)
    bin_start: np.ndarray
    age_group: np.ndarray  # age group by age in years
    cell_flat: np.ndarray  # grid cell of each home cell
    cell_priority: np.ndarray  # bool by home cell: in a priority neighbourhood (QPV)
    no2: np.ndarray  # the month's concentrations by grid cell
    pm25: np.ndarray
    poverty_threshold: float  # €/year per consumption unit
    quintile_edges: np.ndarray  # the four metro income quintile edges


class Metrics:
    """Computes the month's indicators and keeps the rows of the run's tables."""

    def __init__(self, model: ObservedModel):
        territory = model.territory
        self.n_zones = territory.n_zones
        codes = territory.codes
        self.north = np.isin(codes, MARSEILLE_NORTH)
        self.south = np.isin(codes, MARSEILLE_SOUTH)
        self.cell_area_weight = (
            np.bincount(territory.grid.cell_flat, minlength=territory.grid.nx * territory.grid.ny) > 0
        )
        self.quintile_edges = np.quantile(
            model.residents.income[model.residents.present()], [0.2, 0.4, 0.6, 0.8]
        )
        self.metro_rows: list[dict] = []
        self.zone_rows: list[np.ndarray] = []
        self.station_rows: list[dict] = []
        self.latest: dict[str, float] = {}
        self.bin_table, self.bin_start = income_bin_table()
        self.age_group = np.searchsorted(AGE_GROUP_EDGES, np.arange(121), side="right").astype(np.int64)
        self.class_counters = class_counters()

    def collect(self, model: ObservedModel) -> dict[str, float]:
        """Compute and store the indicators of the month just simulated."""
        r = model.residents
        weight = r.weight
        n = self.n_zones
        classes = np.zeros((2, n, N_CLASSES), dtype=np.int64)  # outside, inside a QPV
        hist_count = np.zeros((n, INCOME_BINS))
        hist_income = np.zeros((n, INCOME_BINS))
        quintile_mix = np.zeros((n, 5))
        quintile_pollution = np.zeros((n, 5, 2))  # NO2, PM2.5 summed over residents
        priority_pollution = np.zeros((2, 2))  # NO2, PM2.5 summed outside and inside QPV
        pollution = model.pollution
        tables = MetricTables(
            bin_table=self.bin_table,
            bin_start=self.bin_start,
            age_group=self.age_group,
            cell_flat=model.territory.grid.cell_flat,
            cell_priority=model.territory.grid.cell_priority,
            no2=pollution.no2.ravel(),
            pm25=pollution.pm25.ravel(),
            poverty_threshold=12.0 * poverty_line(model.year),
            quintile_edges=self.quintile_edges,
        )
        metrics_kernel(
            r.kernel_view(),
            tables,
            chunks_for(r.n),
            classes,
            hist_count,
            hist_income,
            quintile_mix,
            quintile_pollution,
            priority_pollution,
        )
        counters = np.einsum("pzk,kc->zc", classes, self.class_counters).astype(float)
        by_priority = np.einsum("pzk,kc->pc", classes, self.class_counters).astype(float)
        quintile_exposure = np.column_stack([quintile_pollution.sum(axis=0), quintile_mix.sum(axis=0)])
        self.quintile_edges = histogram_quantiles(hist_count.sum(axis=0), [0.2, 0.4, 0.6, 0.8])
        exposure = model.exposure
        population = np.maximum(counters[:, POPULATION], 1.0)
        startups_alive, startup_staff = model.startups.by_zone(n)
        metro = self._metro(model, counters, hist_count, hist_income, quintile_exposure, weight)
        metro.update(priority_indicators(by_priority, priority_pollution))
        zone_table = np.column_stack(
            [
                counters[:, POPULATION] * weight,
                _rate(counters[:, UNEMPLOYED], counters[:, ACTIVE]),
                _rate(counters[:, YOUNG_UNEMPLOYED], counters[:, YOUNG_ACTIVE]),
                _rate(counters[:, NEET], counters[:, AGED_15_29]),
                _rate(counters[:, POOR], counters[:, POPULATION]),
                _zone_medians(hist_count),
                startups_alive,  # startups are simulated one for one: real units already
                startup_staff,
                exposure.concentration_sum[:, 0] / population,
                exposure.concentration_sum[:, 1] / population,
                exposure.concentration_sum[:, 2] / population,
                _rate(model.commuting.car_commuters.sum(axis=1), model.commuting.commuters.sum(axis=1)),
                model.housing.rent,
                exposure.attributable_deaths[:, 0] * weight,
                model.commuting.out_commuters * weight,  # by home zone
            ]
        )
        self.metro_rows.append(metro)
        self.zone_rows.append(zone_table)
        self.station_rows.extend(
            {**row, "month": model.month, "date": model.date_label}
            for row in model.sensors.readings_table(model.month)
        )
        self.latest = metro
        return metro

    def _metro(self, model, counters, hist_count, hist_income, quintile_exposure, weight) -> dict:
        totals = counters.sum(axis=0)
        startups = model.startups.summary()
        exposure = model.exposure
        pollution = model.pollution
        area = self.cell_area_weight
        poor, people = counters[:, POOR], counters[:, POPULATION]
        metro_hist = hist_count.sum(axis=0)
        north, south = self.north, self.south
        labour, housing = model.labour, model.housing
        gap = quintile_exposure[:, :2] / np.maximum(quintile_exposure[:, 2:3], 1.0)
        row = {
            "month": model.month,
            "date": model.date_label,
            "year": model.year,
            "population": totals[POPULATION] * weight,
            "unemployed_people": totals[UNEMPLOYED] * weight,
            "neet": totals[NEET] * weight,
            "poor_people": totals[POOR] * weight,
            "start_population": totals[START_POPULATION] * weight,
            "start_employed": totals[START_EMPLOYED] * weight,
            "start_unemployed": totals[START_UNEMPLOYED] * weight,
            "start_poor": totals[START_POOR] * weight,
            "unemployment_rate": _rate(totals[UNEMPLOYED], totals[ACTIVE]),
            "youth_unemployment_rate": _rate(totals[YOUNG_UNEMPLOYED], totals[YOUNG_ACTIVE]),
            "neet_share": _rate(totals[NEET], totals[AGED_15_29]),
            "poverty_rate": _rate(totals[POOR], totals[POPULATION]),
            "poverty_rate_employed": _rate(totals[POOR_EMPLOYED], totals[EMPLOYED]),
            "poverty_rate_unemployed": _rate(totals[POOR_UNEMPLOYED], totals[UNEMPLOYED]),
            "poverty_rate_children": _rate(totals[POOR_CHILDREN], totals[CHILDREN]),
            "households": model.households.n_households() * weight,
            "median_earnings": _median(model.incomes.earnings_of_employed(model.residents)),
            "median_income": histogram_quantiles(metro_hist, [0.5])[0],
            "gini": _gini(metro_hist, hist_income.sum(axis=0)),
            "dissimilarity_poor": 50.0
            * np.abs(poor / max(poor.sum(), 1) - (people - poor) / max((people - poor).sum(), 1)).sum(),
            "long_term_unemployment_share": _rate(totals[LONG_TERM_UNEMPLOYED], totals[UNEMPLOYED]),
            "north_south_unemployment_gap": _rate(
                counters[north, UNEMPLOYED].sum(), counters[north, ACTIVE].sum()
            )
            - _rate(counters[south, UNEMPLOYED].sum(), counters[south, ACTIVE].sum()),
            "north_south_poverty_gap": _rate(counters[north, POOR].sum(), counters[north, POPULATION].sum())
            - _rate(counters[south, POOR].sum(), counters[south, POPULATION].sum()),
            "north_south_income_ratio": histogram_quantiles(hist_count[north].sum(axis=0), [0.5])[0]
            / histogram_quantiles(hist_count[south].sum(axis=0), [0.5])[0],
            **startups,
            "startups_founded": float(model.startups.founded_this_month),
            "startups_closed": float(model.startups.closed_this_month),
            "funding_raised_eur": model.startups.funding_this_month,
            # a simulated resident hired is one real hire (one position); outside staff too
            "startup_hires": float(labour.startup_hires + model.startups.outside_hires),
            # where hires live is known for residents only: each stands for 1/scale real hires
            "startup_hires_priority": labour.startup_priority_hires * weight,
            "no2_mean": float(pollution.no2.ravel()[area].mean()),
            "pm10_mean": float(pollution.pm10.ravel()[area].mean()),
            "pm25_mean": float(pollution.pm25.ravel()[area].mean()),
            "exposure_gap_no2": float(gap[0, 0] - gap[4, 0]),
            "exposure_gap_pm25": float(gap[0, 1] - gap[4, 1]),
            "attributable_deaths_pm25": exposure.attributable_deaths[:, 0].sum() * weight,
            "attributable_deaths_no2": exposure.attributable_deaths[:, 1].sum() * weight,
            "deaths": model.demography.deaths_by_zone.sum() * weight,
            "births": model.demography.births_by_zone.sum() * weight,
            "arrivals": model.migration.arrivals_by_zone.sum() * weight,
            "departures": model.migration.departures_by_zone.sum() * weight,
            "net_migration": model.migration.net_migration() * weight,
            "car_share": 100 * model.commuting.car_share(),
            "median_commute_km": model.commuting.median_commute_km(),
            "commuters_leaving_commune": 100 * model.commuting.share_leaving_commune(),
            "vacancies": labour.vacancies_by_zone.sum() * weight,
            "hires": labour.hires_by_zone.sum() * weight,
            "in_commuters": labour.in_commuters.sum() * weight,
            "in_commuter_hires": labour.outside_hires.sum() * weight,
            "out_commuters": model.commuting.out_commuters.sum() * weight,
            "employed_people": labour.employed_residents() * weight,
            "separations": labour.separations * weight,
            "training_entries": model.training.entries * weight,
            "moves_between_zones": housing.moves_between * weight,
            "displaced": housing.displaced * weight,
            "rent_index": float(np.average(housing.rent, weights=people)),
            "awareness": float(model.residents.awareness[model.residents.present()].mean() / 255.0),
        }
        at_home = pollution.population_weighted()  # the fields at the month's homes, no avoidance
        row["so2_popweighted"], row["o3_popweighted"] = at_home["SO2"], at_home["O3"]
        for k, name in enumerate(("no2", "pm10", "pm25")):
            row[f"{name}_popweighted"] = exposure.concentration_sum[:, k].sum() / max(totals[POPULATION], 1)
            row[f"people_above_who_{name}"] = exposure.above_who[:, k].sum() * weight
            row[f"people_above_eu_{name}"] = exposure.above_eu[:, k].sum() * weight
        for name, value in model.spending_this_month().items():
            row[f"spent_{name}"] = value
        return row


def priority_indicators(by_priority: np.ndarray, pollution: np.ndarray) -> dict[str, float]:
    """Residents of the priority neighbourhoods (QPV) against the rest of the metropolis: their
    share, unemployment, employment 15-64, poverty and exposure at home, with the QPV - rest gaps.
    `by_priority` holds the counters outside (row 0) and inside QPV (row 1), `pollution` the NO2
    and PM2.5 summed over the same residents."""
    rest, qpv = by_priority
    exposure = pollution / np.maximum(by_priority[:, [POPULATION]], 1.0)
    rates = {
        "unemployment_rate": (UNEMPLOYED, ACTIVE),
        "employment_rate": (EMPLOYED_15_64, AGED_15_64),
        "poverty_rate": (POOR, POPULATION),
    }
    row = {"qpv_population_share": _rate(qpv[POPULATION], qpv[POPULATION] + rest[POPULATION])}
    for name, (numerator, denominator) in rates.items():
        row[f"qpv_{name}"] = _rate(qpv[numerator], qpv[denominator])
        row[f"qpv_{name.removesuffix('_rate')}_gap"] = row[f"qpv_{name}"] - _rate(
            rest[numerator], rest[denominator]
        )
    row["qpv_no2_gap"] = float(exposure[1, 0] - exposure[0, 0])
    row["qpv_pm25_gap"] = float(exposure[1, 1] - exposure[0, 1])
    return row


def _rate(numerator, denominator):
    """Percentage, 0 where the denominator is 0 (works on scalars and arrays)."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.divide(100.0 * numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return float(out) if out.ndim == 0 else out


def _zone_medians(hist_count: np.ndarray) -> np.ndarray:
    """Median income of each zone from its histogram."""
    return np.array([histogram_quantiles(histogram, [0.5])[0] for histogram in hist_count])


def class_counters() -> np.ndarray:
    """(N_CLASSES, N_COUNTERS) matrix of 0 and 1: the counters a class of residents adds to."""
    matrix = np.zeros((N_STATUSES, N_AGE_GROUPS, 2, 2, 2, N_COUNTERS), dtype=np.int64)
    for status, group, long_term, poor, newcomer in np.ndindex(N_STATUSES, N_AGE_GROUPS, 2, 2, 2):
        row = matrix[status, group, long_term, poor, newcomer]
        working_age, young, aged_15_29 = 1 <= group <= 4, group in (1, 2), 1 <= group <= 3
        child = group <= 1
        active = working_age and status in (Status.EMPLOYED, Status.UNEMPLOYED)
        unemployed = working_age and status == Status.UNEMPLOYED
        row[POPULATION] = 1
        row[EMPLOYED] = status == Status.EMPLOYED
        row[ACTIVE] = active
        row[YOUNG_ACTIVE] = active and young
        row[UNEMPLOYED] = unemployed
        row[YOUNG_UNEMPLOYED] = unemployed and young
        row[LONG_TERM_UNEMPLOYED] = unemployed and long_term
        row[IN_TRAINING] = status == Status.IN_TRAINING
        row[AGED_15_29] = aged_15_29
        row[NEET] = aged_15_29 and status in (Status.UNEMPLOYED, Status.INACTIVE)
        row[POOR] = poor
        row[POOR_EMPLOYED] = poor and status == Status.EMPLOYED
        row[POOR_UNEMPLOYED] = poor and unemployed
        row[CHILDREN] = child
        row[POOR_CHILDREN] = poor and child
        row[START_POPULATION] = not newcomer
        row[START_EMPLOYED] = not newcomer and status == Status.EMPLOYED
        row[START_UNEMPLOYED] = not newcomer and unemployed
        row[START_POOR] = not newcomer and poor
        row[AGED_15_64] = working_age
        row[EMPLOYED_15_64] = working_age and status == Status.EMPLOYED
    return matrix.reshape(N_CLASSES, N_COUNTERS)


def _gini(counts: np.ndarray, incomes: np.ndarray) -> float:
    """Gini index from binned counts and income totals (within-bin inequality ignored)."""
    total_people, total_income = counts.sum(), incomes.sum()
    if total_people <= 0 or total_income <= 0:
        return float("nan")
    population_share = np.concatenate([[0.0], np.cumsum(counts)]) / total_people
    income_share = np.concatenate([[0.0], np.cumsum(incomes)]) / total_income
    return float(1.0 - np.sum(np.diff(population_share) * (income_share[1:] + income_share[:-1])))


@njit(cache=True, parallel=True)
def metrics_kernel(
    r, tables, n_chunks, classes, hist_count, hist_income, quintile_mix, quintile_pollution, by_priority
):  # pragma: no cover - compiled
    """One pass over residents (`r`, ResidentArrays): residents by home in a QPV or not, zone and
    class (see `class_counters`), income histograms, income quintiles and the pollution they
    breathe. Chunks in parallel, each with its own sums, added in chunk order."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    origin = r.origin
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    income = r.income
    home_cell = r.home_cell
    income_bits = income.view(np.uint32)
    bin_table = tables.bin_table
    bin_start = tables.bin_start
    age_group = tables.age_group
    cell_flat = tables.cell_flat
    cell_priority = tables.cell_priority
    no2 = tables.no2
    pm25 = tables.pm25
    poverty_threshold = tables.poverty_threshold
    quintile_edges = tables.quintile_edges
    n_zones = classes.shape[1]
    max_age = age_group.size - 1
    part_classes = np.zeros((n_chunks, 2, n_zones, N_CLASSES), dtype=np.int32)
    part_count = np.zeros((n_chunks, n_zones, INCOME_BINS), dtype=np.int32)
    part_income = np.zeros((n_chunks, n_zones, INCOME_BINS))
    part_mix = np.zeros((n_chunks, n_zones, 5), dtype=np.int32)
    part_pollution = np.zeros((n_chunks, n_zones, 5, 2))
    part_priority = np.zeros((n_chunks, 2, 2))
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            if status[i] == Status.ABSENT:  # a free slot
                continue
            z = zone[i]
            y = income[i]
            group = age_group[min(age_months[i] // 12, max_age)]
            long_term = 1 if months_in_status[i] >= 12 else 0
            poor = 1 if y < poverty_threshold else 0
            newcomer = 1 if origin[i] >= ARRIVED else 0  # arrived from outside since the start
            k = (((status[i] * N_AGE_GROUPS + group) * 2 + long_term) * 2 + poor) * 2 + newcomer
            cell = cell_flat[home_cell[i]]
            p = 1 if cell_priority[home_cell[i]] else 0
            part_classes[c, p, z, k] += 1
            b = income_bin(income_bits[i], bin_table, bin_start)
            part_count[c, z, b] += 1
            part_income[c, z, b] += y
            q = income_quintile(y, quintile_edges)
            part_mix[c, z, q] += 1
            part_pollution[c, z, q, 0] += no2[cell]
            part_pollution[c, z, q, 1] += pm25[cell]
            part_priority[c, p, 0] += no2[cell]
            part_priority[c, p, 1] += pm25[cell]
    add_chunks(part_classes.reshape(n_chunks, -1), classes.reshape(-1))
    add_chunks(part_count.reshape(n_chunks, -1), hist_count.reshape(-1))
    add_chunks(part_income.reshape(n_chunks, -1), hist_income.reshape(-1))
    add_chunks(part_mix.reshape(n_chunks, -1), quintile_mix.reshape(-1))
    add_chunks(part_pollution.reshape(n_chunks, -1), quintile_pollution.reshape(-1))
    add_chunks(part_priority.reshape(n_chunks, -1), by_priority.reshape(-1))


def _median(values: np.ndarray) -> float:
    """Median, or NaN for no values."""
    return float(np.median(values)) if values.size else float("nan")
