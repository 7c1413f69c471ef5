"""``quicksetup``: the console's Quick Setup results page, in a terminal.

    quicksetup plan [CLOUD_ASSEMBLY_DIR]   what a synthesized app will configure (offline)
    quicksetup status                      a card per option of each deployed configuration
    quicksetup troubleshoot                the output of every failed step; exit code 1 if any
    quicksetup compliance                  patch compliance of each configuration's instances

Exit codes: 0 done; 1 ``troubleshoot`` found failures; 2 the command could not do its job
(no credentials, unknown stack, no configuration, ...), with a one-line reason.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .errors import ERROR_EXIT_CODE, CliError

_TIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]


class _Group(click.Group):
    """Reports a :class:`CliError` as one line on standard error, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as error:
            from .render import error_line

            error_line(error.message)
            sys.exit(ERROR_EXIT_CODE)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quicksetup-constructs")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="quicksetup")
def main() -> None:
    """Plan, status, troubleshooting and patch compliance of AWS Systems Manager Quick Setup
    (Host Management) configurations built with quicksetup-constructs.

    Configurations are recognised by their association names,
    QuickSetup-<Option>-<configuration id>. Every command takes --json.
    """


def _json_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts)."
    )(function)


def _aws_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--profile``, ``--region`` and ``--stack``; passes ``aws`` (an :class:`Aws`)."""

    @click.option("--stack", "stack_name", metavar="NAME",
                  help="The CloudFormation stack of the configuration. "
                       "Default: every configuration in the account and Region.")
    @click.option("--profile", metavar="PROFILE", envvar="AWS_PROFILE", show_envvar=True,
                  help="Use this profile of the AWS CLI configuration.")
    @click.option("--region", metavar="REGION",
                  help="The AWS Region. Default: AWS_REGION, or the profile's.")
    @click.pass_context
    @functools.wraps(function)
    def wrapper(ctx: click.Context, profile: str | None, region: str | None, **kwargs: Any) -> Any:
        from .aws import Aws, aws_errors

        with aws_errors():
            aws = ctx.obj if isinstance(ctx.obj, Aws) else Aws.from_options(profile, region)
            aws.region  # noqa: B018 - fails early, in one line, when no Region is set
            return function(aws=aws, **kwargs)

    return wrapper


@main.command()
@click.argument("cloud_assembly_dir", default="cdk.out",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--accounts", type=click.IntRange(min=0), metavar="N",
              help="Accounts under the OUs of organization configurations, to count targets "
                   "and rollout waves. Default: the count cached in cdk.context.json, if any.")
@click.option("--now", "start", type=click.DateTime(_TIME_FORMATS), metavar="TIME",
              help="List the next runs as if deployed at this UTC time "
                   "(e.g. 2026-01-05T09:00). Default: now.")
@_json_option
def plan(cloud_assembly_dir: Path, accounts: int | None, start: datetime | None,
         as_json: bool) -> None:
    """What a synthesized cloud assembly will configure, offline: for every configuration and
    option the document, parameters, targets, schedule in words, next three runs (UTC) and the
    resources created; for an organization, OUs × Regions, the target count against the limit
    and the rollout waves.

    CLOUD_ASSEMBLY_DIR defaults to cdk.out (run `cdk synth` first)."""
    from .plan import build_plan

    now = (start.replace(tzinfo=UTC) if start else datetime.now(UTC)).replace(microsecond=0)
    context_files = list(
        dict.fromkeys(
            [cloud_assembly_dir.resolve().parent / "cdk.context.json",
             Path.cwd() / "cdk.context.json"]
        )
    )
    result = build_plan(cloud_assembly_dir, now=now, accounts=accounts,
                        context_files=context_files)
    _output(result, as_json, "print_plan")


@main.command()
@_aws_options
@click.option("--org", is_flag=True,
              help="Organization configurations: per target (account × Region) the status of "
                   "the stack instance and of the associations.")
@click.option("--member-role", metavar="ROLE",
              help="With --org: a role to assume in every member account to read its "
                   "associations (e.g. OrganizationAccountAccessRole).")
@click.option("--delegated-admin", is_flag=True,
              help="With --org: call the StackSet API as a delegated administrator.")
@_json_option
def status(aws: Any, stack_name: str | None, org: bool, member_role: str | None,
           delegated_admin: bool, as_json: bool) -> None:
    """A card per option of each deployed configuration: Success (ran on every target),
    Failed (at least one target failed), Pending (running, or not run yet) or Not configured
    (option not chosen), with the last run and the target counts."""
    from .render import waiting

    if org:
        from .organization import organization_status

        with waiting("Reading StackSets and stack instances…", quiet=as_json):
            result: Any = organization_status(
                aws, stack_name=stack_name, member_role=member_role,
                delegated_admin=delegated_admin,
            )
        _output(result, as_json, "print_organization")
        return
    from .discovery import find_configurations
    from .status import configuration_status

    with waiting("Reading associations…", quiet=as_json):
        configurations = find_configurations(aws, stack_name)
        result = [configuration_status(aws, configuration) for configuration in configurations]
    _output(result, as_json, "print_status")


@main.command()
@_aws_options
@click.option("--max-targets", type=click.IntRange(min=1), default=10, show_default=True,
              help="Failed targets to show per option.")
@click.option("--lines", type=click.IntRange(min=0), default=20, show_default=True,
              help="Last lines of each failed step's output to show (0: all).")
@_json_option
def troubleshoot(aws: Any, stack_name: str | None, max_targets: int, lines: int,
                 as_json: bool) -> None:
    """For each failed option: its latest failed execution, the failed targets and the output
    of each failed step (Command plugin or Automation step). Exit code 1 when anything
    failed, 0 otherwise."""
    from .discovery import find_configurations
    from .render import waiting
    from .troubleshoot import any_failed
    from .troubleshoot import troubleshoot as run

    with waiting("Reading failed executions…", quiet=as_json):
        configurations = find_configurations(aws, stack_name)
        result = [
            run(aws, configuration, max_targets=max_targets, lines=lines)
            for configuration in configurations
        ]
    _output(result, as_json, "print_troubles")
    if any_failed(result):
        sys.exit(1)


@main.command()
@_aws_options
@click.option("--top", type=click.IntRange(min=0), default=5, show_default=True,
              help="Worst offenders to list per configuration.")
@_json_option
def compliance(aws: Any, stack_name: str | None, top: int, as_json: bool) -> None:
    """Patch compliance per configuration: compliant and non-compliant instances among those
    its daily patch scan targets, and the worst offenders with their missing patches."""
    from .compliance import compliance as run
    from .discovery import find_configurations
    from .render import waiting

    with waiting("Reading patch compliance…", quiet=as_json):
        configurations = find_configurations(aws, stack_name)
        result = run(aws, configurations, top=top)
    _output(result, as_json, "print_compliance")


def _output(result: Any, as_json: bool, printer: str) -> None:
    if as_json:
        from .jsonout import dumps

        click.echo(dumps(result))
        return
    from . import render

    getattr(render, printer)(render.console(), result)


if __name__ == "__main__":  # pragma: no cover
    main()
