"""What a result records of the scenario it ran: the resolved scenario and copies of its files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import yaml

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path, write_text_atomic
from ampsim.core.version import __version__
from ampsim.scenarios.reading import read_user_file
from ampsim.scenarios.scenario import Scenario


def resolved_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML, with a header saying what it was built from."""
    built_from = ", ".join(str(path) for path in scenario.sources) or "(no file)"
    header = [
        f"# Scenario {scenario.name}, resolved by ampsim {__version__}:",
        "# built-in defaults < extends chain < file < --set overrides. Everything inherited is",
        "# written out; parameters not listed keep the model's defaults.",
        f"# Built from: {built_from}",
    ]
    header += [f"# --set {setting}" for setting in scenario.overrides]
    body = yaml.safe_dump(scenario.resolved(), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


def write_provenance(scenario: Scenario, directory: str | os.PathLike) -> None:
    """Write scenario.resolved.yaml and copies of the source files into `directory`/sources/.

    The copies are the bytes read when the scenario was loaded (its snapshot), so a file edited
    or deleted during the run changes nothing here; a scenario without a snapshot (built in
    code, or by an older version) has its files read now, with the same checks as when loading."""
    directory = Path(directory)
    text = resolved_yaml(scenario)
    contents = list(scenario.source_contents)
    if len(contents) != len(scenario.sources):
        contents = [_read_now(source, scenario) for source in scenario.sources]
    write_text_atomic(directory / "scenario.resolved.yaml", text)
    for name, data in zip(_source_names(scenario.sources), contents, strict=True):
        with atomic_path(directory / "sources" / name) as temporary:
            temporary.write_bytes(data)


def _read_now(source: Path, scenario: Scenario) -> bytes:
    """A source file's bytes, read now (InputError if it is gone or not a readable file)."""
    try:
        return read_user_file(source, str(source)).data
    except InputError as error:
        raise InputError(f"source file of scenario {scenario.name} no longer readable: {error}") from None


def _source_names(sources: Sequence[Path]) -> list[str]:
    """File names for the copies, made unique when two sources share a name."""
    names: list[str] = []
    for source in sources:
        name, number = source.name, 2
        while name in names:
            name = f"{source.stem}-{number}{source.suffix}"
            number += 1
        names.append(name)
    return names
