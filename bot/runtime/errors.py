"""What stops Sloth from starting or running."""

from __future__ import annotations


class FatalError(Exception):
    """Sloth cannot run as configured; the message tells the operator what to fix."""
