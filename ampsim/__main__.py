"""`python -m ampsim` runs the command line."""

import sys

from ampsim.cli import main

sys.exit(main())
