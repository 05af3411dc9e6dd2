import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ampsim.cli.main import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse exits on usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_zones_table(capsys):
    code, out, _ = run(capsys, "zones")
    assert code == 0
    assert "107 zones, 1,939,077 residents" in out
    assert "Marseille 3e Arrondissement" in out and "Port-Saint-Louis-du-Rhône" in out


def test_zones_filter_by_name(capsys):
    code, out, _ = run(capsys, "zones", "Marseille", "Gardanne")
    assert code == 0
    assert "17 zones" in out and "Gardanne" in out


def test_population_beside_the_data(capsys, tmp_path):
    csv = tmp_path / "summary.csv"
    code, out, _ = run(capsys, "population", "--scale", "0.01", "--seed", "4", "--csv", str(csv))
    assert code == 0
    assert "Metropolis (AMP)" in out and "unemp% data" in out and "seed entropy 4" in out
    table = pd.read_csv(csv)
    assert len(table) == 108
    assert table["people"].sum() == pytest.approx(2 * 1_939_077)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["population", "--zone", "Aix"], "closest matches: Aix-en-Provence (13001)"),
        (["zones", "Marseile"], "closest matches: Marseille"),
        (["population", "--scale", "0"], "expected a number in (0, 1], got '0'"),
        (["population", "--scale", "1.5"], "expected a number in (0, 1], got '1.5'"),
        (["population", "--scale", "ten"], "expected a number in (0, 1], got 'ten'"),
        (["population", "--seed", "-3"], "expected a non-negative integer, got '-3'"),
        (["zones", "--cell-km", "0.01"], "between 0.25 and 5"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err and "Traceback" not in out


def test_bad_csv_target_leaves_nothing_behind(capsys, tmp_path):
    target = tmp_path / "out.csv"
    target.mkdir()  # a directory where the file should go: writing must fail cleanly
    with pytest.raises(IsADirectoryError):
        main(["zones", "--csv", str(target)])
    assert not [p for p in tmp_path.rglob("*.part")]


def test_console_script_help_and_error():
    help_run = subprocess.run(
        [sys.executable, "-m", "ampsim", "population", "--help"], capture_output=True, text=True
    )
    assert help_run.returncode == 0 and "--scale" in help_run.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "ampsim", "population", "--zone", "Atlantis"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "unknown zone 'Atlantis'" in bad.stderr and "Traceback" not in bad.stderr


def test_compare_with_a_bad_scenario_writes_nothing(capsys, tmp_path):
    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nextends: " + str(scenarios / "baseline.yaml") + "\nreplicates: -1\n")
    out = tmp_path / "out"
    code, _, err = run(capsys, "compare", str(scenarios / "baseline.yaml"), str(bad), "--out", str(out))
    assert code == 2
    assert "bad.yaml: line 3: replicates: expected a whole number in [1, 1000], got -1" in err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_run_writes_the_resolved_scenario_and_its_sources(capsys, tmp_path):
    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    out = tmp_path / "run"
    code, stdout, _ = run(
        capsys,
        "run",
        str(scenarios / "seed_fund.yaml"),
        "--scale",
        "0.01",
        "--months",
        "2",
        "--quiet",
        "--set",
        "interventions.0.ticket_eur=40000",
        "--no-charts",
        "--out",
        str(out),
    )
    assert code == 0
    assert "2 months of seed_fund" in stdout
    resolved = (out / "scenario.resolved.yaml").read_text()
    assert "ticket_eur: 40000" in resolved
    assert {p.name for p in (out / "sources").iterdir()} == {"seed_fund.yaml", "baseline.yaml"}
    assert (out / "metro.parquet").exists()
