"""The one kind of error the command reports: a sentence for the user, no traceback."""

from __future__ import annotations

from .printable import message_line

FINDINGS_EXIT_CODE = 1
"""Exit code of a command that did its job and found something wrong: a failed association
(``status``, ``troubleshoot``), a non-compliant instance (``compliance``), a plan over a limit
(``plan``)."""
ERROR_EXIT_CODE = 2
"""Exit code of a command that could not do its job: a usage error, no credentials, an AWS
error, ... (click's own usage errors exit 2 too)."""
CLI_EXTRA_MODULES = frozenset({"click", "boto3", "botocore", "rich", "croniter", "cron_descriptor"})
"""The top-level modules of the ``cli`` extra's packages."""
INSTALL_HINT = "pip install 'quicksetup-constructs[cli]'"


class CliError(Exception):
    """A problem the user can fix, explained in one line: a message that holds a line break or
    another control character (from a value AWS returned) has them escaped by
    :func:`~quicksetup_constructs.cli.printable.message_line`."""

    def __init__(self, message: str) -> None:
        line = message_line(message)
        super().__init__(line)
        self.message = line


def missing_extra(error: BaseException) -> str | None:
    """The module of the ``cli`` extra whose absence ``error`` reports, if it is one."""
    if not isinstance(error, ModuleNotFoundError):
        return None
    missing = (error.name or "").split(".")[0]
    return missing if missing in CLI_EXTRA_MODULES else None
