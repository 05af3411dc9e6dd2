"""Citizen sensors (DIAMS) held to the air-quality information evidence: the residents whose
awareness the sensors raised, their commuting by car and the PM2.5 they breathe over the next
year, against the same residents in the paired baseline.

Sensor feedback raises awareness but was not found to change travel (Haddad & de Nazelle 2018;
Becker et al. 2021); alerts cut outdoor activity on alert days (Neidell 2010; Saberian, Heyes &
Rivers 2017), which no study turns into a month's exposure: that check has no evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Evidence, Measurement
from ampsim.studies.evaluation.experiment import Check, VirtualExperiment
from ampsim.studies.evaluation.paired import PairedRuns, paired_runs
from ampsim.studies.evaluation.panels import ResidentPanel, still_there
from ampsim.world.residents import Residents, Status

ENROL_MONTH = 12  # awareness closes a sixth of its gap a month: near its level after a year
HORIZON_MONTHS = 12
AWARENESS_GAIN = 26  # of 255: participants' awareness is at least 0.1 above the baseline's


def commuting_by_car(residents: Residents, slots: np.ndarray) -> np.ndarray:
    """100 for each resident who commutes by car (so that a difference of means is in points)."""
    return 100.0 * residents.car[slots]


def measure_information(
    baseline: Scenario, scenario: Scenario, settings: RunSettings
) -> Mapping[str, Measurement]:
    """Residents made aware by the sensors at month `ENROL_MONTH`, followed for a year: the share
    commuting by car at its end (points) and the PM2.5 breathed over it (ratio)."""
    panel = ResidentPanel(horizons=(HORIZON_MONTHS,), outcome=commuting_by_car)
    breathed_before: list[np.ndarray] = []  # cumulative PM2.5 of the participants at enrolment
    pm25 = [Measurement(0.0, 0.0, 0)]

    def observe(pair: PairedRuns) -> None:
        models = (pair.scenario, pair.baseline)
        if pair.month == ENROL_MONTH:
            aware = [m.residents.awareness.astype(np.int16) for m in models]
            present = [m.residents.status != Status.ABSENT for m in models]
            slots = np.flatnonzero(present[0] & present[1] & (aware[0] - aware[1] >= AWARENESS_GAIN))
            panel.enrol(pair.scenario, slots)
            breathed_before[:] = [m.residents.exposure_pm25[slots].astype(float) for m in models]
        panel.observe(pair.scenario, pair.baseline)
        if pair.month == ENROL_MONTH + HORIZON_MONTHS and panel.cohorts:
            cohort = panel.cohorts[0]
            same = still_there(models[0].residents, cohort, HORIZON_MONTHS)
            same &= still_there(models[1].residents, cohort, HORIZON_MONTHS)
            breathed = [
                float((m.residents.exposure_pm25[cohort.slots[same]] - before[same]).sum())
                for m, before in zip(models, breathed_before, strict=True)
            ]
            pm25[0] = Measurement(breathed[0], breathed[1], int(same.sum()))

    with paired_runs(baseline, scenario, settings) as pair:
        pair.run(observe)
    return {"sensors.car_commuting": panel.measurement(HORIZON_MONTHS), "sensors.pm25_breathed": pm25[0]}


NO_TRAVEL_CHANGE = Evidence(
    study="Haddad & de Nazelle (2018), J. Transport & Health, London sensor and app trial (n = 22): no "
    "change in travel behaviour; Becker et al. (2021), Current Pollution Reports, review of 33 personal "
    "feedback studies: behaviour change mixed for air pollution",
    estimate=0.0,
    low=-2.0,
    high=2.0,
    interval_basis="qualitative: no change detected; a change of at most 2 points of residents commuting by "
    "car in a year is taken as consistent (the reference notes' 0-2 % a year of mode changes, assumption)",
    applies="the trial gave sensors to 22 volunteers for weeks; DIAMS gives 2,000 residents sensors for "
    "three years",
)
ALERTS = Evidence(
    study="Saberian, Heyes & Rivers (2017): cycling in Sydney 14-35 % lower on smog-alert days, with alert "
    "fatigue; Neidell (2010), JECH: outdoor attendance lower on alert days",
    estimate=float("nan"),
    low=float("nan"),
    high=float("nan"),
    interval_basis="none: the studies measure activity on alert days, not a month's exposure at home; the "
    "model's avoidance (5 % of exposure for a fully aware resident) is an assumption",
    status="assumption",
)

SENSORS = VirtualExperiment(
    name="sensors",
    programme="Citizen sensors (DIAMS)",
    scenario_file="diams.yaml",
    programme_type="sensor_rollout",
    months=ENROL_MONTH + HORIZON_MONTHS,
    checks=(
        Check(
            "sensors.car_commuting",
            "residents made aware commuting by car, points",
            "a year after awareness",
            "difference",
            "points",
            NO_TRAVEL_CHANGE,
        ),
        Check(
            "sensors.pm25_breathed",
            "PM2.5 breathed at home by residents made aware, ratio",
            "the year after awareness",
            "ratio",
            "ratio",
            ALERTS,
        ),
    ),
    measure=measure_information,
)
