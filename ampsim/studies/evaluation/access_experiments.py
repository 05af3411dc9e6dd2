"""Transit held to the spatial-mismatch evidence: the job-finding rate of the unemployed residents
of the served zones, with the improvement complete and in the paired baseline. The improvement is
local (the northern arrondissements, scenarios/transit_north.yaml), as the evaluated closure was:
a metropolis-wide one also changes who competes for the same vacancies.

The access elasticity was derived from Tyndall (2017), so this check is *calibrated*: it verifies
that the channel has the size the evidence implies once the labour market has responded
(competition for the same vacancies included), not the model against independent evidence.
Gobillon, Selod & Zenou (2007) review the mechanisms and give no size to compare with.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ampsim.interventions.transit_improvement import TransitImprovement
from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Evidence, Measurement
from ampsim.studies.evaluation.experiment import Check, VirtualExperiment
from ampsim.studies.evaluation.paired import PairedRuns, paired_runs

SCHEDULE_MONTHS = 24  # transit_north.yaml: 2026-01 to 2027-12, phased in over the schedule
YEAR_MONTHS = 12


def measure_transit(
    baseline: Scenario, scenario: Scenario, settings: RunSettings
) -> Mapping[str, Measurement]:
    """Hires per unemployed resident-month in the served zones over the year after the
    improvement is complete (or the run's last year), in both runs (a ratio of the two rates)."""
    hires, seekers = np.zeros(2), np.zeros(2)
    seekers_before = np.zeros(2)  # the unemployed at the end of the previous month: this month's seekers
    with paired_runs(baseline, scenario, settings) as pair:
        programmes = [i for i in pair.scenario.interventions if isinstance(i, TransitImprovement)]
        zones = np.unique(np.concatenate([p.zones for p in programmes]))
        # the year after completion, or the run's last year when it ends before (a comparison's)
        complete = min(max(p.last_month for p in programmes), settings.months - YEAR_MONTHS)
        models = (pair.scenario, pair.baseline)

        def observe(pair: PairedRuns) -> None:
            if complete < pair.month <= complete + YEAR_MONTHS:
                hires[:] += [m.labour.hires_by_home[zones].sum() for m in models]
                seekers[:] += seekers_before
            seekers_before[:] = [m.labour.unemployed_by_zone[zones].sum() for m in models]

        pair.run(observe)
    rates = np.divide(hires, seekers, out=np.zeros(2), where=seekers > 0)
    return {"transit.job_finding": Measurement(float(rates[0]), float(rates[1]), int(seekers[0]))}


TYNDALL = Evidence(
    study="Tyndall (2017), Urban Studies 54(2): 520-537, the R-train closure after Hurricane Sandy: nearby "
    "residents' unemployment +1.4 points (about a 19 % lower job-finding rate for a 1-logit loss of "
    "commute value); the access elasticity is derived from it (0.5, range 0.25-1)",
    estimate=1.09,
    low=1.03,
    high=1.30,
    interval_basis="derived: exp(elasticity x gain in commute value), the gain log(c + (1 - c) e^0.4) for "
    "the scenario's 0.4-logit transit bonus, with the elasticity over its range 0.25-1 and the car share "
    "of commuting c over 0.4-0.75 (75.3 % in the metropolis in 2020, less in Marseille); 1.09 at 0.5 "
    "and 0.6",
    applies="a closure (a loss) in New York, against an improvement here; the model treats gains and "
    "losses alike (assumption)",
    status="calibrated",
)

TRANSIT = VirtualExperiment(
    name="transit",
    programme="Transit improvement (northern arrondissements)",
    scenario_file="transit_north.yaml",
    programme_type="transit_improvement",
    months=SCHEDULE_MONTHS + YEAR_MONTHS,
    checks=(
        Check(
            "transit.job_finding",
            "job-finding rate of the served zones' unemployed, ratio",
            "the year after completion",
            "ratio",
            "ratio",
            TYNDALL,
        ),
    ),
    measure=measure_transit,
)
