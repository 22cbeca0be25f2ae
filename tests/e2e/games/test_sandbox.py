"""A game in `sloth sandbox`: posted, then edited in place as its buttons are pressed by number."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_sandbox import run_sandbox


def test_tictactoe_in_the_sandbox(tmp_path: Path) -> None:
    result = run_sandbox("/sloth play tictactoe\n5\n", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    started, moved = re.split(r"^> ", result.stdout, flags=re.M)[1:3]
    assert "Tic-tac-toe · @wjk68 to move." in started and "[5] \u2b1c" in started and "Game on" in started
    assert "(edited)" in moved and "[5] \u274c" in moved and "\u2b55" in moved  # Sloth answered at once
    assert "Traceback" not in result.stderr
