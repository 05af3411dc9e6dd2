"""Job search and the matching function: each resident's search effort, the month's counts by zone
(filled incumbent jobs, search effort, unemployed, actives, out-commuters) and the hires each work
zone makes."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds
from ampsim.world.residents import INCUMBENT, OUTSIDE, Status


class SearchTables(NamedTuple):
    """How hard a resident looks for a job (read-only; see `search_effort`)."""

    by_age: np.ndarray  # relative effort at 15-24, 25-54 and 55-64
    by_education: np.ndarray  # relative effort by diploma level 0-3
    inactive_efficiency: float  # inactive 15-64 year-olds, relative to job seekers
    boost_by_mark: np.ndarray  # multiplier by training mark (a completed course raises it)
    long_term_efficiency: float  # multiplier after 12 months of unemployment
    multiplier_by_origin: np.ndarray  # calibrated zone multiplier, read by origin (`by_origin`)


@njit(cache=True, inline="always")
def search_effort(status, age, months, education, trained, search):  # pragma: no cover - compiled
    """Search effort of one resident (0 for those who do not look for a job); a completed
    course or programme multiplies it by the boost of its mark. `search`: SearchTables."""
    if age < 15 or age > 64:
        return 0.0
    by_age = search.by_age
    age_factor = by_age[0] if age < 25 else (by_age[1] if age < 55 else by_age[2])
    if status == Status.UNEMPLOYED:
        effort = search.by_education[education] * age_factor * search.boost_by_mark[trained]
        if months >= 12:
            effort *= search.long_term_efficiency
        return effort
    if status == Status.INACTIVE:
        return search.inactive_efficiency * search.by_education[education] * age_factor
    return 0.0


@njit(cache=True, parallel=True)
def count_labour_kernel(
    r, search, n_chunks, filled, seekers, unemployed, active, out_commuters
):  # pragma: no cover
    """Filled incumbent jobs by work zone; search effort (times each seeker's calibrated
    multiplier, read by origin), unemployed and actives (15-64) and the residents working outside
    the metropolis by home zone, from the residents `r` (ResidentArrays). Out-commuters fill no
    job of the metropolis. Chunks in parallel, their sums added in chunk order (see
    `ampsim.core.chunks`)."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    origin = r.origin
    multiplier = search.multiplier_by_origin
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    education = r.education
    trained = r.trained
    work_zone = r.work_zone
    employer = r.employer
    partial = np.zeros((n_chunks, 5, filled.size))  # filled, seekers, unemployed, active, outside
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            s = status[i]
            age = age_months[i] // 12
            if s == Status.EMPLOYED:
                if employer[i] == INCUMBENT:
                    partial[c, 0, work_zone[i]] += 1
                elif employer[i] == OUTSIDE:
                    partial[c, 4, zone[i]] += 1
                if 15 <= age <= 64:
                    partial[c, 3, zone[i]] += 1
                continue
            if s == Status.UNEMPLOYED and 15 <= age <= 64:
                partial[c, 3, zone[i]] += 1
                partial[c, 2, zone[i]] += 1
            partial[c, 1, zone[i]] += multiplier[origin[i]] * search_effort(
                s, age, months_in_status[i], education[i], trained[i], search
            )
    for c in range(n_chunks):
        for z in range(filled.size):
            filled[z] += partial[c, 0, z]
            seekers[z] += partial[c, 1, z]
            unemployed[z] += partial[c, 2, z]
            active[z] += partial[c, 3, z]
            out_commuters[z] += partial[c, 4, z]


@njit(cache=True)
def matching_kernel(search_share, seekers, vacancies, outside, efficiency, alpha):  # pragma: no cover
    """Work zone w makes M_w = min(V_w, A U*_w^alpha V_w^(1 - alpha)) hires, U*_w = O_w +
    sum_h s_hw E_h, E_h the effort of home zone h (each seeker's times their multiplier) and O_w
    the search effort of people living outside the metropolis. Returns phi_h = sum_w s_hw M_w /
    U*_w, the hires per unit of effort of home zone h, the CDF over work zones of a hire from h
    (in proportion to s_hw M_w / U*_w), and M_w / U*_w (so that outsiders make O_w M_w / U*_w of
    zone w's hires)."""
    n_home, n_work = search_share.shape
    per_effort = np.zeros(n_work)  # M_w / U*_w
    for w in range(n_work):
        effective = outside[w]
        for h in range(n_home):
            effective += search_share[h, w] * seekers[h]
        if effective > 0 and vacancies[w] > 0:
            hires = min(vacancies[w], efficiency * effective**alpha * float(vacancies[w]) ** (1 - alpha))
            per_effort[w] = hires / effective
    finding_rate = np.zeros(n_home)
    cdf = np.ones((n_home, n_work))
    for h in range(n_home):
        cumulative = 0.0
        for w in range(n_work):
            cumulative += search_share[h, w] * per_effort[w]
            cdf[h, w] = cumulative
        finding_rate[h] = cumulative
        if cumulative > 0:
            cdf[h] /= cumulative
        else:
            cdf[h] = 1.0
    return finding_rate, cdf, per_effort
