"""`python -m benchmarks [--quick]`: run the benchmarks, print a table, write benchmarks/RESULTS.md."""

import sys

from benchmarks.suite import main

sys.exit(main())
