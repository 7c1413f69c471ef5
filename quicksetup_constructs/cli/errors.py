"""The one kind of error the command reports: a sentence for the user, no traceback."""

from __future__ import annotations

ERROR_EXIT_CODE = 2
"""Exit code of a command that could not do its job (``troubleshoot`` uses 1 for failures)."""


class CliError(Exception):
    """A problem the user can fix, explained in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
