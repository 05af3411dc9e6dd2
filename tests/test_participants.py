"""Effects on participants in a comparison: the programmes with a virtual experiment are measured
on their participants against the same people in the paired base scenario, kept in the
comparison's tables, shown in its report and summary, and read back."""

import pandas as pd
import pytest

from ampsim.cli.main import main
from ampsim.interventions.low_emission_zone import LowEmissionZoneConfig
from ampsim.interventions.youth_training import YouthTrainingConfig
from ampsim.model import RunSettings
from ampsim.reports.comparison import write_comparison
from ampsim.reports.text import summary_text
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.compare import compare, read_comparison
from ampsim.studies.participants import pairings_for, participant_effects
from ampsim.studies.runner import RunResult
from ampsim.world.population import minimum_scale

SETTINGS = RunSettings(scale=minimum_scale(), seed=2, months=12, spin_up_months=3)
LEZ = LowEmissionZoneConfig(zones=["Marseille"], compliance=1.0)
TRAINING = YouthTrainingConfig(seats_per_year=1500)


def test_only_the_scenarios_programmes_with_an_experiment_are_paired():
    base = Scenario(name="base", interventions=[TRAINING])
    both = Scenario(name="both", interventions=[TRAINING, LEZ])
    same = Scenario(name="same", interventions=[TRAINING])
    pairings = pairings_for(base, [both, same])
    assert [(p.label, p.experiment.programme_type) for p in pairings] == [("both", "low_emission_zone")]
    assert pairings[0].base is base and pairings[0].scenario is both


@pytest.fixture(scope="module")
def effects():
    base = Scenario(name="base")
    return participant_effects(base, [Scenario(name="zone", interventions=[LEZ])], SETTINGS, replicates=2)


def test_participant_effects_are_measured_against_the_paired_base(effects):
    assert list(effects["scenario"]) == ["zone", "zone"]
    assert list(effects["check"]) == ["low_emission_zone.pm10_traffic", "low_emission_zone.no2_traffic"]
    assert (effects["participants"] == 2 * 12).all()  # a traffic station, 12 months, 2 replicates
    assert (effects["model"] < 1).all() and (effects["model_low"] <= effects["model"]).all()


def _runs(replicates: int = 2) -> list[RunResult]:
    metro = pd.DataFrame({"month": [1, 2], "date": ["2026-01", "2026-02"], "year": [2026, 2026]})
    metro["unemployment_rate"] = [12.0, 12.1]
    return [
        RunResult(
            metro.copy(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {"replicate": r, "seed_entropy": 1}
        )
        for r in range(replicates)
    ]


def test_the_comparison_keeps_shows_and_reads_back_the_participants(effects, tmp_path):
    comparison = compare({"base": _runs(), "zone": _runs()}, "base", participants=effects)
    text = summary_text(comparison)
    assert "zone: effects on participants" in text and "PM10 at the traffic stations" in text
    path = write_comparison(comparison, tmp_path / "out")
    assert "Effects on participants" in (path / "report.html").read_text(encoding="utf-8")
    assert "## Effects on participants" in (path / "summary.md").read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(read_comparison(path).participants, effects)


def test_without_participants_the_report_has_no_such_section(tmp_path):
    comparison = compare({"base": _runs(), "zone": _runs()}, "base")
    assert comparison.participants.empty
    path = write_comparison(comparison, tmp_path / "out")
    assert "Effects on participants" not in (path / "report.html").read_text(encoding="utf-8")


def test_ampsim_compare_reports_the_participants(tmp_path, capsys):
    base, zone = tmp_path / "base.yaml", tmp_path / "zone.yaml"
    base.write_text(f"name: base\nspin_up_months: 3\nscale: {minimum_scale()!r}\n", encoding="utf-8")
    zone.write_text(
        "name: zone\nextends: base.yaml\ninterventions:\n  - {type: low_emission_zone, zones: [Marseille]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    argv = [
        "compare",
        str(base),
        str(zone),
        "--replicates",
        "1",
        "--months",
        "1",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert "zone: effects on participants" in capsys.readouterr().out
    participants = pd.read_parquet(out / "participants.parquet")
    assert list(participants["check"]) == ["low_emission_zone.pm10_traffic", "low_emission_zone.no2_traffic"]
    assert main([*argv[:-2], "--no-participants", "--out", str(tmp_path / "none")]) == 0
    assert pd.read_parquet(tmp_path / "none" / "participants.parquet").empty
