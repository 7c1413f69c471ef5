"""The one error type that every bad prop raises at synth time."""

from __future__ import annotations

from typing import Any


class QuickSetupValidationError(ValueError):
    """A prop was given a value that Quick Setup or AWS would reject.

    The message names the prop, the bad value and what is allowed, e.g.
    ``schedules['scan_for_patches']: 'every day' is not valid; allowed: rate(N unit) ...``.
    """

    def __init__(self, prop: str, value: Any, allowed: str) -> None:
        self.prop = prop
        self.value = value
        self.allowed = allowed
        super().__init__(f"{prop}: {value!r} is not valid; allowed: {allowed}")
