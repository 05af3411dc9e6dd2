"""The outputs shown in docs/API.md, made by running its cells.

Each ```python cell of the page runs in order in one namespace, from the repository's root; the
```text block that follows a cell is what the cell printed.

    python tools/api_page.py          # run the cells and rewrite the outputs
    python tools/api_page.py --check  # exit 1 if the page shows other outputs than the cells print
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "API.md"
CELL = re.compile(r"```python\n(?P<code>.*?)```\n(?:\n```text\n(?P<output>.*?)```\n)?", re.S)


def run_cells(text: str) -> list[str]:
    """What each python cell of `text` prints, in order (run from the repository's root)."""
    namespace: dict = {}
    outputs = []
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        for match in CELL.finditer(text):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(match["code"], str(PAGE), "exec"), namespace)
            outputs.append(printed.getvalue())
    finally:
        os.chdir(here)
    return outputs


def rendered(text: str) -> str:
    """The page with the text block after each cell replaced by what the cell prints."""
    outputs = iter(run_cells(text))

    def replace(match: re.Match) -> str:
        printed = next(outputs)
        cell = f"```python\n{match['code']}```\n"
        return cell + (f"\n```text\n{printed}```\n" if printed else "")

    return CELL.sub(replace, text)


def main() -> int:
    parser = argparse.ArgumentParser(description="run the cells of docs/API.md and show their outputs")
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is out of date")
    args = parser.parse_args()
    text = PAGE.read_text(encoding="utf-8")
    new = rendered(text)
    if new == text:
        return 0
    if args.check:
        print("docs/API.md: out of date (run python tools/api_page.py)")
        return 1
    PAGE.write_text(new, encoding="utf-8")
    print("docs/API.md: outputs rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
