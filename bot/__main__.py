"""`python -m bot` runs the service, like `sloth run`."""

import sys

from bot.cli import main

sys.exit(main(sys.argv[1:] or ["run"]))
