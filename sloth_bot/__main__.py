"""`python -m sloth_bot` starts Sloth like the `sloth` command, from any folder."""

from sloth_bot import main

main()
