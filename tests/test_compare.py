"""Scenario comparison: paired statistics, totals, costs per outcome, report files and text summary.

Runs are synthetic: small tables with the columns of a real run, so that every expected number can
be computed by hand.
"""

import dataclasses
import io
import math
import statistics
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ampsim.indicators import METRO as INDICATORS
from ampsim.indicators import METRO_NAMES, ZONE_NAMES
from ampsim.reports import comparison as comparison_report
from ampsim.reports import text as text_module
from ampsim.reports.comparison import write_comparison
from ampsim.reports.comparison.figures import render_figures
from ampsim.reports.text import summary_text
from ampsim.studies import costs as costs_module
from ampsim.studies.compare import compare, read_comparison
from ampsim.studies.costs import census_shares
from ampsim.studies.runner import RunResult
from ampsim.studies.statistics import minimum_detectable_difference, paired_interval, ratio_interval
from ampsim.world.geometry import ATTRIBUTION
from ampsim.world.territory import load_territory

MONTHS = 24
POPULATION = 1_939_077.0
ZONES = (
    (13001, "Aix-en-Provence"),
    (13201, "Marseille 1er Arrondissement"),
    (13203, "Marseille 3e Arrondissement"),
)


def make_run(replicate: int, months: int = MONTHS, seed: int = 11, **overrides) -> RunResult:
    """A run whose metro and zone tables hold noisy but reproducible values for every indicator.

    `overrides` maps a metro column to the array of its monthly values.
    """
    rng = np.random.default_rng([seed, replicate])
    dates = pd.period_range("2026-01", periods=months, freq="M").astype(str)
    metro = pd.DataFrame(
        {"month": np.arange(1, months + 1), "date": dates, "year": dates.str[:4].astype(int)}
    )
    for k, name in enumerate(METRO_NAMES):
        metro[name] = (k + 1) * 10.0 + rng.normal(0, 1, months)
    metro["population"] = POPULATION
    for name, values in overrides.items():
        metro[name] = values
    blocks = []
    for month, date in zip(metro["month"], metro["date"], strict=True):
        block = pd.DataFrame(ZONES, columns=["code", "zone"])
        for k, name in enumerate(ZONE_NAMES):
            block[name] = (k + 1) * 5.0 + rng.normal(0, 1, len(ZONES))
        block.insert(0, "date", date)
        block.insert(0, "month", month)
        blocks.append(block)
    metadata = {"seed_entropy": seed, "replicate": replicate, "scale": 0.1, "ampsim_version": "test"}
    return RunResult(metro, pd.concat(blocks, ignore_index=True), pd.DataFrame(), pd.DataFrame(), metadata)


def shifted(run: RunResult, **shifts) -> RunResult:
    """A copy of `run` with constants or monthly arrays added to metro columns."""
    metro = run.metro.copy()
    for name, shift in shifts.items():
        metro[name] = metro[name] + shift
    return RunResult(metro, run.zones.copy(), run.stations, run.startups, dict(run.metadata))


def row(comparison, indicator, scenario=None):
    summary = comparison.summary
    scenario = scenario or comparison.scenarios[0]
    return summary[(summary["scenario"] == scenario) & (summary["indicator"] == indicator)].iloc[0]


@pytest.fixture(scope="module")
def base_runs():
    return [make_run(r) for r in range(4)]


def test_every_metro_and_zone_indicator_is_described():
    for indicator in INDICATORS.values():
        assert indicator.kind in {"rate", "flow", "stock"}
        assert indicator.better in {"lower", "higher", "neutral"}


def test_paired_interval_is_the_t_interval_of_the_differences(base_runs):
    final_shift = [0.3, -0.1, 0.5, 0.2]
    others = [
        shifted(run, unemployment_rate=np.r_[np.zeros(MONTHS - 12), np.full(12, d)])
        for run, d in zip(base_runs, final_shift, strict=True)
    ]
    result = row(compare({"base": base_runs, "policy": others}, "base"), "unemployment_rate")
    half = stats.t.ppf(0.975, 3) * statistics.stdev(final_shift) / math.sqrt(4)
    assert result["diff_final"] == pytest.approx(statistics.mean(final_shift), abs=1e-12)
    assert result["diff_final_low"] == pytest.approx(statistics.mean(final_shift) - half, abs=1e-12)
    assert result["diff_final_high"] == pytest.approx(statistics.mean(final_shift) + half, abs=1e-12)
    assert not result["significant"]  # the interval, about ±0.39 around 0.225, includes 0
    assert result["verdict"] == "no clear difference"


def test_minimum_detectable_difference_is_the_paired_formula(base_runs):
    final_shift = [0.3, -0.1, 0.5, 0.2]
    others = [
        shifted(run, unemployment_rate=np.r_[np.zeros(MONTHS - 12), np.full(12, d)])
        for run, d in zip(base_runs, final_shift, strict=True)
    ]
    result = row(compare({"base": base_runs, "policy": others}, "base"), "unemployment_rate")
    by_hand = (stats.t.ppf(0.975, 3) + stats.t.ppf(0.80, 3)) * statistics.stdev(final_shift) / math.sqrt(4)
    assert by_hand == pytest.approx(0.5201, abs=1e-4)  # (3.182 + 0.978) × 0.25 / 2
    assert result["mdd_final"] == pytest.approx(by_hand, abs=1e-12)
    total_shift = np.array(final_shift) * 12 / MONTHS  # a rate's total is its mean over the months
    total = (stats.t.ppf(0.975, 3) + stats.t.ppf(0.80, 3)) * statistics.stdev(total_shift) / 2
    assert result["mdd_total"] == pytest.approx(total, abs=1e-12)
    columns = minimum_detectable_difference(np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 0.0]]))
    np.testing.assert_allclose(columns, [(stats.t.ppf(0.975, 2) + stats.t.ppf(0.8, 2)) / math.sqrt(3), 0.0])
    assert np.isnan(minimum_detectable_difference(np.array([[1.0, 2.0]]))).all()  # one pair: none
    assert math.isnan(
        row(compare({"b": base_runs[:1], "p": others[:1]}, "b"), "unemployment_rate")["mdd_final"]
    )


def test_the_replicates_table_holds_every_run_value(base_runs):
    others = [shifted(run, unemployment_rate=0.5) for run in base_runs]
    comparison = compare({"base": base_runs, "policy": others}, "base")
    table = comparison.by_replicate
    assert list(table.columns) == ["scenario", "replicate", "month", "date", "indicator", "value"]
    indicators = list(comparison.summary["indicator"].unique())
    assert len(table) == 2 * len(base_runs) * MONTHS * len(indicators)
    assert list(table["scenario"].cat.categories) == ["base", "policy"]
    assert set(table["indicator"]) == set(indicators) == set(INDICATORS) & set(base_runs[0].metro.columns)
    counts = table.groupby(["scenario", "replicate"], observed=True).size()
    assert counts.to_dict() == {
        (s, r): MONTHS * len(indicators) for s in ("base", "policy") for r in range(4)
    }
    for scenario, runs in (("base", base_runs), ("policy", others)):
        for r, run in enumerate(runs):
            values = table[
                (table["scenario"] == scenario)
                & (table["replicate"] == r)
                & (table["indicator"] == "median_income")
            ]
            np.testing.assert_array_equal(values["value"], run.metro["median_income"])
            np.testing.assert_array_equal(values["date"].astype(str), run.metro["date"])
    one = table[
        (table["month"] == 7) & (table["replicate"] == 2) & (table["indicator"] == "unemployment_rate")
    ]
    policy, base = one.set_index("scenario")["value"].loc[["policy", "base"]]
    assert policy - base == pytest.approx(0.5)


def test_paired_interval_works_column_by_column():
    differences = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 2.0]])
    mean, low, high = paired_interval(differences)
    half = stats.t.ppf(0.975, 1) * math.sqrt(2.0) / math.sqrt(2)  # sd of (1, 3) is √2
    np.testing.assert_allclose(mean, [2.0, 0.0, 2.0])
    np.testing.assert_allclose(low, [2.0 - half, 0.0, 2.0])
    np.testing.assert_allclose(high, [2.0 + half, 0.0, 2.0])
    assert all(np.isnan(x).all() for x in paired_interval(differences[:1])[1:])


def test_identical_runs_give_exactly_zero_differences_and_intervals(base_runs):
    copies = [shifted(run) for run in base_runs]
    comparison = compare({"base": base_runs, "same": copies}, "base")
    for table, columns in (
        (
            comparison.summary,
            ["diff_final", "diff_final_low", "diff_final_high", "diff_total_low", "diff_total_high"],
        ),
        (comparison.series, ["diff_mean", "diff_low", "diff_high"]),
        (comparison.zones, ["diff_final", "diff_low", "diff_high"]),
        (comparison.costs, ["outcome_diff", "outcome_low", "outcome_high"]),
    ):
        assert len(table) > 0
        assert (table[columns].to_numpy() == 0).all()
    assert not comparison.summary["significant"].any()
    assert set(comparison.summary["verdict"]) == {"no clear difference"}


def test_a_constant_shift_is_found_with_a_zero_width_interval(base_runs):
    others = [shifted(run, unemployment_rate=0.5, median_income=100.0, awareness=-0.02) for run in base_runs]
    comparison = compare({"base": base_runs, "policy": others}, "base")
    for indicator, shift, verdict in (
        ("unemployment_rate", 0.5, "worse"),
        ("median_income", 100.0, "better"),
        ("awareness", -0.02, "worse"),
    ):
        result = row(comparison, indicator)
        for column in ("diff_final", "diff_final_low", "diff_final_high", "diff_total"):
            assert result[column] == pytest.approx(shift, abs=1e-9)
        assert result["significant"]
        assert result["verdict"] == verdict
    series = comparison.series[comparison.series["indicator"] == "unemployment_rate"]
    assert len(series) == MONTHS
    np.testing.assert_allclose(series["diff_mean"], 0.5, atol=1e-9)
    np.testing.assert_allclose(series["other_mean"] - series["base_mean"], 0.5, atol=1e-9)
    assert row(comparison, "gini")["diff_final"] == 0


def test_total_sums_flows_and_averages_rates(base_runs):
    ramp = np.arange(MONTHS, dtype=float)  # 0, 1, ..., 23
    others = [shifted(run, attributable_deaths_pm25=ramp, unemployment_rate=ramp) for run in base_runs]
    comparison = compare({"base": base_runs, "policy": others}, "base")
    deaths, unemployment = row(comparison, "attributable_deaths_pm25"), row(comparison, "unemployment_rate")
    assert deaths["total_basis"] == "cumulated" and unemployment["total_basis"] == "average"
    assert deaths["diff_total"] == pytest.approx(ramp.sum())  # 276 deaths over the horizon
    assert unemployment["diff_total"] == pytest.approx(ramp.mean())  # 11.5 points on average
    assert deaths["diff_final"] == pytest.approx(ramp[-12:].mean())  # 17.5 deaths per month
    assert deaths["unit"] == "deaths per month" and deaths["total_unit"] == "deaths"
    base_deaths = np.mean([run.metro["attributable_deaths_pm25"].sum() for run in base_runs])
    assert deaths["base_total"] == pytest.approx(base_deaths)


def test_final_year_is_all_months_when_the_run_is_shorter():
    base = [make_run(r, months=5) for r in range(2)]
    others = [shifted(run, neet_share=np.arange(5.0)) for run in base]
    assert row(compare({"base": base, "policy": others}, "base"), "neet_share")[
        "diff_final"
    ] == pytest.approx(2.0)


def test_costs_per_outcome(base_runs):
    monthly_spending = 1_000_000.0
    drops = [1.0, 1.5, 2.0, 1.5]  # unemployment rate lower by this many points every month
    labour_force, aged_15_29 = census_shares()["labour_force"], census_shares()["aged_15_29"]
    others = [  # head counts move with the rates, as they do in the model's tables
        shifted(
            run,
            unemployment_rate=-d,
            unemployed_people=-d / 100 * POPULATION * labour_force,
            neet_share=n,
            neet=n / 100 * POPULATION * aged_15_29,
            attributable_deaths_pm25=-0.5,
            startup_jobs=40.0,
        )
        for run, d, n in zip(base_runs, drops, [-1.0, 0.8, -1.2, 0.9], strict=True)
    ]
    for run in others:
        run.metro["spent_youth training"] = monthly_spending
    comparison = compare({"base": base_runs, "policy": others}, "base")
    costs = comparison.costs.set_index("outcome")
    spent = monthly_spending * MONTHS
    assert costs["spent_eur"].eq(spent).all() and costs["extra_spent_eur"].eq(spent).all()
    assert comparison.metadata["spending_eur"]["policy"] == {"youth training": spent}

    gains = np.array(drops) / 100 * POPULATION * labour_force * MONTHS / 12  # person-years
    half = stats.t.ppf(0.975, 3) * gains.std(ddof=1) / 2
    unemployed = costs.loc["unemployed_person_years"]
    assert unemployed["outcome_diff"] == pytest.approx(gains.mean())
    assert unemployed["cost_per_unit"] == pytest.approx(spent / gains.mean())
    assert unemployed["cost_low"] == pytest.approx(spent / (gains.mean() + half))
    assert unemployed["cost_high"] == pytest.approx(spent / (gains.mean() - half))
    assert unemployed["unit"] == "€ per unemployed person-year avoided"

    deaths = costs.loc["deaths_pm25"]
    assert deaths["outcome_diff"] == pytest.approx(0.5 * MONTHS)
    assert deaths["cost_per_unit"] == pytest.approx(spent / 12.0)
    assert deaths["cost_low"] == pytest.approx(spent / 12.0) and deaths["cost_high"] == pytest.approx(
        spent / 12.0
    )
    assert costs.loc["startup_job_years", "outcome_diff"] == pytest.approx(40.0 * MONTHS / 12)

    uncertain = costs.loc["neet_person_years"]  # a gain on average, but its interval includes 0
    assert uncertain["outcome_diff"] > 0 > uncertain["outcome_low"]
    assert math.isnan(uncertain["cost_per_unit"]) and uncertain["note"].startswith("gain not significant")

    no_effect = costs.loc["poor_person_years"]  # poverty unchanged: no gain, no cost per unit
    assert no_effect["outcome_diff"] == 0 and math.isnan(no_effect["cost_per_unit"])
    assert no_effect["note"] == "no gain: no cost per unit"


def test_costs_need_spending(base_runs):
    fewer = -0.01 * POPULATION * census_shares()["labour_force"]
    others = [shifted(run, unemployment_rate=-1.0, unemployed_people=fewer) for run in base_runs]
    costs = compare({"base": base_runs, "policy": others}, "base").costs.set_index("outcome")
    assert costs.loc["unemployed_person_years", "outcome_diff"] > 0
    assert costs["cost_per_unit"].isna().all()
    assert set(costs["note"]) == {"no spending recorded"}


def test_fieller_interval_bounds_solve_its_equation():
    rng = np.random.default_rng(3)
    costs, gains = 1e6 + rng.normal(0, 5e4, 8), 50 + rng.normal(0, 8, 8)
    ratio, low, high = ratio_interval(costs, gains)
    assert ratio == pytest.approx(costs.mean() / gains.mean())
    assert low < ratio < high
    t2 = stats.t.ppf(0.975, 7) ** 2
    for theta in (low, high):  # at each bound, (mean c − θ mean g)² = t² var(c − θ g) / n
        residual = costs - theta * gains
        assert residual.mean() ** 2 == pytest.approx(t2 * residual.var(ddof=1) / 8, rel=1e-9)
    assert all(math.isnan(x) for x in ratio_interval(costs, -gains))  # no gain, no ratio
    noisy_gains = np.array([-1, 2, -1, 2, 3.0, -2, 1, 0])  # positive on average, interval includes 0
    assert all(math.isnan(x) for x in ratio_interval(costs, noisy_gains))
    single = ratio_interval(costs[:1], gains[:1])
    assert single[0] == pytest.approx(costs[0] / gains[0]) and math.isnan(single[1]) and math.isnan(single[2])


def test_one_replicate_gives_no_interval():
    base, other = [make_run(0)], [shifted(make_run(0), unemployment_rate=1.0)]
    comparison = compare({"base": base, "policy": other}, "base")
    result = row(comparison, "unemployment_rate")
    assert result["diff_final"] == pytest.approx(1.0)
    assert math.isnan(result["diff_final_low"]) and math.isnan(result["diff_final_high"])
    assert not result["significant"] and result["verdict"] == "no interval"
    assert comparison.series["diff_low"].isna().all()
    assert "at least 2 replicates" in summary_text(comparison)
    figures = []  # the HTML needs no figures to say it
    assert "at least 2 replicates" in comparison_report.render_html(comparison, figures)
    assert "at least 2 replicates" in comparison_report.render_markdown(comparison, figures)


def test_unpaired_runs_are_refused(base_runs):
    with pytest.raises(ValueError, match="cannot be paired"):
        compare({"base": base_runs, "policy": base_runs[:3]}, "base")
    with pytest.raises(ValueError, match="another seed"):
        compare({"base": base_runs, "policy": [make_run(r, seed=12) for r in range(4)]}, "base")
    with pytest.raises(ValueError, match="other months"):
        compare({"base": base_runs, "policy": [make_run(r, months=12) for r in range(4)]}, "base")
    with pytest.raises(ValueError, match="not among"):
        compare({"policy": base_runs}, "base")


def test_counts_come_from_the_table_when_it_has_them():
    metro = pd.DataFrame({"unemployment_rate": [10.0], "population": [1000.0]})
    assert costs_module.unemployed_people(metro)[0] == pytest.approx(100 * census_shares()["labour_force"])
    metro["unemployed_people"] = 42.0
    assert costs_module.unemployed_people(metro)[0] == 42.0


def test_numbers_are_formatted_for_reading():
    fmt = text_module.format_number
    assert [fmt(99.9996), fmt(1_234_567.8), fmt(0.012345), fmt(12.345), fmt(0.0)] == [
        "100",
        "1,234,568",
        "0.0123",
        "12.3",
        "0",
    ]
    assert fmt(-0.5, signed=True) == "-0.500" and fmt(2.0, signed=True) == "+2.00" and fmt(math.nan) == "-"
    assert text_module.format_interval(math.nan, 1.0) == "n/a"


def test_summary_text_lists_labels_baselines_and_intervals(base_runs):
    others = [shifted(run, unemployment_rate=0.5) for run in base_runs]
    comparison = compare({"base": base_runs, "policy": others}, "base")
    text = summary_text(comparison, max_rows=5)
    assert "smallest detectable" in text
    assert "Unemployment rate 15-64" in text and "NEET share of 15-29 year-olds" in text
    assert "policy - base" in text and "+0.500 to +0.500" in text and "worse" in text
    assert "Poverty rate" in text and "Gini index of income" not in text  # only the first 5 rows
    baseline = row(comparison, "unemployment_rate")["base_final"]
    assert text_module.format_number(baseline) in text


@pytest.fixture(scope="module")
def written(base_runs, tmp_path_factory):
    drops = [-0.4, -0.5, -0.6, -0.5]  # a spread between pairs, for a smallest detectable difference
    others = [
        shifted(run, unemployment_rate=d, neet_share=-1.0) for run, d in zip(base_runs, drops, strict=True)
    ]
    for run in others:
        run.metro["spent_training"] = 2e5
    metadata = {
        "descriptions": {"base": "Today's policies.", "policy": "More <training> & support"},
        "resolved": {"policy": {"interventions": [{"type": "youth_training", "seats_per_year": 500}]}},
        "requested_by": "inclusion team",
    }
    comparison = compare({"base": base_runs, "policy": others}, "base", metadata)
    return comparison, write_comparison(comparison, tmp_path_factory.mktemp("out") / "comparison")


def test_write_comparison_writes_every_file(written):
    comparison, path = written
    names = {p.name for p in path.iterdir()}
    expected = {"summary.parquet", "series.parquet", "zones.parquet", "costs.parquet", "replicates.parquet"}
    expected.add("comparison.json")
    assert expected | {"report.html", "summary.md", "figures"} <= names
    pngs = sorted(p.name for p in (path / "figures").iterdir())
    assert "map_1_policy.png" in pngs and "series_unemployment_rate.png" in pngs
    markdown = (path / "summary.md").read_text(encoding="utf-8")
    for png in pngs:
        assert f"(figures/{png})" in markdown
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no staging left
    loaded = read_comparison(path)
    assert loaded.base == "base" and loaded.scenarios == ["policy"] and loaded.replicates == 4
    pd.testing.assert_frame_equal(loaded.summary, comparison.summary)
    pd.testing.assert_frame_equal(loaded.by_replicate, comparison.by_replicate)
    assert loaded.metadata["requested_by"] == "inclusion team"


def test_a_comparison_written_before_the_replicates_table_still_loads(written, tmp_path):
    _, path = written
    older = tmp_path / "older"
    older.mkdir()
    for name in ("summary", "series", "zones", "costs"):
        (older / f"{name}.parquet").write_bytes((path / f"{name}.parquet").read_bytes())
    (older / "comparison.json").write_bytes((path / "comparison.json").read_bytes())
    loaded = read_comparison(older)
    assert loaded.by_replicate.empty and len(loaded.summary) > 0


def test_the_report_shows_the_smallest_detectable_difference(written):
    comparison, path = written
    mdd = row(comparison, "unemployment_rate")["mdd_final"]
    assert np.isfinite(mdd) and mdd > 0
    headers = {
        "report.html": "<th>smallest detectable difference</th>",
        "summary.md": "| smallest detectable difference |",
    }
    for name, header in headers.items():
        text = (path / name).read_text(encoding="utf-8")
        assert text.count(header) >= 2  # the headline table and the table of all indicators
        assert text_module.format_number(mdd) in text
        assert "would usually go unseen with 4 replicates at scale 0.1" in text
        assert "More replicates" in text and "larger scale" in text
    markdown = (path / "summary.md").read_text(encoding="utf-8")
    line = next(line for line in markdown.splitlines() if line.startswith("| Unemployment rate 15-64 |"))
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[6] == text_module.format_number(mdd)  # after the difference and its interval


def test_report_is_self_contained_and_escaped(written):
    _, path = written
    html = (path / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == len(list((path / "figures").iterdir()))
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html
    assert "More &lt;training&gt; &amp; support" in html and "<training>" not in html
    for text in ("Unemployment rate 15-64", "seats_per_year: 500", "inclusion team", "common random numbers"):
        assert text in html
    assert "cumulated 2026-2027" in html and "average 2026-2027" in html
    assert "€ per NEET person-year avoided" in html


def test_a_failed_write_leaves_nothing_behind(base_runs, tmp_path, monkeypatch):
    comparison = compare({"base": base_runs, "policy": [shifted(run) for run in base_runs]}, "base")
    monkeypatch.setattr(comparison_report, "render_figures", lambda comparison: [])

    def fail(*args):
        raise RuntimeError("disk full")

    earlier = write_comparison(comparison, tmp_path / "earlier")  # a previous result, replaceable
    before = {p.relative_to(earlier): p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    monkeypatch.setattr(comparison_report, "render_markdown", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        write_comparison(comparison, tmp_path / "new")
    assert [p.name for p in tmp_path.iterdir()] == ["earlier"]

    with pytest.raises(RuntimeError, match="disk full"):
        write_comparison(comparison, earlier)
    assert [p.name for p in tmp_path.iterdir()] == ["earlier"]
    assert {p.relative_to(earlier): p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before


def test_no_cost_per_outcome_when_the_budget_is_only_accounting(base_runs):
    """A transit improvement's effect does not depend on its budget: no cost per unit, and the note
    says why; a youth programme's does (seats cost money)."""
    others = [
        shifted(run, unemployment_rate=-2.0, unemployed_people=-2.0 / 100 * POPULATION * 0.5)
        for run in base_runs
    ]
    for run in others:
        run.metro["spent_transit"] = 1e6
        run.metadata["scenario"] = {"interventions": [{"type": "transit_improvement"}]}
    costs = compare({"base": base_runs, "policy": others}, "base").costs.set_index("outcome")
    assert costs["cost_per_unit"].isna().all()
    assert costs.loc["unemployed_person_years", "note"].startswith(
        "the budget of transit_improvement is accounting"
    )
    for run in others:
        run.metadata["scenario"] = {"interventions": [{"type": "youth_training"}]}
    costs = compare({"base": base_runs, "policy": others}, "base").costs.set_index("outcome")
    assert costs.loc["unemployed_person_years", "cost_per_unit"] > 0


def test_the_report_maps_are_choropleths_of_the_zones_with_their_attribution(written, capsys):
    """Zones differing from the baseline fill their polygons, with the shapes' sources; the map is
    kept in test-output/report/."""
    comparison, path = written
    assert ATTRIBUTION in read_caption(path, "map_1_policy")
    codes = load_territory().codes
    indicators = comparison.zones["indicator"].unique()
    rng = np.random.default_rng(1)
    zones = pd.DataFrame(
        [
            {"scenario": "policy", "indicator": name, "code": int(code)}
            for name in indicators
            for code in codes
        ]
    )
    zones["diff_final"] = rng.choice([-1.0, 1.0], len(zones))  # every zone clearly above or below
    zones["significant"] = True
    varied = dataclasses.replace(comparison, zones=zones)
    (figure,) = [f for f in render_figures(varied) if f.name == "map_1_policy"]
    image = matplotlib.image.imread(io.BytesIO(figure.png))[:, :, :3]
    coloured = np.abs(image - image.mean(axis=2, keepdims=True)).max(axis=2) > 0.08  # not grey or white
    print(f"\ncoloured share of the map figure: {coloured.mean():.3f}")
    assert coloured.mean() > 0.15  # filled polygons, not a few discs
    out = Path(__file__).resolve().parents[1] / "test-output" / "report"
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "map_1_policy.png"
    copy.write_bytes(figure.png)
    with capsys.disabled():
        print(f"\nreport map: {copy}")


def read_caption(path: Path, name: str) -> str:
    """The line of a figure in the comparison's summary.md, with its caption."""
    markdown = (path / "summary.md").read_text(encoding="utf-8")
    return next(line for line in markdown.splitlines() if f"figures/{name}.png" in line)
