"""A clock moved by hand, for the emulator (`Emulator(clock=FakeClock())`, then `advance`) and
for the app under test; it starts at a fixed, realistic moment."""

from __future__ import annotations

START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self.now += seconds
