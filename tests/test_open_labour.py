"""The labour market is open at the boundary: in-commuters hold their share of the metropolis's
jobs and compete for its vacancies, residents who work outside (out-commuters) hold theirs of the
employed residents without filling a job here, and a programme's relocated jobs move with their
staff."""

import numpy as np
import pytest
from pydantic import TypeAdapter

from ampsim.core.chunks import chunks_for
from ampsim.indicators import ZONE_NAMES
from ampsim.interventions import InterventionSpec
from ampsim.model import AMPModel
from ampsim.submodels.labour import SeparationRates, separation_kernel
from ampsim.submodels.labour.hiring import outside_hiring_kernel
from ampsim.submodels.labour.matching import count_labour_kernel
from ampsim.world.boundary import BoundaryParameters
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, OUTSIDE, Status

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
    # all of the month's jobs (200 simulated; whole jobs, rounded up, so none short)
    assert 200 - len(TARGETS) < relocated <= 200 and delivery.new == 0
    assert _workers_in(moved, zones) - before == pytest.approx(relocated, abs=20)  # and the month's churn
    # 200 simulated jobs moved; employment hardly notices (outsiders' search follows the jobs, so
    # a hire or two may land differently)
    weight = moved.residents.weight
    for name in ("unemployed_people", "employed_people", "vacancies"):
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
    unemployed = last_base["unemployed_people"] - last_new["unemployed_people"]
    print(
        f"\n20,000 net new jobs after 12 months: residents employed {employed:+,.0f}, "
        f"in-commuters {commuters:+,.0f}, unemployed {-unemployed:+,.0f}"
    )
    assert employed > 0 and commuters > 0 and unemployed > 0
    assert employed + commuters < 20_000
    base.close()
    new.close()


def test_jobs_follow_the_residents_new_homes_bring():
    """New homes bring local-service jobs as well as workers: the zones that gain residents gain
    the residential jobs per resident (a share of the metro's jobs per resident at the start) for
    each."""
    homes = _renewal(0.0) | {"name": "homes", "jobs": 0, "housing_units": 10_000}
    base, new = _model(months=24), _model(homes, months=24)
    while base.running:
        base.step()
        new.step()
    zones = np.flatnonzero(np.isin(new.territory.codes, TARGETS))
    labour = new.labour
    gained = float((labour.residents_by_zone[zones] - base.labour.residents_by_zone[zones]).sum())
    jobs_gained = float((labour.jobs[zones] - base.labour.jobs[zones]).sum())
    per_resident = labour.residential_jobs_per_resident
    print(f"\n10,000 homes: {gained:+.0f} simulated residents, {jobs_gained:+.1f} jobs in the zones")
    assert gained > 40
    assert jobs_gained == pytest.approx(per_resident * gained, rel=0.1)
    assert 0.2 < per_resident < 0.35  # 0.67 of about 0.42 incumbent jobs per resident
    base.close()
    new.close()


# --- residents who work outside the metropolis -------------------------------------------
def _out_commuters(model: AMPModel) -> np.ndarray:
    r = model.residents
    return (r.status == Status.EMPLOYED) & (r.employer == OUTSIDE)


def _out_share(model: AMPModel) -> float:
    return _out_commuters(model).sum() / (model.residents.status == Status.EMPLOYED).sum()


@pytest.fixture(scope="module")
def baseline():
    """Five years of the baseline at scale 0.01 after the full spin-up, with each month's statuses,
    out-commuters, slots taken by newcomers and metro row."""
    model = AMPModel(scale=0.01, seed=4, months=60)
    r = model.residents
    model.history = [(r.status.copy(), _out_commuters(model), np.zeros(0, dtype=np.int64), None)]
    while model.running:
        model.step()
        replaced = np.concatenate([model.demography.newborn_slots, model.migration.arrival_slots])
        model.history.append((r.status.copy(), _out_commuters(model), replaced, model.metrics.latest))
    yield model
    model.close()


def _share(status: np.ndarray, outside: np.ndarray) -> float:
    return outside.sum() / np.count_nonzero(status == Status.EMPLOYED)


def test_out_commuters_start_at_their_share_and_live_near_the_boundary():
    model = AMPModel(scale=0.01, seed=4, months=1, calibration_months=0)  # the initial state
    share = model.params.labour.out_commuting_share
    assert share == BoundaryParameters().out_commuting_share  # one assumption, in both groups
    r = model.residents
    employed = r.status == Status.EMPLOYED
    outside = _out_commuters(model)
    print(
        f"\nout-commuters at the start: {outside.sum()} of {employed.sum()} employed, {_out_share(model):.4f}"
    )
    assert abs(_out_share(model) - share) < 0.008  # 6 % of about 8,000, give or take the draws
    assert np.all(r.work_zone[outside] == NO_ZONE)
    # likelier near the boundary: the quarter of the employed who live nearest it against the farthest
    weight = model.labour.boundary_weight[r.home_cell]
    near, far = np.quantile(weight[employed], [0.75, 0.25])
    near_share, far_share = (
        outside[employed & (weight >= near)].mean(),
        outside[employed & (weight <= far)].mean(),
    )
    print(f"share near the boundary {near_share:.4f}, far from it {far_share:.4f}")
    assert near_share > 2 * far_share
    # the incumbent jobs were sized on the residents who work here, and they fill none of them
    labour, params = model.labour, model.params.labour
    assert labour.jobs.sum() * (1 - params.vacancy_rate - params.in_commuter_share) == pytest.approx(
        np.count_nonzero(employed & ~outside)
    )
    model.close()


def test_out_commuters_hold_their_share_over_a_baseline(baseline):
    shares = np.array([_share(status, outside) for status, outside, _, _ in baseline.history])
    target = baseline.params.labour.out_commuting_share
    last_year = shares[-12:].mean()
    print(
        f"\nout-commuters' share of employed residents: month 0 {shares[0]:.4f}, months 1-60 "
        f"{shares[1:].min():.4f}-{shares[1:].max():.4f}, last year {last_year:.4f}"
    )
    assert np.all(np.abs(shares - target) < 0.01)
    assert abs(last_year - shares[0]) < 0.005  # no drift: their hires replace their leavers
    weight = baseline.residents.weight
    for _, outside, _, row in baseline.history[1:]:
        assert row["out_commuters"] == pytest.approx(outside.sum() * weight)
    by_zone = baseline.metrics.zone_rows[-1][:, ZONE_NAMES.index("out_commuters")]
    assert by_zone == pytest.approx(
        np.bincount(baseline.residents.zone[outside], minlength=by_zone.size) * weight
    )
    # they are employed residents, counted among the actives by the unemployment rate
    status = baseline.residents.status
    assert row["employed_people"] == pytest.approx(np.count_nonzero(status == Status.EMPLOYED) * weight)


def test_out_commuters_fill_no_job_and_make_no_trip_in_the_metropolis(baseline):
    r = baseline.residents
    employed = r.status == Status.EMPLOYED
    outside = _out_commuters(baseline)
    assert outside.sum() > 0 and np.all(r.work_zone[outside] == NO_ZONE)
    n = baseline.territory.n_zones
    filled, seekers, unemployed, active, out_by_home = (np.zeros(n) for _ in range(5))
    search = baseline.labour._search_tables(baseline.training.search_boost)
    count_labour_kernel(
        r.kernel_view(), search, chunks_for(r.n), filled, seekers, unemployed, active, out_by_home
    )
    incumbents = employed & (r.employer == INCUMBENT)
    assert np.array_equal(filled, np.bincount(r.work_zone[incumbents], minlength=n))
    assert np.array_equal(out_by_home, np.bincount(r.zone[outside], minlength=n))
    assert np.array_equal(baseline.commuting.out_commuters, out_by_home)
    assert baseline.commuting.commuters.sum() == employed.sum() - outside.sum()
    assert np.all(r.car[outside] == 0)


def test_separated_out_commuters_become_unemployed_and_find_jobs_in_the_metropolis(baseline):
    """Out-commuters lose their job to unemployment at about the rate of the residents who work
    here (the same rules; their recruits come from the same job finders), then search here."""
    separated, exposed = np.zeros(2), np.zeros(2)  # out-commuters, residents working here
    ever_separated = np.zeros(baseline.residents.n, dtype=bool)
    for (status_before, out_before, _, _), (status_after, _, replaced, _) in zip(
        baseline.history, baseline.history[1:], strict=False
    ):
        stayed = np.ones(status_before.size, dtype=bool)
        stayed[replaced] = False  # slots that a newcomer took this month
        employed = (status_before == Status.EMPLOYED) & stayed
        now_unemployed = status_after == Status.UNEMPLOYED
        for k, group in enumerate((employed & out_before, employed & ~out_before)):
            separated[k] += np.count_nonzero(group & now_unemployed)
            exposed[k] += np.count_nonzero(group)
        ever_separated |= employed & out_before & now_unemployed
    rates = separated / exposed
    r = baseline.residents
    here = ever_separated & (r.status == Status.EMPLOYED) & (r.employer != OUTSIDE)
    print(
        f"\nmonthly rate to unemployment: out-commuters {rates[0]:.4f} ({separated[0]:.0f} in 60 months), "
        f"residents working here {rates[1]:.4f}; of those out-commuters, working here now: {here.sum()}"
    )
    assert separated[0] >= 50
    assert 0.7 < rates[0] / rates[1] < 1.3
    assert here.sum() > 0 and np.all(r.work_zone[here] < baseline.territory.n_zones)


def test_separation_turns_an_out_commuter_into_a_job_seeker():
    model = AMPModel(scale=0.01, seed=4, months=1, calibration_months=0)
    r = model.residents.kernel_view()
    outside = _out_commuters(model)
    everyone = SeparationRates(1.0, 0.0, np.ones(3), np.ones(4))  # every employed resident separates
    separations = separation_kernel(model.keys("test.separations"), r, everyone)
    assert separations > outside.sum() > 0
    assert np.all(r.status[outside] == Status.UNEMPLOYED)
    assert np.all(r.employer[outside] == NO_EMPLOYER) and np.all(r.work_zone[outside] == NO_ZONE)
    model.close()


def test_outside_finds_are_the_same_in_any_number_of_chunks(baseline):
    """Each seeker's outside find is their own draw: the same in one chunk or several (so on any
    number of threads), and the same again with the same key."""
    labour = baseline.labour
    search = labour._search_tables(baseline.training.search_boost)
    rate = 5 * labour.outside_find_ratio * labour.boundary_weight * labour.finding_rate[labour.cell_zone]
    key = baseline.keys("test.outside")  # not the month's own stream, whose finders were hired
    view = baseline.residents.kernel_view()
    results = []
    for n_chunks in (1, 4, 4):
        r = type(view)(*(array.copy() for array in view))
        finds = np.zeros((3, baseline.territory.n_zones), dtype=np.int64)
        expected = outside_hiring_kernel(key, r, search, rate, n_chunks, finds)
        results.append((r, finds, expected))
    (one, finds_one, expected_one), (four, finds_four, expected_four), (again, _, _) = results
    print(f"\noutside finds at five times the rate: {finds_one[0].sum()} ({expected_one:.1f} expected)")
    assert finds_one[0].sum() > 0 and np.array_equal(finds_one, finds_four)
    assert finds_one[0].sum() == finds_one[1].sum() + finds_one[2].sum()
    assert expected_one == pytest.approx(expected_four, rel=1e-12)
    for name in ("status", "employer", "work_zone", "months_in_status", "trained"):
        assert np.array_equal(getattr(one, name), getattr(four, name)), name
        assert np.array_equal(getattr(four, name), getattr(again, name)), name
    hired = one.status != view.status
    assert hired.sum() == finds_one[0].sum()
    assert np.all(one.employer[hired] == OUTSIDE) and np.all(one.work_zone[hired] == NO_ZONE)


class _CountingLabour:
    """The labour market as a job delivery sees it: moves and adds jobs, and counts them."""

    def __init__(self) -> None:
        self.moved = 0
        self.added = 0.0

    def relocate_jobs(self, model, zones, jobs, purpose) -> int:
        self.moved += int(jobs.sum())
        return int(jobs.sum())

    def add_jobs(self, zones, jobs) -> None:
        self.added += float(np.sum(jobs))


def test_a_delivery_never_relocates_less_than_its_declared_share():
    """Whole jobs each month in three zones, a share of them relocated: rounding never falls
    short of the declared share over the months, and overshoots by less than a job per zone."""
    from types import SimpleNamespace

    from ampsim.interventions.jobs import JobDelivery

    zones = np.array([3, 4, 18])
    for share in (0.5, 2 / 3, 0.37):
        labour = _CountingLabour()
        delivery = JobDelivery(zones, share, "test")
        model = SimpleNamespace(labour=labour)
        delivered = 0
        for month in range(36):
            jobs = np.array([1 + month % 3, 2, 5 if month % 7 == 0 else 0], dtype=float)
            delivery.deliver(model, jobs)
            delivered += int(jobs.sum())
            assert delivery.relocated >= share * delivered - 1e-9
            assert delivery.relocated - share * delivered < zones.size
        assert labour.moved == delivery.relocated and labour.added == pytest.approx(delivered - labour.moved)
