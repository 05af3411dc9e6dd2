"""`python -m ampsim` runs the command line."""

import sys

from ampsim.cli.main import main

sys.exit(main())
