"""The labour market is open at the boundary: in-commuters hold their share of the metropolis's
jobs and compete for its vacancies, and a programme's relocated jobs move with their staff."""

import numpy as np
import pytest
from pydantic import TypeAdapter

from ampsim.interventions import InterventionSpec
from ampsim.model import AMPModel
from ampsim.world.residents import INCUMBENT, Status

SPECS = TypeAdapter(list[InterventionSpec])
TARGETS = [13215, 13203, 13202]


def _renewal(relocated_share: float) -> dict:
    """Jobs only, all delivered in the first month, into Euroméditerranée's zones."""
    return {
        "type": "urban_renewal",
        "name": "jobs",
        "zones": TARGETS,
        "start": "2026-01",
        "end": "2026-01",
        "housing_units": 0,
        "jobs": 20_000,
        "amenity_gain": 0.0,
        "relocated_share": relocated_share,
        "budget_eur": 1.0,
    }


def _model(*specs: dict, months: int = 3) -> AMPModel:
    interventions = [config.build() for config in SPECS.validate_python(list(specs))]
    return AMPModel(scale=0.01, seed=4, months=months, calibration_months=24, interventions=interventions)


def _workers_in(model: AMPModel, zones: np.ndarray) -> int:
    r = model.residents
    return int(
        ((r.status == Status.EMPLOYED) & (r.employer == INCUMBENT) & np.isin(r.work_zone, zones)).sum()
    )


def test_in_commuters_hold_their_share_of_jobs():
    model = _model(months=36)
    labour = model.labour
    share = model.params.labour.in_commuter_share
    start = labour.in_commuters.sum() / labour.jobs.sum()
    shares = []
    while model.running:
        model.step()
        shares.append(labour.in_commuters.sum() / labour.jobs.sum())
    print(
        f"\nin-commuters' share of jobs: start {start:.4f}, months 1-36 {min(shares):.4f}-{max(shares):.4f}"
    )
    assert abs(start - share) < 0.005
    assert max(abs(s - share) for s in shares) < 0.01
    assert sum(row["in_commuter_hires"] for row in model.metrics.metro_rows) > 0
    model.close()


def test_relocated_jobs_move_with_their_staff_and_leave_employment_as_it_was():
    base, moved = _model(), _model(_renewal(1.0))
    zones = moved.interventions[0].zones
    before = _workers_in(moved, zones)
    base.step()
    moved.step()
    delivery = moved.interventions[0].delivery
    relocated = delivery.relocated
    # all of the month's whole jobs (200 simulated, less the fractions each zone carries over)
    assert 200 - len(TARGETS) < relocated <= 200 and delivery.new == 0
    assert _workers_in(moved, zones) - before == pytest.approx(relocated, abs=20)  # and the month's churn
    # 200 simulated jobs moved; employment hardly notices (outsiders' search follows the jobs, so
    # a hire or two may land differently)
    weight = moved.residents.weight
    for name in ("unemployed", "employed_people", "vacancies"):
        difference = moved.metrics.metro_rows[-1][name] - base.metrics.metro_rows[-1][name]
        assert abs(difference) <= 3 * weight, name
    base.close()
    moved.close()


def test_net_new_jobs_are_shared_by_residents_and_in_commuters():
    base, new = _model(months=12), _model(_renewal(0.0), months=12)
    while base.running:
        base.step()
        new.step()
    last_base, last_new = base.metrics.metro_rows[-1], new.metrics.metro_rows[-1]
    employed = last_new["employed_people"] - last_base["employed_people"]
    commuters = last_new["in_commuters"] - last_base["in_commuters"]
    unemployed = last_base["unemployed"] - last_new["unemployed"]
    print(
        f"\n20,000 net new jobs after 12 months: residents employed {employed:+,.0f}, "
        f"in-commuters {commuters:+,.0f}, unemployed {-unemployed:+,.0f}"
    )
    assert employed > 0 and commuters > 0 and unemployed > 0
    assert employed + commuters < 20_000
    base.close()
    new.close()
