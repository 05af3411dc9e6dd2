"""The low-emission-zone virtual experiment: a zone nobody complies with changes nothing; a ban
cuts NO2 more than PM10 at the traffic stations inside it (exhaust only), and a wider ban more."""

from ampsim.interventions.low_emission_zone import LowEmissionZoneConfig
from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.air_experiments import measure_lez
from ampsim.studies.evaluation.experiment import baseline_of

SETTINGS = RunSettings(scale=0.01, seed=6, months=15, spin_up_months=6)


def _ratios(**fields) -> dict[str, float]:
    zone = LowEmissionZoneConfig(zones=["Marseille"], phase_in_months=12, car_penalty=0.0, **fields)
    scenario = Scenario(name="lez", interventions=[zone])
    measured = measure_lez(baseline_of(scenario), scenario, SETTINGS)
    assert all(m.participants == 3 for m in measured.values())  # months 13-15, Rabatau
    return {key.split(".")[1]: m.effect("ratio") for key, m in measured.items()}


def test_a_zone_nobody_complies_with_changes_nothing():
    assert _ratios(compliance=0.0) == {"no2_traffic": 1.0, "pm10_traffic": 1.0}


def test_a_ban_cuts_no2_more_than_pm10_and_a_wider_ban_more():
    crit_air_3 = _ratios(banned_from_class=3, compliance=1.0)
    crit_air_4 = _ratios(banned_from_class=4, compliance=1.0)
    assert crit_air_3["no2_traffic"] < crit_air_3["pm10_traffic"] < 1.0
    assert crit_air_3["pm10_traffic"] > 0.75  # brake, tyre and road wear and the background stay
    assert crit_air_3["no2_traffic"] < crit_air_4["no2_traffic"] < 1.0
    assert crit_air_3["pm10_traffic"] < crit_air_4["pm10_traffic"] < 1.0
