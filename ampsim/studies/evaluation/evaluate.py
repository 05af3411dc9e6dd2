"""Every virtual experiment, replicates in parallel processes, and the table that holds each
programme's effect beside its evaluation's (`ampsim evaluate`; docs/EVALUATION.md)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass

import pandas as pd

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Measurement
from ampsim.studies.evaluation.experiment import (
    CheckResult,
    VirtualExperiment,
    baseline_of,
    experiment_settings,
    summarise,
)
from ampsim.studies.workers import worker_pool

DEFAULT_SCALE = 0.05  # where the labour market holds at every scale (the scale tests)
DEFAULT_REPLICATES = 4


@dataclass(frozen=True)
class Pairing:
    """An experiment measured on a scenario against a base scenario: its own scenario and that
    scenario without its programmes (`ampsim evaluate`), or a comparison's pair (`compare`)."""

    experiment: VirtualExperiment
    base: Scenario
    scenario: Scenario
    label: str = ""  # the scenario's name in a comparison

    @classmethod
    def own(cls, experiment: VirtualExperiment) -> Pairing:
        scenario = experiment.scenario()
        return cls(experiment, baseline_of(scenario), scenario)


def measure_replicate(pairing: Pairing, settings: RunSettings, replicate: int) -> dict[str, Measurement]:
    """One replicate of one pairing (a task for a worker process)."""
    experiment = pairing.experiment
    return dict(
        experiment.measure(
            pairing.base, pairing.scenario, experiment_settings(experiment, settings, replicate)
        )
    )


def evaluate(
    experiments: Sequence[VirtualExperiment],
    settings: RunSettings,
    replicates: int = DEFAULT_REPLICATES,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> list[CheckResult]:
    """Every check of every experiment on its own scenario, each measured over `replicates` paired
    runs; the result depends only on the experiments, the settings and the replicates, never on
    the workers."""
    return measure_pairings([Pairing.own(e) for e in experiments], settings, replicates, workers, progress)


def measure_pairings(
    pairings: Sequence[Pairing],
    settings: RunSettings,
    replicates: int,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> list[CheckResult]:
    """Every check of every pairing's experiment over `replicates` paired runs, in order."""
    tasks = [(e, r) for e in range(len(pairings)) for r in range(replicates)]
    measured: dict[tuple[int, int], dict[str, Measurement]] = {}
    if workers <= 1:
        for e, r in tasks:
            measured[e, r] = measure_replicate(pairings[e], settings, r)
            if progress:
                progress(pairings[e].experiment.name, r)
    else:
        with worker_pool(workers) as pool:
            futures = {pool.submit(measure_replicate, pairings[e], settings, r): (e, r) for e, r in tasks}
            for future in as_completed(futures):
                e, r = futures[future]
                measured[e, r] = future.result()
                if progress:
                    progress(pairings[e].experiment.name, r)
    return [
        summarise(pairing.experiment, check, [measured[e, r][check.key] for r in range(replicates)])
        for e, pairing in enumerate(pairings)
        for check in pairing.experiment.checks
    ]


def results_table(results: Sequence[CheckResult]) -> pd.DataFrame:
    """One row per check: programme, outcome, horizon, model effect and interval, evaluation
    effect and interval, inside or not."""
    return pd.DataFrame(
        [
            {
                "programme": r.experiment.programme,
                "check": r.check.key,
                "outcome": r.check.outcome,
                "horizon": r.check.horizon,
                "unit": r.check.unit,
                "participants": r.participants,
                "model": r.effect,
                "model_low": r.low,
                "model_high": r.high,
                "evaluation": r.check.evidence.estimate,
                "evaluation_low": r.check.evidence.low,
                "evaluation_high": r.check.evidence.high,
                "inside": r.inside,
                "verdict": r.verdict,
                "evidence": r.check.evidence.status,
                "study": r.check.evidence.study,
                "interval_basis": r.check.evidence.interval_basis,
            }
            for r in results
        ]
    )


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.2f}" if abs(value) < 100 else f"{value:+,.0f}"


def _interval(low: float, high: float) -> str:
    return f"[{_number(low)}, {_number(high)}]"


def _marked(verdict: str, outside: str = "**no**") -> str:
    """A verdict, with `outside` written for a model outside its evaluation's interval."""
    return outside + verdict[2:] if verdict == "no" or verdict.startswith("no (") else verdict


def verdict_counts(table: pd.DataFrame) -> str:
    """`9 of 12 checks inside their evaluation's interval (1 calibrated on it); 2 without evaluation`."""
    judged = table[table["evidence"] != "assumption"]
    calibrated = int((judged["evidence"] == "calibrated").sum())
    text = f"{int(judged['inside'].sum())} of {len(judged)} checks inside their evaluation's interval"
    if calibrated:
        text += f" ({calibrated} calibrated on it)"
    unjudged = len(table) - len(judged)
    return text + (f"; {unjudged} without evaluation (assumptions)" if unjudged else "")


def markdown_table(table: pd.DataFrame) -> str:
    """The table as Markdown, with the evaluations and their intervals' basis as notes below."""
    lines = [
        "| programme | outcome | horizon | participants | model effect [95 %] | evaluation [95 %] | inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.programme} | {row.outcome} | {row.horizon} | {row.participants:,} | "
            f"{_number(row.model)} {_interval(row.model_low, row.model_high)} | "
            f"{_number(row.evaluation)} {_interval(row.evaluation_low, row.evaluation_high)} | "
            f"{_marked(row.verdict)} |"
        )
    lines.append("")
    for row in table.itertuples():
        lines.append(f"- `{row.check}`: {row.study}. Interval: {row.interval_basis}.")
    return "\n".join(lines) + "\n"


def text_table(table: pd.DataFrame) -> str:
    """The table for a terminal: one line per check."""
    interval = "95 % interval"
    header = f"{'check':44s} {'n':>6s} {'model':>8s} {interval:>18s} {'evaluation':>10s} {interval:>18s}"
    header += "  inside"
    lines = [header, "-" * len(header)]
    for row in table.itertuples():
        lines.append(
            f"{row.check:44s} {row.participants:6d} {_number(row.model):>8s} "
            f"{_interval(row.model_low, row.model_high):>18s} {_number(row.evaluation):>10s} "
            f"{_interval(row.evaluation_low, row.evaluation_high):>18s}  "
            f"{_marked(row.verdict, 'NO')}"
        )
    return "\n".join(lines)


def write_evaluation(
    table: pd.DataFrame, folder: os.PathLike, settings: RunSettings, replicates: int
) -> None:
    """`evaluation.csv` and `evaluation.md` in an existing folder."""
    from pathlib import Path

    folder = Path(folder)
    table.to_csv(folder / "evaluation.csv", index=False)
    heading = (
        f"# Virtual experiments\n\nScale {settings.scale:g}, seed {settings.seed}, {replicates} replicates "
        "per experiment; each participant against the same resident or startup in the paired baseline.\n\n"
    )
    (folder / "evaluation.md").write_text(heading + markdown_table(table))
