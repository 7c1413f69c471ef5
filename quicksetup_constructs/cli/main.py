"""``quicksetup``: the console's Quick Setup results page, in a terminal.

    quicksetup plan [CLOUD_ASSEMBLY_DIR]   what a synthesized app will configure (offline)
    quicksetup status                      a card per option of each deployed configuration
    quicksetup troubleshoot                the output of every failed step
    quicksetup compliance                  patch compliance of each configuration's instances
    quicksetup preflight [CLOUD_ASSEMBLY_DIR]  what the account already has in the app's way
    quicksetup import                      the console's configurations, as a CDK app
    quicksetup rerun                       run the associations once, now
    quicksetup inventory --org             which instances have a package, with Athena

Global options, before or after the verb, as in the AWS CLI: ``--region``, ``--profile``,
``--endpoint-url``, ``--output json|table|text``, ``--debug``, ``--no-color``,
``--cli-read-timeout``, ``--cli-connect-timeout``.

Exit codes: 0 all well; 1 findings (a failed association, a non-compliant instance, a plan
over a limit, a preflight error); 2 the command could not do its job (a usage error, no
credentials, an AWS error, ...), with a one-line reason and no traceback (unless ``--debug``).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .errors import ERROR_EXIT_CODE, FINDINGS_EXIT_CODE, CliError

_TIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
_GLOBAL = "quicksetup.global-options"
"""Key of the global options' values in ``click.Context.meta`` (shared by the group's and the
verb's contexts, so an option counts wherever it is given; the verb's wins)."""
OUTPUTS = ("table", "text", "json")
_AWS = "quicksetup.aws"
"""Key of the command's :class:`Aws` in ``click.Context.meta``, for the JSON envelope."""


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value is not False:
        ctx.meta.setdefault(_GLOBAL, {})[param.name] = value
    return value


def _global_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The AWS CLI's global options, accepted by the group and by every verb."""
    options = [
        click.option(
            "--region",
            metavar="REGION",
            help="The AWS Region. Default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's.",
        ),
        click.option(
            "--profile",
            metavar="PROFILE",
            help="A profile of the AWS CLI configuration. Default: AWS_PROFILE.",
        ),
        click.option(
            "--endpoint-url",
            metavar="URL",
            help="Send every AWS call to this URL. Default: AWS_ENDPOINT_URL.",
        ),
        click.option(
            "--output",
            type=click.Choice(OUTPUTS),
            help="json for scripts, table (default), or text (plain lines: no colour, emoji or "
            "box drawing, never wrapped).",
        ),
        click.option("--json", "output_json", is_flag=True, help="Same as --output json."),
        click.option(
            "--debug",
            is_flag=True,
            help="Log every AWS call, and show the traceback of an unexpected error.",
        ),
        click.option("--no-color", is_flag=True, help="No colour (as NO_COLOR=1)."),
        click.option(
            "--cli-read-timeout",
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            help="How long an AWS answer may take, per try (0: forever). Default: 8.",
        ),
        click.option(
            "--cli-connect-timeout",
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            help="How long a connection may take to open, per try (0: forever). Default: 5.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    for param in function.__click_params__[-len(options) :]:  # type: ignore[attr-defined]
        param.expose_value = False
        param.callback = _remember
    return function


def global_options(ctx: click.Context | None = None) -> dict[str, Any]:
    """The global options given, before or after the verb."""
    ctx = ctx or click.get_current_context()
    return ctx.meta.get(_GLOBAL, {})


def output_format(ctx: click.Context | None = None) -> str:
    options = global_options(ctx)
    return options.get("output") or ("json" if options.get("output_json") else "table")


class _Group(click.Group):
    """Every failure on one line of standard error, exit code 2; the traceback of an unexpected
    one only with ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as error:
            _fail(error.message, ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            from .errors import missing_extra

            if global_options(ctx).get("debug") or missing_extra(error):
                raise  # a missing extra is named by the script's entry point
            from .aws import one_line

            _fail(
                f"unexpected {type(error).__name__}: {one_line(str(error))} (run again with "
                "--debug for the traceback)",
                ctx,
            )


def _fail(message: str, ctx: click.Context | None = None) -> None:
    """Report ``message`` and exit 2: one line on standard error, or, under ``--output json``,
    the contract's envelope with the error on standard output."""
    verb = ctx.invoked_subcommand if ctx is not None else None
    if ctx is not None and verb is not None and output_format(ctx) == "json":
        _print_envelope(ctx, verb, error=message)
    else:
        from .render import error_line

        error_line(message)
    sys.exit(ERROR_EXIT_CODE)


def _print_envelope(
    ctx: click.Context, command: str, data: Any = None, error: str | None = None
) -> None:
    """Print the JSON contract's envelope of ``command``: its ``data``, or its ``error``, with
    the account and Region of the command's AWS session (null for ``plan``, or when the
    account cannot be known: the result or the error matters more). An error makes no AWS
    call: it gives the account only if the command read it already."""
    from .contract import envelope
    from .jsonout import dumps

    aws = ctx.meta.get(_AWS)
    account = region = None
    if aws is not None:
        region = aws.session.region_name
        account = aws.known_account
        if account is None and error is None:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                account = aws.account
            except (BotoCoreError, ClientError):
                account = None
    click.echo(dumps(envelope(command, data, account=account, region=region, error=error)))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quicksetup-constructs")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="quicksetup")
@_global_options
def main() -> None:
    """Plan, preflight, status, troubleshooting and patch compliance of AWS Systems Manager
    Quick Setup (Host Management) configurations built with quicksetup-constructs, and the
    import of those made in the console.

    Configurations are recognised by their association names,
    QuickSetup-<Option>-<configuration id>. Global options (--region, --profile,
    --endpoint-url, --output, --debug, --no-color, --cli-read-timeout,
    --cli-connect-timeout) go before or after the verb.

    Exit codes: 0 all well; 1 findings (a failed association, a non-compliant instance, a
    plan over a limit, a preflight error); 2 usage or AWS errors.
    """


def _aws_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--stack`` and the global options; passes ``aws`` (an :class:`Aws`)."""
    return click.option(
        "--stack",
        "stack_name",
        metavar="NAME",
        help="The CloudFormation stack of the configuration. "
        "Default: every configuration in the account and Region.",
    )(_aws_session(function))


def _aws_session(function: Callable[..., Any]) -> Callable[..., Any]:
    """The global options; passes ``aws`` (an :class:`Aws`)."""

    @_global_options
    @click.pass_context
    @functools.wraps(function)
    def wrapper(ctx: click.Context, **kwargs: Any) -> Any:
        from .aws import Aws, AwsOptions, aws_errors

        options = global_options(ctx)
        if options.get("debug"):
            import logging

            import boto3

            boto3.set_stream_logger("botocore", logging.DEBUG)
        aws = ctx.obj if isinstance(ctx.obj, Aws) else None
        with aws_errors(aws):
            if aws is None:
                aws = Aws.from_options(
                    options=AwsOptions(
                        profile=options.get("profile"),
                        region=options.get("region"),
                        endpoint_url=options.get("endpoint_url"),
                        **{
                            field: options[name]
                            for field, name in (
                                ("read_timeout", "cli_read_timeout"),
                                ("connect_timeout", "cli_connect_timeout"),
                            )
                            if name in options
                        },
                    )
                )
            aws.region  # noqa: B018 - fails early, in one line, when no Region is set
        ctx.meta[_AWS] = aws
        with aws_errors(aws):
            return function(aws=aws, **kwargs)

    return wrapper


@main.command()
@click.argument(
    "cloud_assembly_dir", default="cdk.out", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--accounts",
    type=click.IntRange(min=0),
    metavar="N",
    help="Accounts under the OUs of organization configurations, to count targets "
    "and rollout waves. Default: the count cached in cdk.context.json, if any.",
)
@click.option(
    "--now",
    "start",
    type=click.DateTime(_TIME_FORMATS),
    metavar="TIME",
    help="List the next runs as if deployed at this UTC time "
    "(e.g. 2026-01-05T09:00). Default: now.",
)
@_global_options
def plan(cloud_assembly_dir: Path, accounts: int | None, start: datetime | None) -> None:
    """What a synthesized cloud assembly will configure, offline: for every configuration and
    option the document, parameters, targets, schedule in words, next three runs (UTC) and the
    resources created; for an organization, OUs × Regions, the target count against the limit
    and the rollout waves.

    CLOUD_ASSEMBLY_DIR defaults to cdk.out (run `cdk synth` first)."""
    from .plan import build_plan

    now = (start.replace(tzinfo=UTC) if start else datetime.now(UTC)).replace(microsecond=0)
    context_files = list(
        dict.fromkeys(
            [
                cloud_assembly_dir.resolve().parent / "cdk.context.json",
                Path.cwd() / "cdk.context.json",
            ]
        )
    )
    result = build_plan(cloud_assembly_dir, now=now, accounts=accounts, context_files=context_files)
    _output(result, "print_plan")
    if result.over_a_limit:
        sys.exit(FINDINGS_EXIT_CODE)


def _with(function: Callable[..., Any], options: list[Callable[[Any], Any]]) -> Callable[..., Any]:
    """``function`` with click ``options``, in the order they are listed (``--help``'s)."""
    for option in reversed(options):
        function = option(function)
    return function


def _organization_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--member-role``, ``--delegated-admin`` and ``--max-concurrency``, for ``--org``."""
    options = [
        click.option(
            "--member-role",
            metavar="ROLE",
            help="With --org: a role to assume in every member account to read its "
            "associations (e.g. OrganizationAccountAccessRole).",
        ),
        click.option(
            "--delegated-admin",
            is_flag=True,
            help="With --org: call the StackSet API as a delegated administrator.",
        ),
        click.option(
            "--max-concurrency",
            type=click.IntRange(1, 64),
            default=16,
            show_default=True,
            metavar="N",
            help="With --org: targets (account × Region) read at a time; with "
            "--managed-instances: AWS calls at a time. 1 to 64.",
        ),
    ]
    return _with(function, options)


def _target_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--account`` and ``--target-region``: the organization's targets to read (repeatable;
    ``--region`` stays the Region the command calls). With Athena, they narrow the query to
    those partitions."""
    options = [
        click.option(
            "--account",
            "accounts",
            multiple=True,
            metavar="ID",
            help="With --org: only this account (repeatable).",
        ),
        click.option(
            "--target-region",
            "target_regions",
            multiple=True,
            metavar="REGION",
            help="With --org: only this Region of the targets (repeatable; --region is the "
            "Region the command calls).",
        ),
    ]
    return _with(function, options)


def _athena_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Where the organization's inventory is queried with Athena, and how long a query (or a
    ``--refresh`` crawl) may run: ``--query-timeout``."""
    options = [
        click.option(
            "--athena-workgroup",
            metavar="NAME",
            help="With --org: the Athena workgroup of the organization's inventory. Default: "
            "the stack's output (InventorySync athena=True).",
        ),
        click.option(
            "--athena-database",
            metavar="NAME",
            help="With --org: the Glue database. Default: the stack's output paired with the "
            "workgroup.",
        ),
        click.option(
            "--query-timeout",
            type=click.FloatRange(min=1),
            default=300,
            show_default=True,
            metavar="SECONDS",
            help="With --org: how long an Athena query (or a --refresh crawl) may run before "
            "the wait for it ends.",
        ),
        click.option("--page-size", type=click.IntRange(1, 1000), hidden=True),
    ]
    return _with(function, options)


def _report_organization(
    aws: Any,
    stack_name: str | None,
    member_role: str | None,
    delegated_admin: bool,
    max_concurrency: int,
    *,
    failures: bool,
    printer: str,
    filters: Any = None,
    athena: tuple[str | None, str | None, float, int | None] | None = None,
) -> None:
    """Read every target of the organization's StackSets that ``filters`` keeps, print them
    with ``printer``, and exit 1 when a target's associations failed or could not be read
    (with ``failures``, each failed option's latest failed execution is read too). Without a
    member role, associations are read with Athena where ``athena`` (workgroup, database,
    query timeout) or the stack outputs name a workgroup. Targets not read are also counted,
    with why, in one line on standard error (under ``--output json`` too)."""
    from .organization import TargetFilter, not_read_line, organization_status
    from .render import error_line, organization_progress
    from .status import FAILED

    def source() -> Any:
        return None if athena is None else _athena_source(aws, stack_name, *athena)

    with organization_progress(quiet=output_format() == "json") as progress:
        stack_sets = organization_status(
            aws,
            stack_name=stack_name,
            member_role=member_role,
            delegated_admin=delegated_admin,
            max_concurrency=max_concurrency,
            progress=progress,
            failures=failures,
            filters=filters or TargetFilter(),
            athena=source if athena is not None else None,
            athena_given=athena is not None and bool(athena[0] or athena[1]),
        )
    _output(stack_sets, printer)
    query = next((s.athena_query for s in stack_sets if s.athena_query), None)
    if query is not None and output_format() != "json":
        from .inventory import scanned
        from .printable import printable

        click.echo(
            f"Athena scanned {scanned(query.bytes_scanned)} (workgroup "
            f"{printable(query.workgroup)}).",
            err=True,
        )
    not_read = not_read_line(stack_sets)
    if not_read is not None:
        error_line(not_read)
    if not_read is not None or any(
        target.association_status == FAILED
        for stack_set in stack_sets
        for target in stack_set.targets
    ):
        sys.exit(FINDINGS_EXIT_CODE)


def _only_with_org(org: bool, **given: Any) -> None:
    """Options that read an organization (``given``: option name → value) need ``--org``."""
    used = [name for name, value in given.items() if value]
    if used and not org:
        option = "--" + used[0].replace("_", "-")
        raise CliError(f"{option} reads an organization: add --org")


def _account_ids(accounts: tuple[str, ...]) -> tuple[str, ...]:
    """``--account`` values, each checked to be an account id before any call."""
    for account in accounts:
        if not (len(account) == 12 and account.isdigit()):
            raise CliError(f"--account {account!r} is not an AWS account id (12 digits)")
    return accounts


def _athena_source(
    aws: Any,
    stack_name: str | None,
    workgroup: str | None,
    database: str | None,
    timeout: float,
    page_size: int | None,
) -> Any:
    """The inventory to query (:class:`~.organization.AthenaSource`): the workgroup and
    database given, else those of the stack outputs; None when there is none."""
    from .inventory import athena_outputs, find_athena
    from .organization import AthenaSource

    outputs = None if workgroup and database else athena_outputs(aws, stack_name)
    if not (workgroup or database or outputs):
        return None
    found = find_athena(aws, stack_name, workgroup, database, outputs)
    return AthenaSource(*found, query_timeout=timeout, page_size=page_size)


@main.command()
@_aws_options
@click.option(
    "--org",
    is_flag=True,
    help="Organization configurations: per target (account × Region) the status of "
    "the stack instance and of the associations.",
)
@click.option(
    "--managed-instances",
    is_flag=True,
    help="Add a card of the instances the targets reach that Systems Manager does "
    "not manage, each with its likely reason (not with --org).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Read the cards again, with backoff, until none is Pending; exit 1 with "
    "the cards still Pending after --wait-timeout (not with --org).",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --wait: how long to wait. Default: 600.",
)
@_organization_options
@click.option(
    "--ou",
    "organizational_units",
    multiple=True,
    metavar="OU",
    help="With --org: only the targets of this OU, as the StackSet deployed them (repeatable).",
)
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(("Success", "Failed", "Pending", "NotRead")),
    help="With --org: only the targets whose associations are in this state (repeatable).",
)
@_target_options
@_athena_options
def status(
    aws: Any,
    stack_name: str | None,
    org: bool,
    member_role: str | None,
    delegated_admin: bool,
    max_concurrency: int,
    managed_instances: bool,
    wait: bool,
    wait_timeout: float | None,
    accounts: tuple[str, ...],
    organizational_units: tuple[str, ...],
    target_regions: tuple[str, ...],
    states: tuple[str, ...],
    athena_workgroup: str | None,
    athena_database: str | None,
    query_timeout: float,
    page_size: int | None,
) -> None:
    """A card per option of each deployed configuration: Success (ran on every target),
    Failed (at least one target failed), Pending (running, or not run yet), Not configured
    (option not chosen) or Missing (in the stack, deleted outside CloudFormation), with the
    last run and the target counts; and a card for the Default Host Management Configuration
    setting and the inventory sync, where the configuration has them; with
    --managed-instances, a card of the targeted instances Systems Manager does not manage, each
    with its likely reason (Failed when one is running). Exit code 1 when a card
    is Failed or Missing; with --org, when a target is Failed or Not read (how many were not
    read, and why, in one line on standard error).

    With --org, the associations of other accounts are read live with --member-role; without
    it, from the organization's inventory bucket with Athena (InventorySync athena=True:
    association compliance per option, managed instances, and how fresh the data is)."""
    from .organization import STATES, TargetFilter
    from .render import waiting

    quiet = output_format() == "json"
    filters = TargetFilter(
        accounts=frozenset(_account_ids(accounts)),
        organizational_units=frozenset(organizational_units),
        regions=frozenset(target_regions),
        states=frozenset(STATES[state] for state in states),
    )
    _only_with_org(
        org,
        account=accounts,
        ou=organizational_units,
        target_region=target_regions,
        state=states,
        athena_workgroup=athena_workgroup,
        athena_database=athena_database,
    )
    if member_role and (athena_workgroup or athena_database):
        raise CliError(
            "--member-role reads the associations live, --athena-workgroup from the inventory "
            "bucket: give one of them"
        )
    if org and managed_instances:
        raise CliError(
            "--managed-instances reads the configurations of this account and "
            "Region: not with --org"
        )
    if wait or wait_timeout is not None:
        _status_wait(aws, stack_name, org, wait, wait_timeout, managed_instances, max_concurrency)
        return
    if org:
        _report_organization(
            aws,
            stack_name,
            member_role,
            delegated_admin,
            max_concurrency,
            failures=False,
            printer="print_organization",
            filters=filters,
            athena=(athena_workgroup, athena_database, query_timeout, page_size),
        )
        return
    from .discovery import find_configurations
    from .status import configuration_statuses

    with waiting("Reading associations…", quiet=quiet):
        configurations = find_configurations(aws, stack_name)
        result = configuration_statuses(aws, configurations)
    if managed_instances:
        from .managed import with_managed_instances

        with waiting("Reading instances…", quiet=quiet):
            result = with_managed_instances(aws, configurations, result, max_concurrency)
    _output(result, "print_status")
    if any(configuration.findings for configuration in result):
        sys.exit(FINDINGS_EXIT_CODE)


def _status_wait(
    aws: Any,
    stack_name: str | None,
    org: bool,
    wait: bool,
    wait_timeout: float | None,
    managed_instances: bool,
    max_concurrency: int,
) -> None:
    """``status --wait``: the cards read again until none is Pending, then printed; exit 1
    with the cards still Pending (one line on standard error) when the time is over."""
    from . import wait as waiting_module
    from .discovery import find_configurations
    from .render import error_line
    from .status import configuration_statuses

    if not wait:
        raise CliError("--wait-timeout goes with --wait")
    if org:
        raise CliError("--wait reads the cards of this account and Region: not with --org")
    timeout = waiting_module.DEFAULT_TIMEOUT_SECONDS if wait_timeout is None else wait_timeout

    def read() -> Any:
        configurations = find_configurations(aws, stack_name)
        result = configuration_statuses(aws, configurations)
        if managed_instances:
            from .managed import with_managed_instances

            result = with_managed_instances(aws, configurations, result, max_concurrency)
        return result

    with waiting_module.wait_progress(timeout, quiet=output_format() == "json") as progress:
        waited = waiting_module.wait_until_settled(
            read,
            timeout=timeout,
            clock=waiting_module.CLOCK,
            progress=progress,
        )
    _output(waited.statuses, "print_status")
    if waited.pending:
        error_line(waiting_module.timeout_line(waited))
    if waited.pending or any(configuration.findings for configuration in waited.statuses):
        sys.exit(FINDINGS_EXIT_CODE)


@main.command()
@_aws_options
@click.option(
    "--yes",
    is_flag=True,
    help="Start without asking (needed when standard input is not a terminal).",
)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="NAME",
    help="Run only this option's association (a prop name, e.g. update_ssm_agent). "
    "Repeatable. Default: every association of the configuration.",
)
@click.option(
    "--org",
    is_flag=True,
    help="Organization configurations: run the associations in every target "
    "(account × Region) of the StackSets.",
)
@_organization_options
def rerun(
    aws: Any,
    stack_name: str | None,
    yes: bool,
    options: tuple[str, ...],
    org: bool,
    member_role: str | None,
    delegated_admin: bool,
    max_concurrency: int,
) -> None:
    """Run a configuration's associations once, now (StartAssociationsOnce), as the console's
    "Apply association now": every association of the configuration, or those of --option.
    Asks first, unless --yes or --output json. Follow the runs with `quicksetup status
    --wait`. Exit code 1 when an association (or, with --org, a target) could not be started;
    an unknown option exits 2 and starts nothing."""
    from .printable import printable
    from .render import error_line, waiting
    from .rerun import (
        confirm,
        describe,
        not_started_line,
        option_keys,
        print_organization_rerun,
        print_rerun,
        rerun_organization,
        select,
        select_organization,
        to_start,
    )
    from .rerun import rerun as run

    keys = option_keys(options)
    json_output = output_format() == "json"
    if org:
        with waiting("Reading StackSets and stack instances…", quiet=json_output):
            selection = select_organization(
                aws,
                stack_name=stack_name,
                delegated_admin=delegated_admin,
                options=keys,
            )
        lines = [f"StackSet {printable(name)}" for name in selection.stack_set_names] + [
            f"  options: {', '.join(selection.option_keys)}",
        ]
        question = (
            f"Run these associations now in {len(selection.targets)} target(s) (account × Region)?"
        )
        if not confirm(question, lines, yes=yes, json_output=json_output):
            click.echo("Nothing started.", err=True)
            return
        with waiting("Starting associations…", quiet=json_output):
            organization_result = rerun_organization(
                aws,
                selection,
                member_role=member_role,
                max_concurrency=max_concurrency,
            )
        _output(organization_result, print_organization_rerun)
        line = not_started_line(organization_result)
        if line is not None:
            error_line(line)
        if organization_result.findings:
            sys.exit(FINDINGS_EXIT_CODE)
        return
    from .discovery import find_configurations

    with waiting("Reading associations…", quiet=json_output):
        configurations = find_configurations(aws, stack_name)
    where = f"in stack {stack_name!r}" if stack_name else f"in {aws.region}"
    chosen = select(configurations, keys, where)
    question = f"Run these {len(to_start(chosen))} association(s) now, once?"
    if to_start(chosen) and not confirm(
        question, describe(chosen), yes=yes, json_output=json_output
    ):
        click.echo("Nothing started.", err=True)
        return
    result = run(aws, chosen)
    _output(result, print_rerun)
    if result.findings:
        sys.exit(FINDINGS_EXIT_CODE)


@main.command()
@_aws_options
@click.option(
    "--association",
    "association",
    metavar="ID",
    help="Drill down into one association (its id or name): every failed target of "
    "its latest failed execution, with the full output of each failed step.",
)
@click.option(
    "--instance",
    "instance",
    metavar="ID",
    help="Drill down into one instance: the latest status of each Quick Setup "
    "association on it, with the full output of its failed steps.",
)
@click.option(
    "--max-targets",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Instances to name per group of targets that failed the same way.",
)
@click.option(
    "--lines",
    type=click.IntRange(min=0),
    metavar="N",
    help="Last lines of output to show per group of failures (0: all). "
    "Default: 20; all with --association or --instance.",
)
@click.option(
    "--org",
    is_flag=True,
    help="Organization configurations: per target (account × Region) each failed "
    "option and its latest failed execution (--max-targets and --lines do not "
    "apply).",
)
@_organization_options
def troubleshoot(
    aws: Any,
    stack_name: str | None,
    association: str | None,
    instance: str | None,
    max_targets: int,
    lines: int | None,
    org: bool,
    member_role: str | None,
    delegated_admin: bool,
    max_concurrency: int,
) -> None:
    """For each failed option: its latest failed execution and its failed targets, grouped by
    how they failed (document, step, exit code, first line of output), with the output of
    each group once (Command plugin or Automation step). --association and --instance drill
    down, with every failed target and its full output. With --org, per target of the
    organization's StackSets: each failed option and its latest failed execution. Exit code 1
    when anything failed (with --org, also when a target could not be read), 0 otherwise."""
    if association is not None or instance is not None:
        _drill_down(aws, stack_name, association, instance, lines, org)
        return
    if org:
        _report_organization(
            aws,
            stack_name,
            member_role,
            delegated_admin,
            max_concurrency,
            failures=True,
            printer="print_organization_troubles",
        )
        return
    from .discovery import find_configurations
    from .render import waiting
    from .troubleshoot import DEFAULT_LINES, any_failed
    from .troubleshoot import troubleshoot as run

    with waiting("Reading failed executions…", quiet=output_format() == "json"):
        configurations = find_configurations(aws, stack_name)
        result = [
            run(
                aws,
                configuration,
                max_targets=max_targets,
                lines=DEFAULT_LINES if lines is None else lines,
            )
            for configuration in configurations
        ]
    _output(result, "print_troubles")
    if any_failed(result):
        sys.exit(FINDINGS_EXIT_CODE)


def _drill_down(
    aws: Any,
    stack_name: str | None,
    association: str | None,
    instance: str | None,
    lines: int | None,
    org: bool,
) -> None:
    """``troubleshoot --association ID`` or ``--instance ID``."""
    from .render import waiting
    from .troubleshoot import troubleshoot_association, troubleshoot_instance

    if association is not None and instance is not None:
        raise CliError("--association and --instance drill down one way each: give one")
    if org:
        given = "--association" if association is not None else "--instance"
        raise CliError(f"--org reads the organization's StackSets: leave it out with {given}")
    quiet = output_format() == "json"
    if association is not None:
        if stack_name is not None:
            raise CliError("--association names one association: leave out --stack")
        with waiting("Reading the association's failed execution…", quiet=quiet):
            result: Any = troubleshoot_association(aws, association, lines=lines or 0)
        _output(result, "print_association_troubles")
    else:
        assert instance is not None
        configurations = None
        with waiting("Reading the instance's associations…", quiet=quiet):
            if stack_name is not None:
                from .discovery import find_configurations

                configurations = find_configurations(aws, stack_name)
            result = troubleshoot_instance(
                aws, instance, lines=lines or 0, configurations=configurations
            )
        _output(result, "print_instance_troubles")
    if result.findings:
        sys.exit(FINDINGS_EXIT_CODE)


@main.command()
@_aws_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    metavar="N",
    help="Non-compliant instances to list per configuration (with --org: across the "
    "organization), worst first, with their missing patches (0: all).",
)
@click.option("--top", type=click.IntRange(min=0), hidden=True, help="Former name of --limit.")
@click.option(
    "--org",
    is_flag=True,
    help="The organization's patch compliance per account and Region, from Amazon Athena "
    "(InventorySync athena=True) or Explorer's organization sync.",
)
@click.option(
    "--sync-name",
    metavar="NAME",
    help="With --org: read Explorer's organization sync NAME (GetOpsSummary; counts only). "
    "Default, when no Athena workgroup is found: the QuickSetup-ExplorerSync-* sync.",
)
@_target_options
@_athena_options
def compliance(
    aws: Any,
    stack_name: str | None,
    limit: int,
    top: int | None,
    org: bool,
    accounts: tuple[str, ...],
    target_regions: tuple[str, ...],
    athena_workgroup: str | None,
    athena_database: str | None,
    sync_name: str | None,
    query_timeout: float,
    page_size: int | None,
) -> None:
    """Patch compliance per configuration: compliant and non-compliant instances among those
    its daily patch scan targets, and every non-compliant instance, worst first, with its
    missing patches (--limit of them). With --org: per account and Region of the
    organization, and the worst instances, from Athena (or counts from Explorer)."""
    from .render import waiting

    limit = limit if top is None else top
    if org:
        from .compliance_org import organization_compliance, print_organization_compliance
        from .inventory import scanned

        _account_ids(accounts)
        with waiting(
            "Reading the organization's patch compliance…", quiet=output_format() == "json"
        ):
            organization = organization_compliance(
                aws,
                stack_name,
                workgroup=athena_workgroup,
                database=athena_database,
                sync_name=sync_name,
                accounts=accounts,
                regions=target_regions,
                limit=limit,
                wait_timeout=query_timeout,
                page_size=page_size,
            )
        _output(organization, print_organization_compliance)
        if output_format() != "json" and organization.bytes_scanned is not None:
            click.echo(f"Athena scanned {scanned(organization.bytes_scanned)}.", err=True)
        if organization.non_compliant:
            sys.exit(FINDINGS_EXIT_CODE)
        return
    _only_with_org(
        org,
        account=accounts,
        target_region=target_regions,
        athena_workgroup=athena_workgroup,
        athena_database=athena_database,
        sync_name=sync_name,
    )
    from .compliance import compliance as run
    from .discovery import find_configurations

    with waiting("Reading patch compliance…", quiet=output_format() == "json"):
        configurations = find_configurations(aws, stack_name)
        result = run(aws, configurations, limit=limit)
    _output(result, "print_compliance")
    if any(configuration.non_compliant for configuration in result):
        sys.exit(FINDINGS_EXIT_CODE)


@main.command()
@_aws_options
@click.option("--org", is_flag=True, help="The organization's inventory, with Amazon Athena.")
@click.option("--application", metavar="NAME", help="The package (its exact name).")
@click.option(
    "--version-below",
    metavar="VERSION",
    help="Only copies older than [EPOCH:]VERSION[-RELEASE], compared as --version-scheme does.",
)
@click.option(
    "--version-scheme",
    type=click.Choice(("rpm", "dpkg")),
    default="rpm",
    show_default=True,
    help="Compare versions as rpm (rpmvercmp) or dpkg (Debian Policy) does.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Start the Glue crawler first, so that the partitions of new accounts and Regions "
    "appear before its next 12-hourly run; with --application, wait for its crawl.",
)
@click.option(
    "--crawler",
    metavar="NAME",
    help="The Glue crawler --refresh starts. Default: the stack's output beside the workgroup.",
)
@_target_options
@_athena_options
def inventory(
    aws: Any,
    stack_name: str | None,
    org: bool,
    application: str | None,
    version_below: str | None,
    version_scheme: str,
    accounts: tuple[str, ...],
    target_regions: tuple[str, ...],
    athena_workgroup: str | None,
    athena_database: str | None,
    refresh: bool,
    crawler: str | None,
    query_timeout: float,
    page_size: int | None,
) -> None:
    """Which instances, in which accounts and Regions, have the package --application (below
    --version-below): one Athena query of the organization's inventory, synced to S3. Prints
    the bytes the query scanned (Athena bills by them). --refresh starts the Glue crawler that
    adds new accounts' and Regions' partitions: alone, it only starts it."""
    from .crawler import refresh as refresh_crawler
    from .inventory import (
        find_athena,
        find_crawler,
        organization_inventory,
        print_inventory,
        scanned,
    )
    from .render import waiting

    if not org:
        raise CliError("inventory reads the organization's inventory with Athena: pass --org")
    if crawler is not None and not refresh:
        raise CliError("--crawler goes with --refresh")
    if not application:
        if not refresh:
            raise CliError("inventory --org needs --application NAME (the package), or --refresh")
        if version_below is not None or accounts or target_regions:
            raise CliError("--version-below, --account and --target-region go with --application")
    _account_ids(accounts)
    json_output = output_format() == "json"
    if not application:
        with waiting("Starting the Glue crawler…", quiet=json_output):
            name = crawler or find_crawler(aws, stack_name, athena_workgroup)
            started = refresh_crawler(aws, name, wait=False, timeout=query_timeout)
        if json_output:
            _output(started, print_inventory)
        else:
            click.echo(started.line())
        return
    refreshed = None
    with waiting("Finding the inventory…", quiet=json_output):
        workgroup, database = find_athena(aws, stack_name, athena_workgroup, athena_database)
        name = (crawler or find_crawler(aws, stack_name, workgroup)) if refresh else ""
    if refresh:
        with waiting("Waiting for the Glue crawler's crawl…", quiet=json_output):
            refreshed = refresh_crawler(aws, name, wait=True, timeout=query_timeout)
    with waiting("Querying the inventory…", quiet=json_output):
        result = organization_inventory(
            aws,
            application,
            workgroup=workgroup,
            database=database,
            version_below=version_below,
            version_scheme=version_scheme,
            accounts=accounts,
            regions=target_regions,
            query_timeout=query_timeout,
            page_size=page_size,
        )
    result.refresh = refreshed
    _output(result, print_inventory)
    if not json_output:
        if refreshed is not None:
            click.echo(refreshed.line(), err=True)
        click.echo(f"Athena scanned {scanned(result.bytes_scanned)}.", err=True)


@main.command(name="import")
@_aws_session
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the app here (e.g. app.py); an existing file only with --force. "
    "Default: standard output, with the cut-over plan on standard error.",
)
@click.option("--force", is_flag=True, help="Replace an existing --output-file (keeping its mode).")
@click.option(
    "--manager",
    metavar="NAME|ARN",
    help="Import this configuration manager only. Default: every configuration "
    "manager, and the older console's configurations.",
)
def import_command(aws: Any, output_file: Path | None, force: bool, manager: str | None) -> None:
    """Write a CDK Python app that reproduces the account's Quick Setup configurations made
    in the console: configuration managers (Host Management and Default Host Management) and
    the older console's AWS-QuickSetup-SSMHostMgmt-* associations, one QuickSetupLocal or
    QuickSetupOrganization per configuration. Prints the cut-over plan: what to stop before
    the deploy, the deploy, then the deletion of the console's configurations. What cannot be
    expressed is a comment in the app and a warning; a target the app cannot express stops
    the command. Nothing is written unless everything was read."""
    from .importer.build import import_console
    from .printable import message_line
    from .render import waiting

    if output_file is not None and not force:
        _refuse_existing(output_file)
    quiet = output_format() == "json"
    with waiting("Reading Quick Setup's configurations…", quiet=quiet):
        result = import_console(
            aws,
            manager=manager,
            app_file=str(output_file or "app.py"),
            now=datetime.now(UTC),
        )
    for warning in result.warnings:
        click.echo(f"warning: {message_line(warning)}", err=True)
    if output_file is not None:
        write_file(output_file, result.code, replace=force)
        result.output_file = str(output_file)
    elif not quiet:
        click.echo(result.code, nl=False)
    _output(result, "print_cutover", stderr=output_file is None)


def _refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise CliError(f"{path} exists: pass --force to replace it")


def write_file(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file beside it, then a
    rename. Without ``replace``, an existing ``path`` is refused (:class:`CliError`), even one
    made meanwhile; with it, the replaced file keeps its mode. Through a symbolic link, the
    link's target is written and the link kept. A new file gets the mode the umask gives."""
    import os
    import stat
    import tempfile

    target = path.resolve() if path.is_symlink() else path
    temporary = None
    try:
        if not replace:
            _refuse_existing(path)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode) if replace else None
        except FileNotFoundError:
            mode = None
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        if replace:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if the file appeared meanwhile
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                _refuse_existing(path)
                os.replace(temporary, target)
            else:
                os.unlink(temporary)
        temporary = None
    except FileExistsError:
        raise CliError(f"{path} exists: pass --force to replace it") from None
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@main.command()
@_aws_options
@click.argument(
    "cloud_assembly_dir", default="cdk.out", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--home-region",
    metavar="REGION",
    help="The Region whose console Quick Setup configuration managers are read (the "
    "Region the console was used in). Default: --region.",
)
@click.option(
    "--migrating-from",
    "migrating_from",
    multiple=True,
    metavar="ARN|PREFIX",
    help="A console configuration manager's ARN, or an association name prefix of "
    "the older console (AWS-QuickSetup-SSMHostMgmt-), being moved to this app: "
    "what is found about its inventory associations and Default Host "
    "Management, which `quicksetup import`'s cut-over removes before the "
    "deploy, is a note. Repeatable.",
)
@click.option(
    "--member-role",
    metavar="ROLE",
    help="A role to assume in every member account of an organization configuration's OUs, "
    "to check there the roles and instance profiles it names (e.g. "
    "OrganizationAccountAccessRole). Run from the management account or a delegated "
    "administrator. Default: this account only.",
)
def preflight(
    aws: Any,
    stack_name: str | None,
    cloud_assembly_dir: Path,
    home_region: str | None,
    migrating_from: tuple[str, ...],
    member_role: str | None,
) -> None:
    """Before `cdk deploy`: what the account and Region already have that the configurations
    of a synthesized cloud assembly would collide with. Per configuration: inventory
    associations that can reach the same instances (or a second one over all instances),
    patch scans whose compliance would be overwritten, Default Host Management Configuration
    set to another role, resource data syncs against the limit of 5, console Quick Setup
    configuration managers covering the account and Region, for a stack `quicksetup
    import` wrote, a stack of its name it did not make, and the roles and instance profiles
    the app names (not creates) that are missing or lack the AWS managed policies their options
    need. Exit code 1 when a finding is an error, 0 otherwise.

    CLOUD_ASSEMBLY_DIR defaults to cdk.out (run `cdk synth` first); --stack picks one of its
    stacks."""
    from .aws import check_region
    from .preflight import preflight as run
    from .render import waiting

    if home_region is not None:
        check_region(home_region)
    if any(not source.strip() for source in migrating_from):
        raise CliError("--migrating-from takes a manager ARN or an association name prefix")
    with waiting("Reading what the account has…", quiet=output_format() == "json"):
        result = run(
            aws,
            cloud_assembly_dir,
            stack_name=stack_name,
            home_region=home_region,
            migrating_from=migrating_from,
            member_role=member_role,
        )
    _output(result, "print_preflight")
    if result.errors:
        sys.exit(FINDINGS_EXIT_CODE)


def _output(result: Any, printer: str | Callable[..., None], *, stderr: bool = False) -> None:
    """``result`` under the JSON contract on standard output, or printed for people with
    ``render.<printer>`` (or ``printer`` itself, a function; on standard error with
    ``stderr``)."""
    ctx = click.get_current_context()
    output = output_format(ctx)
    if output == "json":
        _print_envelope(ctx, ctx.info_name or "", result)
        return
    from . import render

    console = render.console(
        color=not global_options().get("no_color") and output != "text",
        plain=output == "text",
        stderr=stderr,
    )
    (getattr(render, printer) if isinstance(printer, str) else printer)(console, result)


if __name__ == "__main__":  # pragma: no cover
    main()
