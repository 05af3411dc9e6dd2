"""Regenerate the golden digests of tests/golden.yaml (run only when a change of results is intended).

    python tools/update_golden.py          # rewrite tests/golden.yaml
    python tools/update_golden.py --check  # print the digests and compare them, write nothing

The golden runs and the digest of a table are defined in tests/golden.py, which the test
tests/test_golden.py also uses, so the script and the test cannot drift apart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import golden  # noqa: E402  (tests/golden.py, found through the path above)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with tests/golden.yaml, write nothing")
    args = parser.parse_args()
    digests = golden.compute_all()
    for case, tables in digests.items():
        for table, digest in tables.items():
            print(f"{case:<12} {table:<9} {digest}")
    if args.check:
        stored = golden.load()
        same = stored["cases"] == digests
        print("identical to tests/golden.yaml" if same else "DIFFERENT from tests/golden.yaml")
        return 0 if same else 1
    golden.save(digests)
    print(f"wrote {golden.GOLDEN_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
