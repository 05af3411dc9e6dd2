"""The region's investors fund a limited number of rounds, and a round's money pays for its
positions only for its runway."""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import pytest

from ampsim.submodels.startups import Startup, StartupParameters, StartupSector
from ampsim.submodels.startups.investors import InvestorPool


def _applicant(key: int, quality: float, stage: int = 0) -> SimpleNamespace:
    return SimpleNamespace(key=key, quality=quality, stage=stage)


def test_investors_fund_the_best_applicants_while_capacity_lasts():
    pool = InvestorPool(rounds_per_year=(24.0, 12.0, 0.0), carry_months=1.0)  # 2 seed, 1 A a month
    applicants = [_applicant(k, q) for k, q in enumerate([0.1, 2.0, -1.0, 1.5])]
    applicants.append(_applicant(9, -3.0, stage=1))
    funded = pool.fund(applicants)
    assert [s.key for s in funded] == [1, 3, 9]  # the two best seeds, the only series A
    assert pool.fund([_applicant(5, 0.0, stage=2)]) == []  # no series B+ capacity at all


def test_unused_capacity_is_carried_up_to_its_cap():
    pool = InvestorPool(rounds_per_year=(6.0,), carry_months=4.0)  # half a round a month, at most 2
    assert pool.available == [2.0]  # full at the start
    assert len(pool.fund([_applicant(k, 0.0) for k in range(5)])) == 2
    assert pool.fund([_applicant(0, 0.0)]) == []  # 0.5 left: not a whole round
    for _ in range(10):  # months with nobody asking: the carry fills to its cap, no further
        pool.fund([])
    assert pool.available == [pytest.approx(2.0)]
    assert len(pool.fund([_applicant(k, 0.0) for k in range(5)])) == 2


def test_a_rounds_positions_end_with_its_runway():
    sector = StartupSector(StartupParameters())
    startup = Startup(mesa.Model(), 1, 1, 0, "digital", 0, 0.0, marks=None)
    startup.desired_size = 3.2
    positions, last_month = sector.positions_paid(2.1e6, month=10)  # 2.1 M€ / (70 k€ x 3 years)
    assert positions == pytest.approx(10) and last_month == 10 + 36 - 1
    startup.fund_positions(positions, last_month)
    startup.fund_positions(*sector.positions_paid(0.21e6, month=30))  # one more, to month 65
    assert startup.size == 14
    startup.spend_funding(last_month)
    assert startup.size == 14  # the money lasts to the end of its last month
    startup.spend_funding(last_month + 1)
    assert startup.size == 4  # the first round is spent, the second still pays for one
    startup.spend_funding(66)
    assert startup.size == 3 and startup.paid_positions == []
