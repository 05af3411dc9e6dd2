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
from ampsim.world.homes import draw_home_cell_for
from ampsim.world.household_kernels import ADULT_AGE, HouseholdKind
from ampsim.world.household_table import (
    NO_HOUSEHOLD,
    PARENT_GAP,
    YOUNG_CHILD_AGE,
    age_span,
    close_household,
    has_adult,
    join,
    leave,
    oldest_age,
    open_household,
    reclassify,
)
from ampsim.world.residents import Sex, Status, reset_slot

_ONE_PERSON, _COUPLE, _COUPLE_WITH_CHILDREN, _SINGLE_PARENT, _OTHER = (int(k) for k in HouseholdKind)
_FEMALE, _MALE = int(Sex.FEMALE), int(Sex.MALE)
_EMPLOYED, _ABSENT = int(Status.EMPLOYED), int(Status.ABSENT)
COUPLE_AGES = (25, 64)  # ages at which arrivals may come as a couple
_MAX_AGE = 120


class HomeCells(NamedTuple):
    """Where in a zone a new home is (the grid's cells of each zone and the model's
    `home_cell_cdf`, by income quintile)."""

    zone_cell_start: np.ndarray
    zone_cells: np.ndarray
    cell_cdf: np.ndarray  # (quintiles + 1, cells)
    quintile_edges: np.ndarray  # the four metro income quintile edges


class CoupleRule(NamedTuple):
    """Ages of partners: man − woman drawn uniformly in mean ± spread, kept within [low, high]."""

    gap_mean: float
    gap_spread: float
    gap_min: int
    gap_max: int


# --- after deaths and departures -----------------------------------------------------------
@njit(cache=True)
def release_slots_kernel(key, r, hh, leavers, parent_gap, n_zones):  # pragma: no cover - compiled
    """The month's leavers (`leavers`, slots in order; dead or gone) leave their households and
    their slots become free (ABSENT, no household); empty households close; children left
    without an adult join a household of the zone with an adult 16-50 years older (any adult if
    none is); the others are reclassified. Returns the children relocated."""
    household = r.household
    touched = np.zeros(hh.size.size, dtype=np.uint8)
    for k in range(leavers.size):
        i = leavers[k]
        touched[leave(hh, household, i)] = 1
        household[i] = NO_HOUSEHOLD
        reset_slot(r, i, _ABSENT)
    return _settle_touched(key, r, hh, touched, parent_gap, n_zones)


@njit(cache=True)
def _settle_touched(key, r, hh, touched, parent_gap, n_zones):  # pragma: no cover - compiled
    """Close the touched households left empty, move the children of those left without an
    adult, and reclassify the others. Returns the children relocated."""
    stranded = []
    for h in np.flatnonzero(touched):
        if hh.size[h] == 0:
            close_household(hh, h)
            touched[h] = 0
        elif not has_adult(hh, r.age_months, h):
            stranded.append(h)
    relocated = 0
    if len(stranded) > 0:
        block_start, block = _residents_by_zone(r.zone, n_zones)
        for h in stranded:
            relocated += _relocate_children(key, r, hh, h, parent_gap, block_start, block, touched)
    for h in np.flatnonzero(touched):
        reclassify(hh, r.age_months, h)
    return relocated


@njit(cache=True, inline="always")
def _any_member_adult(hh, age_months, h):  # pragma: no cover - compiled
    """Whether household h has a member aged 18 or more (stops at the first one)."""
    m = hh.first[h]
    while m >= 0:
        if age_months[m] // 12 >= ADULT_AGE:
            return True
        m = hh.next_member[m]
    return False


@njit(cache=True)
def adults_by_zone_kernel(r, n_zones):  # pragma: no cover - compiled
    """Residents aged 18 or more in each zone (free slots left out)."""
    count = np.zeros(n_zones, dtype=np.int64)
    for i in range(r.zone.size):
        if r.status[i] != _ABSENT and r.age_months[i] // 12 >= ADULT_AGE:
            count[r.zone[i]] += 1
    return count


@njit(cache=True)
def gather_children_kernel(key, r, hh, parent_gap, n_zones, watched):  # pragma: no cover - compiled
    """Children living without an adult (only where their zone had none, at small scales) join a
    household of their zone once it has an adult, as children left without one do. Only the
    households of `watched` zones (those that lacked adults) are looked at. Run after the month's
    moves; returns the children moved."""
    touched = np.zeros(hh.size.size, dtype=np.uint8)
    stranded = []
    for h in range(hh.size.size):
        if hh.size[h] > 0 and watched[hh.zone[h]] and not _any_member_adult(hh, r.age_months, h):
            stranded.append(h)
    if len(stranded) == 0:
        return 0
    block_start, block = _residents_by_zone(r.zone, n_zones)
    moved = 0
    for h in stranded:
        moved += _relocate_children(key, r, hh, h, parent_gap, block_start, block, touched)
    for h in np.flatnonzero(touched):
        reclassify(hh, r.age_months, h)
    return moved


# --- after arrivals from outside ----------------------------------------------------------
@njit(cache=True)
def settle_arrivals_kernel(
    key, r, hh, arrivals, parent_gap, couple_probability, couple_gap, n_zones
):  # pragma: no cover - compiled
    """Households of the month's arrivals (`arrivals`, slots in order of arrival; zone, home
    cell, sex and age already drawn). An adult aged 25-64 comes with a partner with probability
    `couple_probability`: they join the last adult of the other sex who arrived alone before them
    in the same zone this month, if the ages fit (man − woman within `couple_gap`); any other
    adult opens a one-person household at their home cell. A child joins the last adult who
    arrived in the same zone this month if 16-50 years older, else a household of the zone with
    such an adult (any adult if none is; in a zone without adults, of the next zone that has
    one, where the child then lives). Returns the children placed with residents already
    there."""
    household, zone, home_cell, age_months, sex = r.household, r.zone, r.home_cell, r.age_months, r.sex
    last_adult = np.full(n_zones, -1, dtype=np.int64)
    alone = np.full((n_zones, 2), -1, dtype=np.int64)  # last adult of each sex who came alone
    touched = np.zeros(hh.size.size, dtype=np.uint8)
    placed = 0
    block_start, block = _residents_by_zone(zone, n_zones)
    for k in range(arrivals.size):
        i = arrivals[k]
        z = zone[i]
        age = age_months[i] // 12
        if age >= ADULT_AGE:
            last_adult[z] = i
            partner = alone[z, 1 - sex[i]]
            if COUPLE_AGES[0] <= age <= COUPLE_AGES[1] and partner >= 0:
                man, woman = (i, partner) if sex[i] == _MALE else (partner, i)
                gap = age_months[man] // 12 - age_months[woman] // 12
                if couple_gap[0] <= gap <= couple_gap[1] and uniform(key, i, 1) < couple_probability:
                    h = household[partner]
                    join(hh, household, zone, home_cell, i, h)
                    hh.kind[h] = _COUPLE
                    touched[h] = 1
                    alone[z, 1 - sex[i]] = -1
                    continue
            h = open_household(hh, z, home_cell[i], _ONE_PERSON)
            join(hh, household, zone, home_cell, i, h)
            if COUPLE_AGES[0] <= age <= COUPLE_AGES[1]:
                alone[z, sex[i]] = i
            continue
        parent = last_adult[z]
        if parent < 0 or not parent_gap[0] <= age_months[parent] // 12 - age <= parent_gap[1]:
            u = uniform(key, i, 0)
            parent = _any_adult(r, block_start, block, z, -1, age + parent_gap[0], age + parent_gap[1], u)
            for step in range(n_zones):  # a zone without any adult: the next zone that has one
                if parent >= 0:
                    break
                parent = _any_adult(r, block_start, block, (z + step) % n_zones, -1, 0, _MAX_AGE, u)
            placed += 1
        # in a metropolis without any adult, the child lives on its own
        h = open_household(hh, z, home_cell[i], _OTHER) if parent < 0 else household[parent]
        join(hh, household, zone, home_cell, i, h)
        touched[h] = 1
    for h in np.flatnonzero(touched):
        reclassify(hh, age_months, h)
    return placed


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
    older leaves with `monthly_rate`, unless a child under 3 (who may be theirs) lives there."""
    count = 0
    for i in range(r.zone.size):
        age = r.age_months[i] // 12
        h = r.household[i]
        if h < 0 or age < ADULT_AGE or (age < independence_age and r.status[i] != _EMPLOYED):
            continue
        kind = hh.kind[h]
        if kind != _COUPLE_WITH_CHILDREN and kind != _SINGLE_PARENT:
            continue
        if uniform(key, i, 0) >= monthly_rate:
            continue
        oldest, youngest = age_span(hh, r.age_months, h)
        if age > oldest - PARENT_GAP or youngest < YOUNG_CHILD_AGE:  # not a child, or with a baby
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
        cell = draw_home_cell_for(
            uniform(key, i, 1),
            z,
            r.income[i],
            cells.quintile_edges,
            cells.zone_cell_start,
            cells.zone_cells,
            cells.cell_cdf,
        )
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
        if h < 0 or hh.size[h] != 1 or age < age_range[0] or age > age_range[1]:
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
        if r.household[i] >= 0 and hh.size[r.household[i]] == 1 and r.age_months[i] // 12 >= ADULT_AGE:
            count[_bucket(r.zone[i], r.sex[i], r.age_months[i] // 12) + 1] += 1
    start = np.cumsum(count)
    members = np.empty(start[-1], dtype=np.int64)
    fill = start[:-1].copy()
    for i in range(r.zone.size):
        if r.household[i] >= 0 and hh.size[r.household[i]] == 1 and r.age_months[i] // 12 >= ADULT_AGE:
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
