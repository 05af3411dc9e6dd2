"""Household events: who lives with whom after the month's deaths, departures, births, young
adults leaving home and new couples (docs/HOUSEHOLDS.md, "Dynamics").

Every pass here is a serial Numba kernel that runs after the parallel kernel of its submodel, in
slot order, with counter-based draws keyed on residents' slots: the households are the same
whatever the number of threads, and the same draw decides for a resident in every scenario.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ampsim.core.rng import uniform
from ampsim.world.household_kernels import ADULT_AGE, HouseholdKind
from ampsim.world.household_table import (
    PARENT_GAP,
    close_household,
    has_adult,
    join,
    leave,
    oldest_age,
    open_household,
    reclassify,
)
from ampsim.world.population import draw_home_cell
from ampsim.world.residents import Sex, Status

_ONE_PERSON, _COUPLE, _COUPLE_WITH_CHILDREN, _SINGLE_PARENT, _OTHER = (int(k) for k in HouseholdKind)
_FEMALE, _MALE = int(Sex.FEMALE), int(Sex.MALE)
_EMPLOYED = int(Status.EMPLOYED)
_MAX_AGE = 120
_TRIES = 2000  # draws for a newborn's mother before turning to the other living arrangement


class HomeCells(NamedTuple):
    """Where in a zone a new home is (the grid's cells of each zone and `home_cell_cdf`)."""

    zone_cell_start: np.ndarray
    zone_cells: np.ndarray
    cell_cdf: np.ndarray


class CoupleRule(NamedTuple):
    """Ages of partners: man − woman drawn uniformly in mean ± spread, kept within [low, high]."""

    gap_mean: float
    gap_spread: float
    gap_min: int
    gap_max: int


# --- after the demography kernel -----------------------------------------------------------
@njit(cache=True)
def settle_newcomers_kernel(
    key, r, hh, replaced, n_replaced, mother_weight, births_in_couples, parent_gap, n_zones
):  # pragma: no cover - compiled
    """The households after the month's replacements (`replaced[:n_replaced]`, slots in order):
    each leaver leaves their household; an in-migrant opens a one-person household at the home
    cell drawn for them; a newborn joins the household of a woman of the zone aged 16-50 who is
    not a child of her own household — one living with a partner with probability
    `births_in_couples` (else one who does not; the other kind if none is found), drawn with
    `mother_weight` (by age in years) — and shares her income per consumption unit (in a zone
    without such a woman, the household of any adult); children
    left without an adult join a household of the zone with an adult 16-50 years older (any
    adult if none is); empty households close. Returns (births into a household, relocated
    children)."""
    household, zone, home_cell, age_months = r.household, r.zone, r.home_cell, r.age_months
    touched = np.zeros(hh.size.size, dtype=np.uint8)
    for k in range(n_replaced):
        touched[leave(hh, household, replaced[k])] = 1
    for k in range(n_replaced):
        i = replaced[k]
        if age_months[i] > 0:  # an in-migrant
            h = open_household(hh, zone[i], home_cell[i], _ONE_PERSON)
            join(hh, household, zone, home_cell, i, h)
    block_start, block = _residents_by_zone(zone, n_zones)
    births = 0
    for k in range(n_replaced):
        i = replaced[k]
        if age_months[i] > 0:
            continue
        z = zone[i]
        partnered = uniform(key, i, 3) < births_in_couples
        mother = _draw_mother(key, i, r, hh, block_start, block, z, partnered, mother_weight, _TRIES)
        if mother < 0:
            mother = _draw_mother(key, i, r, hh, block_start, block, z, not partnered, mother_weight, _TRIES)
        if mother < 0:
            mother = _any_adult(r, block_start, block, z, -1, 0, _MAX_AGE, uniform(key, i, 1))
        if mother < 0:  # a zone without any adult
            h = open_household(hh, z, home_cell[i], _OTHER)
        else:
            h = household[mother]
            r.income[i] = r.income[mother]
            births += 1
        join(hh, household, zone, home_cell, i, h)
        touched[h] = 1
    stranded = []
    for h in np.flatnonzero(touched):
        if hh.size[h] == 0:
            close_household(hh, h)
        elif not has_adult(hh, age_months, h):
            stranded.append(h)
    relocated = 0
    if len(stranded) > 0:
        block_start, block = _residents_by_zone(zone, n_zones)  # after the newborns joined
        for h in stranded:
            relocated += _relocate_children(key, r, hh, h, parent_gap, block_start, block, touched)
    for h in np.flatnonzero(touched):
        reclassify(hh, age_months, h)
    return births, relocated


@njit(cache=True)
def _draw_mother(key, i, r, hh, block_start, block, z, partnered, mother_weight, tries):  # pragma: no cover
    """A woman of zone z who may be newborn i's mother — aged 16-50, not a child of her own
    household, living with a partner (in a couple's household) or not as `partnered` says —
    drawn in proportion to `mother_weight` by rejection: a resident of the zone drawn uniformly
    is kept with probability weight / largest weight, at most `tries` times (-1 if none kept)."""
    a, n = block_start[z], block_start[z + 1] - block_start[z]
    largest = mother_weight.max()
    if n == 0 or largest <= 0:
        return -1
    for t in range(tries):
        j = block[a + min(int(uniform(key, i, 4 + 2 * t) * n), n - 1)]
        h = r.household[j]
        if r.sex[j] != _FEMALE or h < 0:
            continue
        age = r.age_months[j] // 12
        w = mother_weight[min(age, _MAX_AGE)]
        if w <= 0 or uniform(key, i, 5 + 2 * t) * largest >= w:
            continue
        kind = hh.kind[h]
        if (_COUPLE <= kind <= _COUPLE_WITH_CHILDREN) != partnered:  # kinds 1 and 2: a couple
            continue
        family = _COUPLE_WITH_CHILDREN <= kind <= _SINGLE_PARENT  # kinds 2 and 3
        if family and age <= oldest_age(hh, r.age_months, h) - PARENT_GAP:
            continue  # a daughter living with her parents
        return j
    return -1


@njit(cache=True)
def _residents_by_zone(zone, n_zones):  # pragma: no cover - compiled
    """Slots by zone, in slot order: zone z's are block[block_start[z]:block_start[z + 1]]."""
    count = np.zeros(n_zones + 1, dtype=np.int64)
    for i in range(zone.size):
        count[zone[i] + 1] += 1
    block_start = np.cumsum(count)
    block = np.empty(zone.size, dtype=np.int64)
    fill = block_start[:-1].copy()
    for i in range(zone.size):
        block[fill[zone[i]]] = i
        fill[zone[i]] += 1
    return block_start, block


@njit(cache=True)
def _any_adult(r, block_start, block, z, excluded, low, high, u):  # pragma: no cover - compiled
    """A resident of zone z aged 18+ and low..high years, outside household `excluded`: the
    first one in slot order from a uniform start in the zone, wrapping round (-1 if none)."""
    a, n = block_start[z], block_start[z + 1] - block_start[z]
    if n == 0:
        return -1
    first = min(int(u * n), n - 1)
    for k in range(n):
        i = block[a + (first + k) % n]
        if _fits(r, i, excluded, low, high):
            return i
    return -1


@njit(cache=True, inline="always")
def _fits(r, i, excluded, low, high):  # pragma: no cover - compiled
    """Whether resident i is an adult aged low..high years living in a household other than
    `excluded` (newborns not yet placed have none)."""
    age = r.age_months[i] // 12
    h = r.household[i]
    return h >= 0 and h != excluded and age >= ADULT_AGE and low <= age <= high


@njit(cache=True)
def _relocate_children(key, r, hh, h, parent_gap, block_start, block, touched):  # pragma: no cover - compiled
    """Household h has members but no adult: they join, together, the household of an adult of
    the zone 16-50 years older than each of them (else of any adult of the zone), the first
    from a start drawn with the household's lowest slot; in a zone without any adult they stay.
    Returns the children moved."""
    oldest = oldest_age(hh, r.age_months, h)
    youngest = _MAX_AGE
    m = hh.first[h]
    while m >= 0:
        youngest = min(youngest, r.age_months[m] // 12)
        m = hh.next_member[m]
    z = hh.zone[h]
    u = uniform(key, hh.head[h], 2)
    adult = _any_adult(r, block_start, block, z, h, oldest + parent_gap[0], youngest + parent_gap[1], u)
    if adult < 0:
        adult = _any_adult(r, block_start, block, z, h, 0, _MAX_AGE, u)
    if adult < 0:
        return 0
    target = r.household[adult]
    moved = 0
    while hh.first[h] >= 0:
        i = hh.first[h]
        leave(hh, r.household, i)
        join(hh, r.household, r.zone, r.home_cell, i, target)
        moved += 1
    close_household(hh, h)
    touched[h] = 0
    touched[target] = 1
    return moved


# --- leaving the parental home ----------------------------------------------------------------
@njit(cache=True)
def home_leavers_kernel(key, r, hh, monthly_rate, independence_age, out):  # pragma: no cover
    """Adult children who leave home this month, in slot order, into `out`; returns their count.
    An adult child is a member aged 18+ of a couple-with-children or single-parent household, at
    least 16 years younger than its oldest member; one who works or is `independence_age` or
    older leaves with `monthly_rate`."""
    count = 0
    for i in range(r.zone.size):
        age = r.age_months[i] // 12
        if age < ADULT_AGE or (age < independence_age and r.status[i] != _EMPLOYED):
            continue
        h = r.household[i]
        kind = hh.kind[h]
        if kind != _COUPLE_WITH_CHILDREN and kind != _SINGLE_PARENT:
            continue
        if uniform(key, i, 0) >= monthly_rate or age > oldest_age(hh, r.age_months, h) - PARENT_GAP:
            continue
        out[count] = i
        count += 1
    return count


@njit(cache=True)
def move_out_kernel(key, r, hh, leavers, n_leavers, cells):  # pragma: no cover - compiled
    """Each leaver opens a one-person household in their zone, at a home cell drawn for them;
    the parental household is reclassified (a family whose last child left is a couple or a
    person living alone)."""
    for k in range(n_leavers):
        i = leavers[k]
        parents = leave(hh, r.household, i)
        z = r.zone[i]
        cell = draw_home_cell(uniform(key, i, 1), z, cells.zone_cell_start, cells.zone_cells, cells.cell_cdf)
        h = open_household(hh, z, cell, _ONE_PERSON)
        join(hh, r.household, r.zone, r.home_cell, i, h)
        reclassify(hh, r.age_months, parents)


# --- new couples ---------------------------------------------------------------------------
@njit(cache=True)
def unions_kernel(key, r, hh, monthly_rate, age_range, rule, n_zones):  # pragma: no cover - compiled
    """People living alone aged `age_range` form a couple with `monthly_rate`: with a person
    living alone of the other sex in the same zone whose age fits the couple rule (the one
    nearest the drawn gap, drawn uniformly among those of that age), who moves into their
    home. Initiators in slot order; returns the number of new couples."""
    start, members = _singles_by_zone_sex_age(r, hh, n_zones)
    couples = 0
    for i in range(r.zone.size):
        h = r.household[i]
        age = r.age_months[i] // 12
        if hh.size[h] != 1 or age < age_range[0] or age > age_range[1]:
            continue
        if uniform(key, i, 0) >= monthly_rate:
            continue
        partner = _partner(key, r, hh, i, start, members, rule)
        if partner < 0:
            continue
        old = leave(hh, r.household, partner)
        close_household(hh, old)
        join(hh, r.household, r.zone, r.home_cell, partner, h)
        hh.kind[h] = _COUPLE
        couples += 1
    return couples


@njit(cache=True)
def _singles_by_zone_sex_age(r, hh, n_zones):  # pragma: no cover - compiled
    """Adults living alone by (zone, sex, age in years), slot order in each bucket: bucket b
    is members[start[b]:start[b + 1]]."""
    buckets = n_zones * 2 * (_MAX_AGE + 1)
    count = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(r.zone.size):
        if hh.size[r.household[i]] == 1 and r.age_months[i] // 12 >= ADULT_AGE:
            count[_bucket(r.zone[i], r.sex[i], r.age_months[i] // 12) + 1] += 1
    start = np.cumsum(count)
    members = np.empty(start[-1], dtype=np.int64)
    fill = start[:-1].copy()
    for i in range(r.zone.size):
        if hh.size[r.household[i]] == 1 and r.age_months[i] // 12 >= ADULT_AGE:
            b = _bucket(r.zone[i], r.sex[i], r.age_months[i] // 12)
            members[fill[b]] = i
            fill[b] += 1
    return start, members


@njit(cache=True, inline="always")
def _bucket(z, sex, age):  # pragma: no cover - compiled
    return (int(z) * 2 + int(sex)) * (_MAX_AGE + 1) + min(int(age), _MAX_AGE)


@njit(cache=True)
def _partner(key, r, hh, i, start, members, rule):  # pragma: no cover - compiled
    """A partner for i: the ages allowed by the rule, nearest the drawn gap first; inside an
    age, a uniform start and the first one still living alone (-1 if none)."""
    age = r.age_months[i] // 12
    man = r.sex[i] == _MALE
    gap = rule.gap_mean + rule.gap_spread * (2.0 * uniform(key, i, 1) - 1.0)
    target = int(np.floor((age - gap if man else age + gap) + 0.5))
    low = age - rule.gap_max if man else age + rule.gap_min
    high = age - rule.gap_min if man else age + rule.gap_max
    low, high = max(low, ADULT_AGE), min(high, _MAX_AGE)
    other = _FEMALE if man else _MALE
    u = uniform(key, i, 2)
    for step in range(2 * (high - low) + 2):
        a = target + (step + 1) // 2 * (1 if step % 2 else -1)
        if a < low or a > high:
            continue
        b = _bucket(r.zone[i], other, a)
        found = _free_single(r, hh, members, start[b], start[b + 1], u)
        if found >= 0:
            return found
    return -1


@njit(cache=True)
def _free_single(r, hh, members, a, b, u):  # pragma: no cover - compiled
    """A member of bucket members[a:b] still living alone, from a uniform start (-1 if none)."""
    n = b - a
    if n == 0:
        return -1
    first = min(int(u * n), n - 1)
    for k in range(n):
        j = members[a + (first + k) % n]
        if hh.size[r.household[j]] == 1:
            return j
    return -1
