"""The startups among the residents: who may found one, their staff counted from the residents'
employers, and the staff released when a startup closes, lays off or graduates. The kernels sit
beside the functions the sector calls; `r` is always the residents' ResidentArrays."""

from __future__ import annotations

import itertools

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.rng import uniform
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, ResidentArrays, Status, change_status
from ampsim.world.view import ModelView

# what happens this month to the staff of a startup, by startup number (see `release_staff`)
KEEP, CLOSE, GRADUATE, LAY_OFF = 0, 1, 2, 3


# --- founders ---------------------------------------------------------------------------
def founder_weights(r: ResidentArrays, education_weight: np.ndarray, n_zones: int) -> np.ndarray:
    """Sum of founder weights by zone: working-age residents in or out of work, by diploma."""
    weights = np.zeros(n_zones)
    founder_weight_kernel(r, education_weight, chunks_for(r.zone.size), weights)
    return weights


def pick_founders(
    key: np.uint64, r: ResidentArrays, education_weight: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """Founders drawn in each zone z, starts[z + 1] - starts[z] of them, weighted by diploma, best
    first within each zone (slots, -1 last where a zone has too few candidates). Each resident's
    draw is their own, so the first founders of a zone are the same whatever the number wanted."""
    founders = np.full(int(starts[-1]), -1, dtype=np.int64)
    best = np.full(founders.size, -np.inf)
    pick_founders_kernel(key, r, education_weight, starts, founders, best)
    for first, last in itertools.pairwise(starts):
        if last - first > 1:
            order = first + np.argsort(-best[first:last], kind="stable")
            founders[first:last] = founders[order]
    return founders


def hire_initial_staff(model: ModelView, startups: list, rng: np.random.Generator) -> None:
    """Move employed residents of each startup's zone from incumbent jobs to its positions held by
    simulated residents, startup by startup."""
    r = model.residents
    incumbents = np.flatnonzero((r.employer == INCUMBENT) & (r.status == Status.EMPLOYED))
    incumbents = incumbents[np.argsort(r.work_zone[incumbents], kind="stable")]
    bounds = np.searchsorted(r.work_zone[incumbents], np.arange(model.territory.n_zones + 1))
    taken = np.zeros(incumbents.size, dtype=bool)
    for startup in startups:
        first, last = bounds[startup.zone], bounds[startup.zone + 1]
        free = first + np.flatnonzero(~taken[first:last])
        wanted = min(startup.simulated_positions(), free.size)
        if wanted == 0:
            continue
        chosen = rng.choice(free, size=wanted, replace=False)
        taken[chosen] = True
        r.employer[incumbents[chosen]] = startup.number


def employ_founder(model: ModelView, i: int, employer_number: int, work_zone: int) -> None:
    """A founder leaves whatever they were doing to work in their startup."""
    r = model.residents
    change_status(i, Status.EMPLOYED, r.status, r.months_in_status)
    r.employer[i] = employer_number
    r.work_zone[i] = work_zone
    r.trained[i] = 0


@njit(cache=True, parallel=True)
def founder_weight_kernel(r, education_weight, n_chunks, weights):  # pragma: no cover
    """Chunks in parallel, their sums added in chunk order (see `ampsim.core.chunks`)."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    age_months = r.age_months
    status = r.status
    education = r.education
    partial = np.zeros((n_chunks, weights.size))
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            s = status[i]
            if s != Status.EMPLOYED and s != Status.UNEMPLOYED:
                continue
            age = age_months[i] // 12
            if 25 <= age <= 54:
                partial[c, zone[i]] += education_weight[education[i]]
    for c in range(n_chunks):
        weights += partial[c]


@njit(cache=True)
def pick_founders_kernel(key, r, education_weight, starts, founders, best):  # pragma: no cover
    """Weighted sampling without replacement per zone (Efraimidis-Spirakis keys log(u)/w)."""
    zone = r.zone  # unpacked once (see ResidentArrays)
    age_months = r.age_months
    status = r.status
    education = r.education
    for i in range(zone.size):
        z = zone[i]
        first, last = starts[z], starts[z + 1]
        if first == last:
            continue
        s = status[i]
        if s != Status.EMPLOYED and s != Status.UNEMPLOYED:
            continue
        age = age_months[i] // 12
        if age < 25 or age > 54:
            continue
        score = np.log(max(uniform(key, i, 0), 1e-300)) / education_weight[education[i]]
        # keep the `last - first` best scores of the zone (small k: insertion)
        worst = first
        for k in range(first + 1, last):
            if best[k] < best[worst]:
                worst = k
        if score > best[worst]:
            best[worst] = score
            founders[worst] = i


# --- staff ------------------------------------------------------------------------------
def count_staff(r: ResidentArrays, n_numbers: int) -> np.ndarray:
    """Employed residents by startup number (0 .. n_numbers - 1)."""
    counts = np.zeros(n_numbers, dtype=np.int64)
    count_employees_kernel(r.employer, r.status, chunks_for(r.zone.size), counts)
    return counts


def release_staff(r: ResidentArrays, action: np.ndarray, quota: np.ndarray, n_zones: int) -> np.ndarray:
    """Apply each startup's `action` to its simulated staff: CLOSE (all to unemployment), LAY_OFF
    (up to `quota` of them) or GRADUATE (all become incumbent employees); returns the graduates'
    jobs by work zone."""
    graduates_by_zone = np.zeros(n_zones, dtype=np.int64)
    release_kernel(r, action, quota, graduates_by_zone)
    return graduates_by_zone


@njit(cache=True, parallel=True)
def count_employees_kernel(employer, status, n_chunks, counts):  # pragma: no cover
    """Chunks in parallel, integer counts. Two arrays, not the bundle: this short kernel runs
    three times a month, and the bundle costs about 2 µs a call."""
    partial = np.zeros((n_chunks, counts.size), dtype=np.int64)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, employer.size)
        for i in range(start, stop):
            e = employer[i]
            if e > 0 and status[i] == Status.EMPLOYED and e < counts.size:
                partial[c, e] += 1
    for c in range(n_chunks):
        counts += partial[c]


@njit(cache=True)
def release_kernel(r, action, quota, graduates_by_zone):  # pragma: no cover
    """Serial: layoffs take the first `quota` staff in slot order."""
    employer = r.employer  # unpacked once (see ResidentArrays)
    status = r.status
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    for i in range(employer.size):
        e = employer[i]
        if e <= 0 or e >= action.size or status[i] != Status.EMPLOYED:
            continue
        a = action[e]
        if a == KEEP:
            continue
        if a == GRADUATE:
            employer[i] = INCUMBENT
            graduates_by_zone[work_zone[i]] += 1
            continue
        if a == LAY_OFF:
            if quota[e] <= 0:
                continue
            quota[e] -= 1
        change_status(i, Status.UNEMPLOYED, status, months_in_status)
        employer[i] = NO_EMPLOYER
        work_zone[i] = NO_ZONE
