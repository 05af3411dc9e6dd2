"""Sensitivity on paired differences, Morris screening, replicate noise, PRIM and portfolios."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ampsim.cli.main import main
from ampsim.scenarios.loading import load_scenario
from ampsim.studies import portfolio, prim
from ampsim.studies.analysis import analyze
from ampsim.studies.experiment import load_experiment
from ampsim.studies.runner import run_scenario
from ampsim.studies.sensitivity import noise_shares
from ampsim.studies.sweep import Sweep, load_results, run_sweep

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
INDICATORS = ["unemployment_rate", "neet_share", "startup_jobs"]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "experiment.yaml"
    path.write_text(text)
    return path


def synthetic_results(loaded, out: Path, outcomes: dict[str, np.ndarray], replicates: int = 1, **extra):
    """A prepared sweep folder whose runs have the given outcomes (one row per run)."""
    Sweep(loaded, out).prepare(resume=False)
    n = len(loaded.design)
    rows = pd.DataFrame(
        {
            "point": np.tile(np.arange(n), replicates),
            "replicate": np.repeat(np.arange(replicates), n),
            "month": 3,
            "date": "2026-03",
            "statistic": "month",
            **outcomes,
            **extra,
            "seconds": 0.0,
        }
    )
    rows.to_parquet(out / "parts" / "part-000000-test.parquet", index=False)


def test_a_scenario_compared_with_itself_differs_by_zero_whatever_the_parameters(tmp_path):
    """`parameters.` factors reach the paired run too: the differences are exactly zero."""
    path = write(
        tmp_path,
        f"""
name: self
scenario: {SCENARIOS / "baseline.yaml"}
compare_with: {SCENARIOS / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: alpha, levels: [0.5, 0.7]}}
design: {{method: grid}}
outputs: {{months: all, indicators: {INDICATORS}}}
scale: 0.01
months: 3
seed: 4
""",
    )
    out = tmp_path / "results"
    assert run_sweep(load_experiment(path), out).done == 2
    table = load_results(out)
    assert (table[INDICATORS].to_numpy() == 0).all() and (table["spent_eur"] == 0).all()


def test_paired_differences_are_the_scenario_minus_its_paired_run(tmp_path):
    """A programme field changes the scenario only; the row is scenario minus baseline, same seed."""
    path = write(
        tmp_path,
        f"""
name: youth
scenario: {SCENARIOS / "youth_training.yaml"}
compare_with: {SCENARIOS / "baseline.yaml"}
factors:
  - {{path: interventions.0.seats_per_year, name: seats, levels: [3000]}}
design: {{method: grid}}
outputs: {{months: all, indicators: {INDICATORS}}}
scale: 0.01
months: 4
seed: 4
""",
    )
    out = tmp_path / "results"
    run_sweep(load_experiment(path), out)
    table = load_results(out)
    settings = {"scale": 0.01, "months": 4, "seed": 4, "replicate": 0}
    youth = load_scenario(SCENARIOS / "youth_training.yaml", ["interventions.0.seats_per_year=3000"])
    scenario = run_scenario(youth, **settings).metro
    base = run_scenario(load_scenario(SCENARIOS / "baseline.yaml"), **settings).metro
    expected = scenario[INDICATORS].to_numpy() - base[INDICATORS].to_numpy()
    assert np.array_equal(table[INDICATORS].to_numpy(), expected)
    assert np.abs(expected[:, 1]).max() > 0  # the training moved the NEET share
    spent = scenario.filter(like="spent_").to_numpy().sum()
    assert spent > 0 and np.allclose(table["spent_eur"], spent)


MORRIS = f"""
name: morris
scenario: {SCENARIOS / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: alpha, range: [0.5, 0.7]}}
  - {{path: parameters.startups.founding_rate, name: rate, range: [8, 16]}}
  - {{path: parameters.pollution.background_no2, name: no2, range: [5, 9]}}
design: {{method: morris, samples: 20, seed: 5}}
replicates: 2
outputs: {{months: all, indicators: {INDICATORS}}}
"""


def test_morris_screening_ranks_the_factors_and_noise_is_measured(tmp_path):
    """y = 4a + b over the unit ranges: mu* is 4 for a, 1 for b, 0 for the third factor. The NEET
    outcome is a ± 0.5 by replicate: within-point variance 0.5, none of it in the points' means."""
    loaded = load_experiment(write(tmp_path, MORRIS))
    assert len(loaded.design) == 20 * 4
    design = pd.concat([loaded.design] * 2, ignore_index=True)
    a = (design["alpha"] - 0.5) / 0.2
    b = (design["rate"] - 8) / 8
    noisy = a + np.repeat([0.5, -0.5], len(loaded.design))
    out = tmp_path / "results"
    synthetic_results(
        loaded,
        out,
        {"unemployment_rate": 4 * a + b, "neet_share": noisy, "startup_jobs": 0 * a},
        replicates=2,
    )
    analysis = analyze(out)
    morris = pd.read_parquet(analysis / "morris.parquet").set_index(["indicator", "factor"])
    assert np.isclose(morris.loc[("unemployment_rate", "alpha"), "mu_star"], 4, atol=0.01)
    assert np.isclose(morris.loc[("unemployment_rate", "rate"), "mu_star"], 1, atol=0.01)
    assert np.isclose(morris.loc[("unemployment_rate", "no2"), "mu_star"], 0, atol=1e-6)
    shares = pd.read_parquet(analysis / "noise.parquet").set_index("indicator")
    assert np.isclose(shares.loc["unemployment_rate", "noise_share_of_runs"], 0)
    neet = shares.loc["neet_share"]
    assert np.isclose(neet["within_point_variance"], 0.5)
    assert np.isclose(neet["noise_share_of_runs"], 0.5 / np.var(noisy, ddof=1))
    points_a = a[: len(loaded.design)]
    assert np.isclose(neet["noise_share_of_point_means"], (0.5 / 2) / np.var(points_a, ddof=1))
    summary = (analysis / "summary.md").read_text()
    assert "Morris elementary effects" in summary and "Replicate noise" in summary


def test_noise_shares_on_a_known_table():
    runs = pd.DataFrame({"point": [0, 0, 1, 1], "replicate": [0, 1, 0, 1], "y": [1.0, 3.0, 5.0, 7.0]})
    row = noise_shares(runs, ["y"]).iloc[0]
    assert row["within_point_variance"] == 2.0  # each point: values 2 apart, variance 2
    assert np.isclose(row["run_variance"], np.var([1, 3, 5, 7], ddof=1))
    assert np.isclose(row["noise_share_of_point_means"], (2.0 / 2) / np.var([2, 6], ddof=1))
    assert noise_shares(runs[runs["replicate"] == 0], ["y"]).empty  # one replicate: no noise estimate


def test_prim_finds_the_failing_corner():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(
        {"a": rng.uniform(0, 1, 2000), "b": rng.uniform(0, 1, 2000), "c": rng.uniform(0, 1, 2000)}
    )
    failing = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    trajectory = prim.peel(x, failing)
    assert trajectory["density"].is_monotonic_increasing
    box = prim.chosen_box(trajectory)
    assert box["density"] > 0.9 and box["coverage"] >= 0.5
    assert set(box["restricted"].split(", ")) == {"a", "b"}
    assert 0.55 < box["a_low"] < 0.7 and 0.25 < box["b_high"] < 0.35
    assert "a in [" in prim.box_text(box)


def test_pareto_front_and_best_mix_within_a_budget():
    gains = np.array([[1.0, 1.0], [2.0, 0.5], [0.5, 2.0], [0.9, 0.9], [2.0, 0.5]])
    assert portfolio.pareto_mask(gains).tolist() == [True, True, True, False, True]
    points = pd.DataFrame(
        {
            "point": range(4),
            "x": [0, 1, 2, 3],
            "spent_eur": [0.0, 1e6, 2e6, 3e6],
            "neet_share": [0.0, -0.5, -0.4, -0.9],  # lower is better
            "startup_jobs": [0.0, 1.0, 5.0, 2.0],  # higher is better
            "replicates_done": 2,
        }
    )
    table = portfolio.portfolio_table(points, ["x"], "neet_share", "startup_jobs")
    assert table["pareto_front"].tolist() == [False, False, True, True]
    assert table["best_for_budget_neet_share"].tolist() == [True, True, False, True]
    assert portfolio.best_within(table, "neet_share", 2.5e6)["x"] == 1
    assert portfolio.best_within(table, "neet_share", -1.0) is None


PORTFOLIO = f"""
name: mix
scenario: {SCENARIOS / "baseline.yaml"}
compare_with: {SCENARIOS / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: youth_eur, levels: [0, 1, 2]}}
  - {{path: parameters.startups.founding_rate, name: seed_eur, levels: [0, 1, 2]}}
design: {{method: grid, budget: {{factors: [youth_eur, seed_eur], max_eur: 2}}}}
outputs: {{months: all, indicators: {INDICATORS}}}
"""


def test_a_budget_grid_leaves_out_the_mixes_above_it_and_analysis_draws_the_fronts(tmp_path):
    loaded = load_experiment(
        write(tmp_path, PORTFOLIO.replace("levels: [0, 1, 2]", "levels: [0.5, 0.6, 0.7]"))
    )
    assert len(loaded.design) == 9  # nothing above 2 € in total
    text = PORTFOLIO.replace("parameters.labour.matching_elasticity", "interventions.0.budget_eur")
    text = text.replace("parameters.startups.founding_rate", "interventions.1.budget_eur")
    text = text.replace(
        str(SCENARIOS / "baseline.yaml") + "\ncompare", str(SCENARIOS / "ambition_2040.yaml") + "\ncompare"
    )
    loaded = load_experiment(write(tmp_path, text))
    assert len(loaded.design) == 6 and (loaded.design.sum(axis=1) <= 2).all()
    out = tmp_path / "results"
    d = loaded.design
    synthetic_results(
        loaded,
        out,
        {
            "unemployment_rate": 0 * d["youth_eur"],
            "neet_share": -d["youth_eur"],
            "startup_jobs": d["seed_eur"],
        },
        spent_eur=d["youth_eur"] + d["seed_eur"],
    )
    analysis = analyze(out, pareto="neet_share,startup_jobs", budget_eur=1)
    table = pd.read_parquet(analysis / "portfolio.parquet")
    front = table[table["pareto_front"]]
    assert set(zip(front["youth_eur"], front["seed_eur"], strict=True)) == {(2, 0), (1, 1), (0, 2)}
    summary = (analysis / "summary.md").read_text()
    assert "Best on neet_share within 0.00 M€: youth_eur = 1, seed_eur = 0" in summary
    assert (analysis / "pareto.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["--prim", "neet_share=3"], "--prim: expected INDICATOR<VALUE"),
        (["--prim", "poverty_rate<0"], "--prim: 'poverty_rate' is not an outcome of this sweep"),
        (["--pareto", "neet_share"], "--pareto: expected two different outcomes"),
        (["--pareto", "neet_share,startup_jobs"], "--pareto needs paired differences"),
        (["--budget", "5"], "--budget needs --pareto"),
        (["--pareto", "neet_share,startup_jobs", "--budget", "nan"], "expected euros between 0 and 1e12"),
    ],
)
def test_bad_analysis_options_exit_2_with_one_line(tmp_path, capsys, arguments, expected):
    loaded = load_experiment(write(tmp_path, MORRIS))
    out = tmp_path / "results"
    n = len(loaded.design)
    synthetic_results(loaded, out, {name: np.arange(n, dtype=float) for name in INDICATORS})
    with pytest.raises(SystemExit) as raised:
        sys.exit(main(["analyze", str(out), *arguments]))
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


@pytest.mark.parametrize(
    "change, expected",
    [
        (("method: morris, samples: 20", "method: morris, samples: 20, morris_levels: 3"), "must be even"),
        (("seed: 5}", "seed: 5, budget: {factors: [alpha], max_eur: 1}}"), "grid designs only"),
        (("name: morris\n", "name: morris\ncompare_with: nowhere.yaml\n"), "nowhere.yaml"),
    ],
)
def test_bad_sensitivity_experiments_exit_2_naming_the_key(tmp_path, capsys, change, expected):
    path = write(tmp_path, MORRIS.replace(*change))
    with pytest.raises(SystemExit) as raised:
        sys.exit(main(["sweep", str(path), "--dry-run"]))
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


EXPERIMENTS = sorted(
    p for p in (SCENARIOS.parent / "experiments").glob("*.yaml") if "design" in p.read_text()
)


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[p.stem for p in EXPERIMENTS])
def test_every_experiment_file_of_the_project_loads(path):
    """The project's experiment files validate, with their scenarios and the design's corners."""
    loaded = load_experiment(path)
    assert len(loaded.design) == loaded.experiment.points() or loaded.experiment.design.budget
    if loaded.experiment.compare_with:
        assert loaded.comparison_scenario(0) is not None
