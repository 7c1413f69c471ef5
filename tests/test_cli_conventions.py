"""``quicksetup`` follows the AWS CLI's conventions: global options before or after the verb,
the environment variables AWS CLI v2 reads, Region names checked, bounded timeouts and
retries, every failure on one line (a traceback only with ``--debug``), and documented exit
codes. AWS is played by a local HTTP endpoint (tests/fake_aws.py) that speaks the JSON
protocol and misbehaves on purpose."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli import aws as aws_module
from quicksetup_constructs.cli.main import main

from . import cli_json
from .fake_aws import fake_aws, isolate_aws_environment

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


@pytest.mark.parametrize("args", [
    ["--region", "eu-west-3", "status", "--endpoint-url", "{url}"],
    ["status", "--region", "eu-west-3", "--endpoint-url", "{url}"],
    ["--endpoint-url", "{url}", "--region", "eu-west-3", "status"],
], ids=["region-before", "both-after", "both-before"])
def test_global_options_go_before_or_after_the_verb(args):
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        result = run(*(arg.format(url=fake.url) for arg in args))
    assert NO_CONFIGURATION + " eu-west-3" in _one_line_error(result)
    assert fake.requests == ["AmazonSSM.ListAssociations", "GetCallerIdentity"]
    assert fake.signing_regions == ["eu-west-3", "eu-west-3"]


@pytest.mark.parametrize(("env", "flag", "expected"), [
    ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, [], "eu-west-1"),
    ({"AWS_DEFAULT_REGION": "eu-west-2"}, [], "eu-west-2"),
    ({"AWS_REGION": "eu-west-1"}, ["--region", "ap-northeast-1"], "ap-northeast-1"),
], ids=["AWS_REGION-first", "AWS_DEFAULT_REGION", "--region-wins"])
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


def test_an_endpoint_that_never_answers_gives_up_with_the_endpoint_named():
    with fake_aws("hang") as fake:
        started = time.monotonic()
        result = run("status", "--region", "us-east-1", "--endpoint-url", fake.url,
                     "--cli-read-timeout", "1", "--cli-connect-timeout", "1")
        elapsed = time.monotonic() - started
    message = _one_line_error(result)
    assert message.startswith(f"error: endpoint not answering: {fake.url}/ in us-east-1")
    assert "--cli-read-timeout waits longer" in message
    assert len(fake.requests) == DOCUMENTED_STANDARD_MODE_ATTEMPTS
    # A guard of 10x the read timeout, not a performance measurement: three 1 s reads and at
    # most 1 s + 2 s of back-off end in ~6 s; an ignored read timeout takes far longer.
    assert elapsed < 10


@pytest.mark.parametrize(("verb", "operation"), [
    ("status", "AmazonSSM.ListAssociations"), ("import", "GetCallerIdentity"),
])
def test_a_json_error_makes_no_further_aws_call(verb, operation):
    # "Errors are as quick in JSON as in a table: the error path makes no further AWS call
    # (reuse a known account, or leave it null)". A hung endpoint with a 1 s read timeout:
    # the command's own call is tried ATTEMPTS times, and the envelope asks STS nothing more.
    with fake_aws("hang") as fake:
        started = time.monotonic()
        result = run(verb, "--output", "json", "--region", "us-east-1", "--endpoint-url",
                     fake.url, "--cli-read-timeout", "1", "--cli-connect-timeout", "1")
        elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    document = cli_json.envelope(result.stdout)
    assert document["error"]["message"].startswith(f"endpoint not answering: {fake.url}/")
    assert (document["account"], document["region"]) == (None, "us-east-1")
    assert fake.requests == [operation] * DOCUMENTED_STANDARD_MODE_ATTEMPTS
    assert elapsed < 30  # a guard of 30x the read timeout, not a measurement


def test_the_default_timeouts_give_up_within_30_seconds():
    # botocore's standard retry mode (AWS SDKs and Tools reference guide, "Retry behavior"):
    # each retry waits at most min(2 ** attempt * random, 20) seconds after the first try,
    # i.e. at most 1 s and then 2 s for the two retries of three tries.
    backoff = sum(min(2 ** attempt, 20) for attempt in range(aws_module.ATTEMPTS - 1))
    worst_read = aws_module.ATTEMPTS * aws_module.READ_TIMEOUT_SECONDS + backoff
    worst_connect = aws_module.ATTEMPTS * aws_module.CONNECT_TIMEOUT_SECONDS + backoff
    assert max(worst_read, worst_connect) <= 30
    config = aws_module.AwsOptions().client_config()
    assert (config.read_timeout, config.connect_timeout) == (
        aws_module.READ_TIMEOUT_SECONDS, aws_module.CONNECT_TIMEOUT_SECONDS,
    )
    assert config.retries == {
        "mode": "standard", "total_max_attempts": DOCUMENTED_STANDARD_MODE_ATTEMPTS,
    }


def test_an_html_error_page_is_summarized_on_one_line():
    with fake_aws("html-500") as fake:
        result = run("status", "--region", "us-east-1", "--endpoint-url", fake.url)
    message = _one_line_error(result)
    assert message.startswith("error: ListAssociations in us-east-1 failed: the service answered HTTP 500")
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


def test_usage_errors_exit_2():
    result = run("status", "--output", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--output'" in result.stderr


def test_json_output_is_chosen_by_output_or_json():
    with fake_aws(responses={"ListAssociations": {"Associations": []}}) as fake:
        results = [
            run(*args, "--region", "us-east-1", "--endpoint-url", fake.url)
            for args in (["--output", "json", "status"], ["status", "--json"])
        ]
    # the same error either way; the JSON contract for errors is the next step of the CLI
    assert [result.exit_code for result in results] == [2, 2]


def test_the_exit_codes_are_documented_in_the_help():
    result = run("--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert ("0 all well; 1 findings (a failed association, a non-compliant instance, a plan over "
            "a limit, a preflight error); 2 usage or AWS errors") in text
    for option in ("--region", "--profile", "--endpoint-url", "--output", "--debug",
                   "--no-color", "--cli-read-timeout", "--cli-connect-timeout"):
        assert option in text
        assert option in " ".join(run("status", "--help").stdout.split())


def test_the_timeout_options_reach_the_botocore_client(monkeypatch):
    seen = []
    original = aws_module.Aws.client

    def recording(self, service, region=None):
        client = original(self, service, region)
        seen.append((client.meta.config.read_timeout, client.meta.config.connect_timeout))
        return client

    monkeypatch.setattr(aws_module.Aws, "client", recording)
    with fake_aws("throttle") as fake:
        run("status", "--region", "us-east-1", "--endpoint-url", fake.url,
            "--cli-read-timeout", "7", "--cli-connect-timeout", "4")
    assert seen and set(seen) == {(7, 4)}
