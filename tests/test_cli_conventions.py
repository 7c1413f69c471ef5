"""``quicksetup`` follows the AWS CLI's conventions: global options before or after the verb,
the environment variables AWS CLI v2 reads, Region names checked, bounded timeouts and
retries, every failure on one line (a traceback only with ``--debug``), and documented exit
codes. AWS is played by a local HTTP endpoint (tests/fake_aws.py) that speaks the JSON
protocol and misbehaves on purpose."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli import aws as aws_module
from quicksetup_constructs.cli.errors import CliError
from quicksetup_constructs.cli.main import main

from . import cli_json
from .fake_aws import fake_aws, isolate_aws_environment
from .test_cli_status import ACCOUNT as STUBBED_ACCOUNT
from .test_cli_status import stubbed_aws

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
NO_CONFIGURATION = "no Quick Setup configuration in"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env={**CREDENTIALS, **(env or {})}).invoke(main, list(args))


def _one_line_error(result) -> str:
    """The error of a failed command: exit 2, one line on standard error, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert lines[0].startswith("error: ")
    return lines[0]


# Global options before or after the verb, and the environment


@pytest.mark.parametrize(
    "args",
    [
        ["--region", "eu-west-3", "status", "--endpoint-url", "{url}"],
        ["status", "--region", "eu-west-3", "--endpoint-url", "{url}"],
        ["--endpoint-url", "{url}", "--region", "eu-west-3", "status"],
    ],
    ids=["region-before", "both-after", "both-before"],
)
def test_global_options_go_before_or_after_the_verb(args):
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = run(*(arg.format(url=fake.url) for arg in args))
    assert NO_CONFIGURATION + " eu-west-3" in _one_line_error(result)
    assert fake.requests == ["AmazonSSM.ListAssociations", "GetCallerIdentity"]
    assert fake.signing_regions == ["eu-west-3", "eu-west-3"]


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, [], "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "eu-west-2"}, [], "eu-west-2"),
        ({"AWS_REGION": "eu-west-1"}, ["--region", "ap-northeast-1"], "ap-northeast-1"),
    ],
    ids=["AWS_REGION-first", "AWS_DEFAULT_REGION", "--region-wins"],
)
def test_the_region_is_read_as_the_aws_cli_v2_reads_it(env, flag, expected):
    # AWS CLI v2 user guide, "Environment variables": AWS_REGION "overrides" AWS_DEFAULT_REGION,
    # and the --region option overrides both.
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = run("status", *flag, env={**env, "AWS_ENDPOINT_URL": fake.url})
    assert f"{NO_CONFIGURATION} {expected}" in _one_line_error(result)
    assert fake.signing_regions[0] == expected  # AWS_ENDPOINT_URL was honoured too


def test_aws_profile_selects_the_profile_and_its_region(isolated):
    (isolated / "config").write_text("[profile ops]\nregion = ca-central-1\n")
    (isolated / "credentials").write_text(
        "[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = secret\n"
    )
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = CliRunner(env={"AWS_PROFILE": "ops", "AWS_ENDPOINT_URL": fake.url}).invoke(
            main, ["status"]
        )
    assert f"{NO_CONFIGURATION} ca-central-1" in _one_line_error(result)
    assert fake.signing_regions[0] == "ca-central-1"


@pytest.mark.parametrize("region", ["us_east_1", "US-EAST-1", "useast1", "us-east-"])
def test_a_malformed_region_is_one_line(region):
    message = _one_line_error(run("status", "--region", region))
    assert message == (
        f"error: --region '{region}' is not an AWS Region name (like us-east-1 or ap-northeast-1)"
    )


def test_a_malformed_region_from_the_environment_is_one_line():
    message = _one_line_error(run("status", env={"AWS_REGION": "us_east_1"}))
    assert "'us_east_1' is not an AWS Region name" in message


# Endpoints that misbehave

# AWS CLI User Guide, "AWS CLI retries" (docs.aws.amazon.com/cli/latest/userguide/
# cli-configure-retries.html), standard mode: "a default value of 2 for maximum retry attempts,
# making a total of 3 call attempts". A literal, never aws.py's own constant.
DOCUMENTED_STANDARD_MODE_ATTEMPTS = 3
# The same page: "Any retry attempt will include an exponential backoff by a base factor of 2
# for a maximum backoff time of 20 seconds"; botocore waits random() * 2 ** (attempt - 1)
# seconds, so the two retries of three tries wait at most 1 s and 2 s.
MOST_BACKOFF_OF_THREE_TRIES = 1 + 2
# AWS CLI Command Reference, global options: --cli-read-timeout "The maximum socket read time in
# seconds. [...] The default value is 60 seconds."; --cli-connect-timeout "The maximum socket
# connect time in seconds. [...] The default value is 60 seconds."
AWS_CLI_DEFAULT_TIMEOUT_SECONDS = 60
# docs/cli.md, "Global options": --cli-read-timeout defaults to 8, --cli-connect-timeout to 5,
# so that an endpoint that never answers gives up "within 30 s by default" (3 x 8 s + 1 s + 2 s).
DOCUMENTED_READ_TIMEOUT_SECONDS = 8
DOCUMENTED_CONNECT_TIMEOUT_SECONDS = 5
GUARD_SECONDS = 10
"""Decisions: a hung endpoint with a 1 s timeout "must end within a guard of >= 10x that value".
A guard, not a performance measurement: three 1 s tries and at most 3 s of back-off end in
~6 s; a timeout that is ignored (8 s, or the AWS CLI's 60 s, per try) takes 24 s or more."""


def test_an_endpoint_that_never_answers_gives_up_with_the_endpoint_named():
    with fake_aws("hang") as fake:
        result = run(
            "status",
            "--region",
            "us-east-1",
            "--endpoint-url",
            fake.url,
            "--cli-read-timeout",
            "1",
            "--cli-connect-timeout",
            "1",
        )
    message = _one_line_error(result)
    assert message == (
        f"error: endpoint not answering: {fake.url}/ in us-east-1 (gave up after "
        f"{DOCUMENTED_STANDARD_MODE_ATTEMPTS} tries; --cli-read-timeout waits longer)"
    )


def test_the_read_timeout_ends_each_of_the_three_tries():
    # The endpoint accepts each connection and never answers: only the read timeout ends a
    # try (the connect timeout is left at its default).
    with fake_aws("hang") as fake:
        started = time.monotonic()
        result = run(
            "status", "--region", "us-east-1", "--endpoint-url", fake.url, "--cli-read-timeout", "1"
        )
        elapsed = time.monotonic() - started
    assert "--cli-read-timeout waits longer" in _one_line_error(result)
    assert fake.requests == ["AmazonSSM.ListAssociations"] * DOCUMENTED_STANDARD_MODE_ATTEMPTS
    # each try waited its whole second; all of them, with the back-off, end within the guard
    assert DOCUMENTED_STANDARD_MODE_ATTEMPTS * 1 <= elapsed < GUARD_SECONDS, elapsed


@contextmanager
def unanswered_connections() -> Iterator[str]:
    """A URL on 127.0.0.1 whose connections never open: a socket that listens with a backlog
    of 0 and never accepts, its queue filled by one connection, so that Linux drops the SYN of
    every further one (the client waits, as for a host that does not answer)."""
    listener = socket.socket()
    filler = socket.socket()
    probe = socket.socket()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        filler.connect(address)
        probe.settimeout(0.3)
        with pytest.raises(TimeoutError):  # a new connection hangs: the setup holds
            probe.connect(address)
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for sock in (probe, filler, listener):
            sock.close()


def test_the_connect_timeout_ends_each_of_the_three_tries():
    # Only the connect timeout can end a try: the read timeout is far longer.
    with unanswered_connections() as url:
        started = time.monotonic()
        result = run(
            "status",
            "--region",
            "us-east-1",
            "--endpoint-url",
            url,
            "--cli-connect-timeout",
            "1",
            "--cli-read-timeout",
            "30",
        )
        elapsed = time.monotonic() - started
    assert _one_line_error(result) == (
        f"error: endpoint not answering: {url}/ in us-east-1 (gave up after "
        f"{DOCUMENTED_STANDARD_MODE_ATTEMPTS} tries; --cli-connect-timeout waits longer)"
    )
    assert DOCUMENTED_STANDARD_MODE_ATTEMPTS * 1 <= elapsed < GUARD_SECONDS, elapsed


@pytest.mark.parametrize(
    ("verb", "operation"),
    [
        ("status", "AmazonSSM.ListAssociations"),
        ("import", "GetCallerIdentity"),
    ],
)
def test_a_json_error_makes_no_further_aws_call(verb, operation):
    # "Errors are as quick in JSON as in a table: the error path makes no further AWS call
    # (reuse a known account, or leave it null)". A hung endpoint with a 1 s read timeout:
    # the command's own call is tried three times, and the envelope asks STS nothing more.
    with fake_aws("hang") as fake:
        started = time.monotonic()
        result = run(
            verb,
            "--output",
            "json",
            "--region",
            "us-east-1",
            "--endpoint-url",
            fake.url,
            "--cli-read-timeout",
            "1",
            "--cli-connect-timeout",
            "1",
        )
        elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    document = cli_json.envelope(result.stdout)
    assert document["error"]["message"].startswith(f"endpoint not answering: {fake.url}/")
    assert (document["account"], document["region"]) == (None, "us-east-1")
    assert fake.requests == [operation] * DOCUMENTED_STANDARD_MODE_ATTEMPTS
    assert elapsed < GUARD_SECONDS


def test_the_default_timeouts_are_the_documented_ones_below_the_aws_clis():
    config = aws_module.AwsOptions().client_config()
    assert (config.read_timeout, config.connect_timeout) == (
        DOCUMENTED_READ_TIMEOUT_SECONDS,
        DOCUMENTED_CONNECT_TIMEOUT_SECONDS,
    )
    assert config.retries == {
        "mode": "standard",
        "total_max_attempts": DOCUMENTED_STANDARD_MODE_ATTEMPTS,
    }
    # shorter than the AWS CLI's own, so that a hung endpoint gives up within 30 s
    assert max(config.read_timeout, config.connect_timeout) < AWS_CLI_DEFAULT_TIMEOUT_SECONDS
    worst = (
        DOCUMENTED_STANDARD_MODE_ATTEMPTS * max(config.read_timeout, config.connect_timeout)
        + MOST_BACKOFF_OF_THREE_TRIES
    )
    assert worst <= 30


def test_an_html_error_page_is_summarized_on_one_line():
    with fake_aws("html-500") as fake:
        result = run("status", "--region", "us-east-1", "--endpoint-url", fake.url)
    message = _one_line_error(result)
    assert message.startswith(
        "error: ListAssociations in us-east-1 failed: the service answered HTTP 500"
    )
    assert "<" not in message
    assert len(fake.requests) == DOCUMENTED_STANDARD_MODE_ATTEMPTS  # a 5xx is retried


def test_throttling_is_retried_then_one_line():
    with fake_aws("throttle") as fake:
        result = run("status", "--region", "us-east-1", "--endpoint-url", fake.url)
    message = _one_line_error(result)
    assert message == (
        "error: ListAssociations in us-east-1 was throttled after "
        f"{DOCUMENTED_STANDARD_MODE_ATTEMPTS} tries: "
        "Rate exceeded; try again later"
    )
    assert len(fake.requests) == DOCUMENTED_STANDARD_MODE_ATTEMPTS


# Unexpected errors and exit codes


def test_an_unexpected_error_is_one_line_and_its_traceback_needs_debug(monkeypatch):
    from quicksetup_constructs.cli import discovery

    def broken(*args, **kwargs):
        raise KeyError("Associations")

    monkeypatch.setattr(discovery, "find_configurations", broken)
    message = _one_line_error(run("status", "--region", "us-east-1"))
    assert message == (
        "error: unexpected KeyError: 'Associations' (run again with --debug for the traceback)"
    )
    with pytest.raises(KeyError):
        CliRunner(env=CREDENTIALS).invoke(
            main, ["--debug", "status", "--region", "us-east-1"], catch_exceptions=False
        )


def _raising(monkeypatch, error: Exception) -> None:
    """``status`` fails with ``error`` where it looks for configurations."""
    from quicksetup_constructs.cli import discovery

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(discovery, "find_configurations", broken)


def test_an_unexpected_error_with_a_multi_line_message_is_one_line(monkeypatch):
    _raising(monkeypatch, RuntimeError("first line\nsecond line\r\n\tthird line\n"))
    message = _one_line_error(run("status", "--region", "us-east-1"))
    assert message == (
        "error: unexpected RuntimeError: first line second line third line (run again with "
        "--debug for the traceback)"
    )


def test_a_cli_error_with_a_multi_line_message_is_one_line(monkeypatch):
    # A value that AWS returned may hold a line break: it must not start a line of its own.
    _raising(monkeypatch, CliError("no manager named a\nerror: forged line"))
    message = _one_line_error(run("status", "--region", "us-east-1"))
    assert message == "error: no manager named a\\x0aerror: forged line"


@pytest.mark.parametrize(
    ("service_message", "shown"),
    [
        ("not authorized\nerror: forged line", "not authorized error: forged line"),
        ("not authorized\x1b[2J\x07\x00", "not authorized\\x1b[2J\\x07\\x00"),
    ],
    ids=["line-breaks", "control-characters"],
)
def test_an_aws_error_message_with_line_breaks_or_control_characters_is_one_printable_line(
    service_message, shown
):
    aws, stubber = stubbed_aws()
    stubber.add_client_error(
        "list_associations", "AccessDeniedException", service_message, 400, expected_params={}
    )
    with stubber:
        result = CliRunner().invoke(main, ["status"], obj=aws)
    message = _one_line_error(result)
    assert message == (
        f"error: AWS denied ListAssociations in us-east-1 (account {STUBBED_ACCOUNT}): {shown}"
    )
    assert result.stderr.removesuffix("\n").isprintable(), repr(result.stderr)


def test_usage_errors_exit_2():
    result = run("status", "--output", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--output'" in result.stderr


@pytest.mark.parametrize(
    "flags", [["--output", "json", "status"], ["status", "--json"]], ids=["--output-json", "--json"]
)
def test_json_output_is_chosen_by_output_or_json(flags):
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = run(*flags, "--region", "us-east-1", "--endpoint-url", fake.url)
    assert result.exit_code == 2
    assert result.stderr == ""
    document = cli_json.envelope(result.stdout)
    assert (document["command"], document["region"], document["data"]) == (
        "status",
        "us-east-1",
        None,
    )
    assert document["error"]["exit_code"] == 2
    assert document["error"]["message"].startswith(f"{NO_CONFIGURATION} us-east-1")


def test_without_output_json_an_error_is_a_line_not_json():
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = run("status", "--region", "us-east-1", "--endpoint-url", fake.url)
    assert f"{NO_CONFIGURATION} us-east-1" in _one_line_error(result)
    assert result.stdout == ""
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stderr)


def test_the_exit_codes_are_documented_in_the_help():
    result = run("--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert (
        "0 all well; 1 findings (a failed association, a non-compliant instance, a plan over "
        "a limit, a preflight error); 2 usage or AWS errors"
    ) in text
    for option in (
        "--region",
        "--profile",
        "--endpoint-url",
        "--output",
        "--debug",
        "--no-color",
        "--cli-read-timeout",
        "--cli-connect-timeout",
    ):
        assert option in text
        assert option in " ".join(run("status", "--help").stdout.split())


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--cli-read-timeout", "7", "--cli-connect-timeout", "4"], (7, 4)),
        ([], (DOCUMENTED_READ_TIMEOUT_SECONDS, DOCUMENTED_CONNECT_TIMEOUT_SECONDS)),
    ],
    ids=["given", "defaults"],
)
def test_the_timeout_options_reach_the_botocore_client(monkeypatch, flags, expected):
    seen = []
    original = aws_module.Aws.client

    def recording(self, service, region=None):
        client = original(self, service, region)
        seen.append((client.meta.config.read_timeout, client.meta.config.connect_timeout))
        return client

    monkeypatch.setattr(aws_module.Aws, "client", recording)
    with fake_aws("throttle") as fake:
        run("status", "--region", "us-east-1", "--endpoint-url", fake.url, *flags)
    assert seen and set(seen) == {expected}
