"""Hiring: who finds a job outside the metropolis this month, who finds one inside it and where
they are hired (a startup's open position or an incumbent job, never beyond vacancies), and direct
placements by policies."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.rng import uniform
from ampsim.submodels.labour.matching import SearchTables, search_effort
from ampsim.world.residents import INCUMBENT, NO_ZONE, OUTSIDE, ResidentArrays, Status, change_status
from ampsim.world.view import ModelView


class Openings(NamedTuple):
    """The month's vacancies, taken one by one as job finders are hired (the counts of open
    positions are updated in place)."""

    destination_cdf: np.ndarray  # (home zone, work zone): CDF of a hire's work zone
    incumbent_open: np.ndarray  # int64 by work zone: vacant incumbent jobs
    startup_open_by_zone: np.ndarray  # int64 by work zone: open positions in startups
    startup_preference: np.ndarray  # weight of a hire's diploma when a startup competes for them
    startup_zone_start: np.ndarray  # startups of zone z are [zone_start[z], zone_start[z + 1])
    startup_ids: np.ndarray  # int32: startup numbers, sorted by zone
    startup_open: np.ndarray  # int64: open positions of each startup
    cell_priority: np.ndarray  # bool by home cell: a home in a priority neighbourhood (QPV)


class HireCounts(NamedTuple):
    """The month's hires, counted by the hiring kernel."""

    by_work_zone: np.ndarray  # int64
    by_home_zone: np.ndarray  # float
    by_startup: np.ndarray  # int64, aligned with Openings.startup_ids
    priority_by_startup: np.ndarray  # int64: of them, hires living in a priority neighbourhood
    unemployed_by_home_zone: np.ndarray  # float: hires of unemployed 15-64 year-olds
    inactive_by_home_zone: np.ndarray  # float: hires of inactive 15-64 year-olds (who become active)


@njit(cache=True, parallel=True)
def outside_hiring_kernel(key, r, search, rate_by_cell, n_chunks, finds):  # pragma: no cover
    """Job seekers who find a job outside the metropolis this month, P = 1 - exp(-effort x
    multiplier of their origin x rate_by_cell[home cell]): they become employed with employer
    OUTSIDE and no work zone, fill no vacancy of the metropolis and leave its search. Each
    resident's own state and draw only (`key`: the out-commuters' stream), so in parallel; counted
    by home zone in `finds` (3, zones):
    all finds, those of unemployed and those of inactive 15-64 year-olds (who become active).
    Returns the expected number of finds (the sum of the probabilities), in chunk order."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    origin = r.origin
    multiplier = search.multiplier_by_origin
    home_cell = r.home_cell
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    education = r.education
    trained = r.trained
    work_zone = r.work_zone
    employer = r.employer
    partial = np.zeros((n_chunks, 3, finds.shape[1]), dtype=np.int64)
    expected = np.zeros(n_chunks)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            s = status[i]
            if s != Status.UNEMPLOYED and s != Status.INACTIVE:
                continue
            effort = multiplier[origin[i]] * search_effort(
                s, age_months[i] // 12, months_in_status[i], education[i], trained[i], search
            )
            if effort <= 0.0:
                continue
            # expm1: exact for small rates, and the same libm function compiled or in Python
            p = -math.expm1(-effort * rate_by_cell[home_cell[i]])
            expected[c] += p
            if uniform(key, i, 0) >= p:
                continue
            h = zone[i]
            partial[c, 0, h] += 1  # search_effort is 0 outside 15-64, so every find is of working age
            partial[c, 1 if s == Status.UNEMPLOYED else 2, h] += 1
            change_status(i, Status.EMPLOYED, status, months_in_status)
            work_zone[i] = NO_ZONE
            employer[i] = OUTSIDE
            trained[i] = 0
    total = 0.0
    for c in range(n_chunks):
        finds += partial[c]
        total += expected[c]
    return total


def hire_job_finders(
    key: np.uint64,
    offset: int,
    r: ResidentArrays,
    search: SearchTables,
    finding_rate: np.ndarray,
    openings: Openings,
    counts: HireCounts,
    finders: np.ndarray | None = None,
) -> None:
    """The month's hires of residents `r`: who finds a job (their own effort and draw, so in
    parallel), then their hiring one by one from a rotating offset, never beyond `openings`.
    `finders`, an int32 array of one slot per resident, may be passed to avoid allocating it
    every month."""
    n = r.zone.size
    if finders is None or finders.size != n:
        finders = np.empty(n, dtype=np.int32)
    found = np.zeros(chunks_for(n), dtype=np.int64)
    job_finders_kernel(key, r, search, finding_rate, finders, found)
    hiring_kernel(key, offset, finders, found, r, openings, counts)


@njit(cache=True, parallel=True)
def job_finders_kernel(key, r, search, finding_rate, finders, found):  # pragma: no cover
    """Residents whose search succeeds this month, P = 1 - exp(-effort x multiplier of their
    origin x finding rate of the home zone): chunk c lists its finders in slot order in
    finders[start_c : start_c + found[c]]."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    origin = r.origin
    multiplier = search.multiplier_by_origin
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    education = r.education
    trained = r.trained
    n_chunks = found.size
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        k = start
        for i in range(start, stop):
            s = status[i]
            if s != Status.UNEMPLOYED and s != Status.INACTIVE:
                continue
            h = zone[i]
            effort = multiplier[origin[i]] * search_effort(
                s, age_months[i] // 12, months_in_status[i], education[i], trained[i], search
            )
            if effort <= 0.0 or finding_rate[h] <= 0.0:
                continue
            if uniform(key, i, 1) >= 1.0 - np.exp(-effort * finding_rate[h]):
                continue
            finders[k] = i
            k += 1
        found[c] = k - start


@njit(cache=True)
def hiring_kernel(key, offset, finders, found, r, openings, counts):  # pragma: no cover
    """Hire the job finders in the order of a visit of all slots from `offset`, wrapping round
    (so that no slot is favoured); never beyond vacancies. Serial: vacancies are shared. A finder
    takes a vacancy in a work zone drawn from their home zone's destinations: a startup's open
    position or an incumbent job; nothing if the zone has none left. `openings` and `counts` are
    updated in place."""
    # unpacked once, and each hire written out in the loop: an inlined helper taking these
    # arrays (or the bundles) made the loop several times slower
    zone = r.zone
    home_cell = r.home_cell
    education = r.education
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    employer = r.employer
    trained = r.trained
    destination_cdf = openings.destination_cdf
    incumbent_open = openings.incumbent_open
    startup_open_by_zone = openings.startup_open_by_zone
    startup_open = openings.startup_open
    startup_preference = openings.startup_preference
    startup_zone_start = openings.startup_zone_start
    startup_ids = openings.startup_ids
    cell_priority = openings.cell_priority
    hires = counts.by_work_zone
    hires_by_home = counts.by_home_zone
    startup_hires = counts.by_startup
    startup_priority = counts.priority_by_startup
    unemployed_hires = counts.unemployed_by_home_zone
    inactive_hires = counts.inactive_by_home_zone
    n_chunks = found.size
    for lap in range(2):  # slots offset..n-1, then 0..offset-1
        for c in range(n_chunks):
            start, _ = chunk_bounds(c, n_chunks, zone.size)
            for k in range(start, start + found[c]):
                i = finders[k]
                if (i < offset) != (lap == 1):
                    continue
                h = zone[i]
                w = np.searchsorted(destination_cdf[h], uniform(key, i, 2), side="right")
                w = min(w, destination_cdf.shape[1] - 1)
                if incumbent_open[w] + startup_open_by_zone[w] <= 0:  # full: another zone within reach
                    w = _redirect(
                        destination_cdf[h], incumbent_open, startup_open_by_zone, uniform(key, i, 5)
                    )
                    if w < 0:
                        continue
                startup_weight = startup_open_by_zone[w] * startup_preference[education[i]]
                chosen = -1
                if (
                    startup_weight > 0
                    and uniform(key, i, 3) * (startup_weight + incumbent_open[w]) < startup_weight
                ):
                    target = uniform(key, i, 4) * startup_open_by_zone[w]
                    chosen = _startup(target, startup_zone_start[w], startup_zone_start[w + 1], startup_open)
                if chosen >= 0:
                    startup_open[chosen] -= 1
                    startup_open_by_zone[w] -= 1
                    startup_hires[chosen] += 1
                    if cell_priority[home_cell[i]]:
                        startup_priority[chosen] += 1
                    employer[i] = startup_ids[chosen]
                elif incumbent_open[w] > 0:
                    incumbent_open[w] -= 1
                    employer[i] = INCUMBENT
                else:
                    continue
                hires[w] += 1
                hires_by_home[h] += 1
                if 15 * 12 <= age_months[i] < 65 * 12:
                    if status[i] == Status.UNEMPLOYED:
                        unemployed_hires[h] += 1
                    else:
                        inactive_hires[h] += 1
                change_status(i, Status.EMPLOYED, status, months_in_status)
                work_zone[i] = w
                trained[i] = 0


@njit(cache=True)
def _redirect(cdf, incumbent_open, startup_open_by_zone, u):  # pragma: no cover - compiled
    """A work zone with a vacancy left, drawn in proportion to the finder's destination weights
    (the CDF's steps) among such zones; -1 when no zone within reach has one. A job finder whose
    lead was in a full zone takes another offer, so that the whole-number vacancies of small
    zones do not lose hires the matching function made (which would depend on the scale)."""
    total = 0.0
    previous = 0.0
    for w in range(cdf.size):
        if incumbent_open[w] + startup_open_by_zone[w] > 0:
            total += cdf[w] - previous
        previous = cdf[w]
    if total <= 0.0:
        return -1
    target = u * total
    cumulative = 0.0
    previous = 0.0
    last = -1
    for w in range(cdf.size):
        if incumbent_open[w] + startup_open_by_zone[w] > 0:
            cumulative += cdf[w] - previous
            last = w
            if target < cumulative:
                return w
        previous = cdf[w]
    return last


@njit(cache=True, inline="always")
def _startup(target, first, last, startup_open):  # pragma: no cover - compiled
    """The startup among first..last - 1 (those of a zone) that the draw `target` picks, in
    proportion to their open positions; -1 if none is open."""
    cumulative = 0.0
    for k in range(first, last):
        cumulative += startup_open[k]
        if startup_open[k] > 0 and target < cumulative:
            return k
    return -1


# --- direct placements ------------------------------------------------------------------
def place_local_hires(model: ModelView, home_zones: np.ndarray, openings: np.ndarray, stream: str) -> int:
    """Directly place job seekers living in `home_zones` into `openings` incumbent jobs per work
    zone (a local-hiring clause or a placement service); returns the number placed."""
    r = model.residents
    home = np.zeros(model.territory.n_zones, dtype=np.bool_)
    home[home_zones] = True
    remaining = openings.astype(np.int64).copy()
    key = model.keys(stream)
    offset = int(uniform(key, 0, 99) * r.n)
    return place_kernel(key, offset, r.kernel_view(), home, remaining)


@njit(cache=True)
def place_kernel(key, offset, r, home, remaining):  # pragma: no cover - compiled
    """Employ unemployed 15-64 year-olds of the `home` zones in the work zones with openings
    (`remaining`, updated), visiting residents `r` (ResidentArrays) from `offset`."""
    zone = r.zone  # unpacked once, as in hiring_kernel
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    employer = r.employer
    trained = r.trained
    n = zone.size
    left = remaining.sum()
    placed = 0
    w = 0
    for step in range(n):
        if left <= 0:
            break
        i = (offset + step) % n
        if status[i] != Status.UNEMPLOYED or not home[zone[i]]:
            continue
        age = age_months[i] // 12
        if age < 15 or age > 64:
            continue
        while remaining[w] <= 0:
            w = (w + 1) % remaining.size
        remaining[w] -= 1
        left -= 1
        placed += 1
        change_status(i, Status.EMPLOYED, status, months_in_status)
        work_zone[i] = w
        employer[i] = INCUMBENT
        trained[i] = 0
    return placed
