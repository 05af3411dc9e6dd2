"""The parameter table of docs/MODEL.md, generated from the parameter declarations in the code.

`python -m ampsim.doc_tables` rewrites the table between its markers; a test fails when the
document and the code disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel

from ampsim.parameters import iter_parameters

BEGIN = "<!-- parameter-table:begin -->"
END = "<!-- parameter-table:end -->"
MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"


def parameter_groups() -> dict[str, BaseModel]:
    """The documented parameter groups, by their place in the parameter tree."""
    from ampsim.population import PopulationParameters

    return {"population": PopulationParameters()}


def parameter_table() -> str:
    """Markdown table: every parameter with value, unit, source and description."""
    lines = ["| parameter | value | unit | description | source |", "|---|---|---|---|---|"]
    for prefix, group in parameter_groups().items():
        for path, value, unit, source, description in iter_parameters(group, prefix + "."):
            shown = ", ".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"
            lines.append(f"| `{path}` | {shown} | {unit} | {description} | {source} |")
    return "\n".join(lines)


def render(document: str) -> str:
    """The document with its parameter table replaced by the current one."""
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{parameter_table()}\n{END}{tail}"


if __name__ == "__main__":
    text = MODEL_DOC.read_text(encoding="utf-8")
    MODEL_DOC.write_text(render(text), encoding="utf-8")
    sys.exit(0)
