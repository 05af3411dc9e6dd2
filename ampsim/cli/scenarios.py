"""Command-line pieces for scenario files: `validate`, `schema` and the `--set` option.

`add_scenario_commands` adds the subcommands to the `ampsim` parser; `add_set_option` gives any
subcommand that reads scenarios a repeatable `--set PATH=VALUE` (read into `args.overrides`).
Handlers raise InputError on bad input; the command line prints it and exits with code 2. The
scenario module (and with it the model) is imported only when a handler runs, so that building
the parser stays fast.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ampsim.core.errors import InputError
from ampsim.core.io import write_text_atomic

if TYPE_CHECKING:
    from ampsim.scenarios.scenario import Scenario


def add_scenario_commands(commands) -> None:
    """Add `validate FILE...` and `schema [--out FILE]` to the subcommands of a parser."""
    validate = _add_command(
        commands, "validate", cmd_validate, "check scenario files and report every problem, with its line"
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="scenario files (YAML)")
    add_set_option(validate)

    schema = _add_command(
        commands, "schema", cmd_schema, "print the JSON Schema of scenario files (for editors)"
    )
    schema.add_argument("--out", metavar="FILE", help="write the schema to this file instead")


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """Add a repeatable `--set PATH=VALUE` option overriding values of the scenario files."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a value of the scenario after its files are merged, e.g. --set scale=0.05, "
        "--set horizon.months=24, --set parameters.labour.matching_elasticity=0.55 or "
        "--set interventions.0.zones=[13201,13202]; VALUE is read as YAML; repeatable",
    )


def _add_command(commands, name: str, handler, help_text: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(handler=handler)
    return command


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each file; print one line per good file, then fail listing every bad one."""
    from ampsim.scenarios.loading import load_scenario

    problems: list[str] = []
    for file in args.files:
        try:
            scenario = load_scenario(file, getattr(args, "overrides", ()))
        except InputError as error:
            problems.append(str(error))
            continue
        print(f"{file}: ok ({scenario_summary(scenario)})")
    if problems:
        count = len(problems)
        verb = "has" if count == 1 else "have"
        raise InputError(
            f"{count} of {len(args.files)} scenario files {verb} errors:\n" + "\n".join(problems)
        )
    return 0


def scenario_summary(scenario: Scenario) -> str:
    """'2 interventions, 180 months from 2026-01, scale 0.05, ...' for one line of output."""
    parts = [
        _count(len(scenario.interventions), "intervention"),
        f"{scenario.horizon.months} months from {scenario.horizon.start}",
        f"scale {scenario.scale:g}",
        _count(scenario.replicates, "replicate"),
        f"seed {scenario.seed}",
        _count(_leaf_count(scenario.parameters), "parameter override"),
    ]
    if len(scenario.sources) > 1:
        parts.append("extends " + " < ".join(path.name for path in scenario.sources[:0:-1]))
    return ", ".join(parts)


def _leaf_count(tree: dict) -> int:
    return sum(_leaf_count(value) if isinstance(value, dict) else 1 for value in tree.values())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files, or write it to --out."""
    from ampsim.scenarios.schema import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if not args.out:
        print(text, end="")
        return 0
    if Path(args.out).is_dir():
        raise InputError(f"--out {args.out}: is a folder; expected a file name such as scenario.schema.json")
    write_text_atomic(args.out, text)
    print(f"wrote {args.out}")
    return 0
