"""``quicksetup inventory --org``: one Athena query of the organization's inventory, run for
real by a local Athena (tests/fake_athena.py: the SQL translated with sqlglot and run on
DuckDB over files laid out as the resource data sync writes them)."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli import athena as athena_module
from quicksetup_constructs.cli import crawler as crawler_module
from quicksetup_constructs.cli.inventory import _OUTPUT, APPLICATION_TABLE
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.cli.versions import Version, compare, dpkg_verrevcmp, rpmvercmp

from . import cli_json
from .fake_athena import FakeAthena, FakeCrawler, fake_athena, write_inventory
from .fake_aws import isolate_aws_environment

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
A, B = "111111111111", "222222222222"
WORKGROUP = "QuickSetup-Inventory-prod"
DATABASE = "quicksetup_inventory_prod"
CRAWLER = "QuickSetup-Inventory-prod"
OUTPUTS = {
    # The logical IDs rendering/athena.py gives its outputs (tests/test_inventory_athena.py).
    "QSInventoryAthenaWorkGroupName14BCDBE1": WORKGROUP,
    "QSInventoryAthenaDatabaseName3B4962D4": DATABASE,
    "QSInventoryAthenaCrawlerNameD583112C": CRAWLER,
}


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def fake(tmp_path):
    """2 accounts x 2 Regions: openssl as rpm (Amazon Linux) and as dpkg (Ubuntu) packages."""
    root = tmp_path / "bucket" / "inventory"
    write_inventory(
        root, A, "us-east-1", "i-0a1",
        {"Name": "openssl", "Version": "1.0.2k", "Release": "24.amzn2", "Epoch": "1"},
        {"Name": "bash", "Version": "4.2.46", "Release": "34.amzn2"},
    )  # fmt: skip
    write_inventory(
        root, A, "eu-west-1", "i-0a2",
        {"Name": "openssl", "Version": "3.0.8", "Release": "1.amzn2023.0.3", "Epoch": "1"},
    )  # fmt: skip
    write_inventory(
        root, B, "us-east-1", "i-0b1",
        {"Name": "openssl", "Version": "1:3.0.2-0ubuntu1.10", "Architecture": "amd64"},
    )  # fmt: skip
    write_inventory(
        root, B, "eu-west-1", "i-0b2",
        {"Name": "curl", "Version": "7.81.0-1ubuntu1.15"},
        {"Name": "it's", "Version": "1.0"},
    )  # fmt: skip
    athena = FakeAthena(
        root=root,
        workgroups={WORKGROUP},
        stacks={"Inventory": OUTPUTS},
        crawlers={CRAWLER: FakeCrawler()},
    )
    with fake_athena(athena) as served:
        yield served


def run(fake: FakeAthena, *args: str):
    return CliRunner(env={**CREDENTIALS, "AWS_ENDPOINT_URL": fake.url}).invoke(
        main, ["inventory", "--org", "--region", "us-east-1", *args]
    )


def _json(fake: FakeAthena, *args: str) -> dict:
    result = run(fake, "--output", "json", *args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return cli_json.data(result.stdout)


def _one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# The answer ---------------------------------------------------------------------------------


def test_the_instances_that_have_the_package_across_accounts_and_regions(fake):
    data = _json(fake, "--application", "openssl")
    assert {
        key: (instance["account"], instance["region"], list(instance["versions"]))
        for key, instance in data["instances"].items()
    } == {
        "i-0a1": (A, "us-east-1", ["1:1.0.2k-24.amzn2.x86_64"]),
        "i-0a2": (A, "eu-west-1", ["1:3.0.8-1.amzn2023.0.3.x86_64"]),
        "i-0b1": (B, "us-east-1", ["1:3.0.2-0ubuntu1.10.amd64"]),
    }
    assert data["accounts"] == [A, B]
    assert (data["workgroup"], data["database"]) == (WORKGROUP, DATABASE)
    assert data["instances"]["i-0a1"]["capture_time"] == "2026-01-05T09:00:00Z"


def test_the_bytes_scanned_are_a_json_field(fake):
    data = _json(fake, "--application", "openssl")
    files = sorted((fake.root / "AWS:Application").glob("**/*.json"))
    assert data["bytes_scanned"] == sum(path.stat().st_size for path in files) > 0


def test_the_bytes_scanned_go_to_standard_error_in_text_mode(fake):
    result = run(fake, "--output", "text", "--application", "openssl")
    assert result.exit_code == 0, result.output
    assert "i-0a1" in result.stdout
    assert "Athena scanned" in result.stderr
    assert "Athena scanned" not in result.stdout


def test_account_narrows_the_query_to_one_account(fake):
    data = _json(fake, "--application", "openssl", "--account", B)
    assert list(data["instances"]) == ["i-0b1"]
    assert fake.started[-1]["ExecutionParameters"] == ["'openssl'", f"'{B}'"]


def test_target_region_and_accounts_narrow_the_query(fake):
    data = _json(fake, "--application", "openssl", "--target-region", "eu-west-1")
    assert list(data["instances"]) == ["i-0a2"]
    assert fake.started[-1]["ExecutionParameters"] == ["'openssl'", "'eu-west-1'"]
    data = _json(fake, "--application", "openssl", "--account", B, "--account", A)
    assert set(data["instances"]) == {"i-0a1", "i-0a2", "i-0b1"}
    # Sorted, each once: the same question is the same query.
    assert fake.started[-1]["ExecutionParameters"] == ["'openssl'", f"'{A}'", f"'{B}'"]


# --version-below ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "below", "expected"),
    [
        # rpm: "~" sorts before anything, even the end, so 3.0.8 is newer than 3.0.8~beta.
        ("rpm", "1:3.0.8~beta", {"i-0a1", "i-0b1"}),
        # rpm: the string with a run left (the letters "a") is newer.
        ("rpm", "1:3.0.8a", {"i-0a1", "i-0a2", "i-0b1"}),
        # dpkg: the revisions' digits compare as numbers: 0ubuntu1.10 is newer than 0ubuntu1.9.
        ("dpkg", "1:3.0.2-0ubuntu1.9", {"i-0a1"}),
        # dpkg: the end sorts before a non-letter ("+"): 0ubuntu1.10 < 0ubuntu1.10+deb1.
        ("dpkg", "1:3.0.2-0ubuntu1.10+deb1", {"i-0a1", "i-0b1"}),
    ],
)
def test_version_below_keeps_the_older_copies(fake, scheme, below, expected):
    data = _json(
        fake, "--application", "openssl", "--version-below", below, "--version-scheme", scheme
    )
    assert set(data["instances"]) == expected


# rpm's documentation, "RPM version comparison" (rpmvercmp): "~" sorts before anything ("1.0~rc1
# is older than 1.0"); "^" after the end but before anything else ("1.0^git1" newer than "1.0",
# older than "1.0.1"); digits newer than letters; numbers compared as numbers.
RPM_ORDER = [
    ("1.0~rc1", "1.0~rc2"),
    ("1.0~rc2", "1.0"),
    ("1.0", "1.0^git1"),
    ("1.0^git1", "1.0.1"),
    ("1.0", "1.0a"),
    ("1.0a", "1.0.1"),
    ("a", "1"),
    ("1.9", "1.010"),
    ("5.5p1", "5.5p10"),
    ("xyz10", "xyz10.1"),
    # rpm's own test suite (tests/rpmvercmp.at), and its caret commit: "1.1^201601 > 1.1",
    # "1.1^201601 < 1.1.1".
    ("10xyz", "10.1xyz"),
    ("xyz.4", "8"),
    ("6.0", "6.0.rc1"),
    ("10a2", "10b2"),
    ("4.999.9", "5.0"),
    ("1.0~rc1~git123", "1.0~rc1"),
    ("1.1", "1.1^201601"),
    ("1.1^201601", "1.1.1"),
    ("1.1^201601", "1.1^201602"),
]
RPM_SAME = [("10.0001", "10.1"), ("+_", "_+"), ("1.1.\u03b1", "1.1.\u03b2")]
"""rpm's test suite: leading zeros, separators and non-ASCII characters do not count."""
# Debian Policy 5.6.12: "~~ < ~~a < ~ < (empty) < a"; letters sort before non-letters; digit
# runs compare numerically.
DPKG_ORDER = [
    ("1.0~~", "1.0~~a"),
    ("1.0~~a", "1.0~"),
    ("1.0~", "1.0"),
    ("1.0", "1.0a"),
    ("1.0a", "1.0+"),
    ("1.2", "1.10"),
    ("0ubuntu1.9", "0ubuntu1.10"),
]


@pytest.mark.parametrize(("older", "newer"), RPM_ORDER)
def test_rpmvercmp_orders_known_versions(older, newer):
    assert (rpmvercmp(older, newer), rpmvercmp(newer, older), rpmvercmp(older, older)) == (
        -1,
        1,
        0,
    )


@pytest.mark.parametrize(("one", "two"), RPM_SAME)
def test_rpmvercmp_finds_equal_versions(one, two):
    assert (rpmvercmp(one, two), rpmvercmp(two, one)) == (0, 0)


@pytest.mark.parametrize(("older", "newer"), DPKG_ORDER)
def test_dpkg_orders_known_versions(older, newer):
    assert (
        dpkg_verrevcmp(older, newer),
        dpkg_verrevcmp(newer, older),
        dpkg_verrevcmp(older, older),
    ) == (-1, 1, 0)


@pytest.mark.parametrize("scheme", ["rpm", "dpkg"])
def test_the_epoch_outranks_the_version(scheme):
    assert compare(Version.parse("1:1.0"), Version.parse("9.9"), scheme) == 1


def test_a_threshold_without_a_release_compares_versions_only():
    assert compare(Version.parse("1.0-5"), Version.parse("1.0"), "rpm") == 0


# Parameters stay data -----------------------------------------------------------------------


def test_a_hostile_application_name_is_a_parameter_not_sql(fake):
    data = _json(fake, "--application", "it's")
    assert list(data["instances"]) == ["i-0b2"]
    start = fake.started[-1]
    assert "it's" not in start["QueryString"] and "it''s" not in start["QueryString"]
    assert start["ExecutionParameters"] == ["'it''s'"]


# Paging -------------------------------------------------------------------------------------


def test_every_page_of_results_is_read(fake):
    fake.page_size = 2  # the column names and one row a page, then two rows
    data = _json(fake, "--application", "openssl")
    assert set(data["instances"]) == {"i-0a1", "i-0a2", "i-0b1"}
    assert fake.requests.count("GetQueryResults") == 2


# Failures -----------------------------------------------------------------------------------


def test_a_failed_query_is_one_line_with_its_reason(fake):
    fake.state = "fail"
    line = _one_line_error(run(fake, "--application", "openssl"))
    assert "FAILED" in line
    assert fake.reason in line


def test_a_hung_query_is_stopped_after_the_query_timeout(fake, monkeypatch):
    fake.state = "hang"
    started = time.monotonic()
    line = _one_line_error(run(fake, "--application", "openssl", "--query-timeout", "1"))
    assert time.monotonic() - started < 5
    assert "still RUNNING after 1 s" in line
    assert line.endswith("(--query-timeout waits longer)")
    assert len(fake.stopped) == 1


def test_wait_timeout_is_not_an_inventory_option(fake):
    # Decision 1: the Athena wait is --query-timeout; --wait-timeout is status --wait's alone.
    result = run(fake, "--application", "openssl", "--wait-timeout", "1")
    assert result.exit_code == 2
    assert "No such option '--wait-timeout'" in result.output
    assert fake.requests == []


def test_the_poll_backs_off_to_a_bound(monkeypatch):
    """GetQueryExecution is polled at growing intervals, never more than 2 s apart."""
    waits: list[float] = []
    states = iter(["QUEUED"] + ["RUNNING"] * 6 + ["SUCCEEDED"])

    class Client:
        def get_query_execution(self, QueryExecutionId):
            return {"QueryExecution": {"Status": {"State": next(states)}}}

    now = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    athena_module._wait(Client(), "q", 300, sleep, lambda: now[0])
    assert waits == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_without_org_the_verb_says_what_it_needs(fake):
    result = CliRunner(env={**CREDENTIALS, "AWS_ENDPOINT_URL": fake.url}).invoke(
        main, ["inventory", "--region", "us-east-1", "--application", "openssl"]
    )
    assert "pass --org" in _one_line_error(result)
    assert fake.requests == []


def test_an_account_that_is_not_12_digits_is_refused_before_any_call(fake):
    line = _one_line_error(run(fake, "--application", "openssl", "--account", "1' OR '1"))
    assert "12 digits" in line
    assert fake.requests == []


def test_a_denied_start_is_one_line(fake):
    fake.denied = True
    line = _one_line_error(run(fake, "--application", "openssl"))
    assert line.startswith("error: AWS denied StartQueryExecution in us-east-1")


def test_no_workgroup_in_the_outputs_is_a_one_line_hint(fake):
    fake.stacks = {"Other": {"BucketName": "b"}}
    line = _one_line_error(run(fake, "--application", "openssl"))
    assert "no inventory Athena workgroup found" in line
    assert "athena=True" in line and "--athena-workgroup" in line


def test_the_workgroup_and_database_can_be_given(fake):
    fake.stacks = {}
    data = _json(
        fake,
        "--application", "openssl", "--athena-workgroup", WORKGROUP,
        "--athena-database", DATABASE,
    )  # fmt: skip
    assert len(data["instances"]) == 3
    assert fake.started[-1]["QueryExecutionContext"] == {"Database": DATABASE}
    assert fake.started[-1]["WorkGroup"] == WORKGROUP


# The library and the CLI agree --------------------------------------------------------------


def test_the_cli_reads_the_names_the_library_gives():
    from quicksetup_constructs.rendering.athena import TABLE_NAMES

    assert TABLE_NAMES["AWS:Application"] == APPLICATION_TABLE
    for key in OUTPUTS:
        assert _OUTPUT.match(key)


def test_inventory_help_starts_without_the_cdk(tmp_path):
    from .test_cli_startup import _run

    result = _run(tmp_path, "inventory", "--help")
    assert result.returncode == 0, result.stderr
    assert "CDK-MODULES: none" in result.stderr


# --refresh: the Glue crawler (decision 23) ---------------------------------------------------


@pytest.fixture
def quick_polls(monkeypatch):
    """GetCrawler polled every 10 ms, as the real back-off would, only sooner."""
    monkeypatch.setattr(crawler_module, "FIRST_POLL_SECONDS", 0.01)
    monkeypatch.setattr(crawler_module, "MAX_POLL_SECONDS", 0.02)


def test_refresh_alone_starts_the_crawler_of_the_outputs_and_says_so(fake):
    result = run(fake, "--refresh")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Glue crawler {CRAWLER} started.\n"
    assert fake.crawls_started == [CRAWLER]
    assert fake.started == []  # no query
    assert "GetCrawler" not in fake.requests  # nothing to wait for


def test_refresh_alone_in_json_is_a_small_result(fake):
    assert _json(fake, "--refresh") == {
        "crawler": CRAWLER,
        "crawl": "started",
        "crawl_status": None,
    }


def test_refresh_alone_when_a_crawl_is_under_way_is_not_an_error(fake):
    # Glue API reference, StartCrawler: "If the crawler is already running, returns a
    # CrawlerRunningException".
    fake.crawlers[CRAWLER] = FakeCrawler(state="RUNNING")
    result = run(fake, "--refresh")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Glue crawler {CRAWLER} is already running.\n"
    assert fake.crawls_started == []
    assert _json(fake, "--refresh")["crawl"] == "already_running"


def test_refresh_with_a_query_waits_for_the_crawl_then_queries(fake, quick_polls):
    data = _json(fake, "--application", "openssl", "--refresh")
    assert data["refresh"] == {"crawler": CRAWLER, "crawl": "started", "crawl_status": "SUCCEEDED"}
    assert set(data["instances"]) == {"i-0a1", "i-0a2", "i-0b1"}
    glue = [r for r in fake.requests if r in ("StartCrawler", "GetCrawler")]
    # GetCrawler before the start (the last crawl), twice RUNNING, then READY.
    assert glue == ["GetCrawler", "StartCrawler", "GetCrawler", "GetCrawler", "GetCrawler"]
    last_glue = max(i for i, r in enumerate(fake.requests) if r == "GetCrawler")
    assert fake.requests.index("StartQueryExecution") > last_glue


def test_refresh_with_a_query_in_text_mode_says_how_the_crawl_ended(fake, quick_polls):
    result = run(fake, "--output", "text", "--application", "openssl", "--refresh")
    assert result.exit_code == 0, result.output
    assert f"Glue crawler {CRAWLER}: crawl SUCCEEDED." in result.stderr
    assert "i-0a1" in result.stdout and "Glue crawler" not in result.stdout


def test_a_crawl_under_way_is_waited_for_before_the_query(fake, quick_polls):
    fake.crawlers[CRAWLER] = FakeCrawler(state="RUNNING", left=3)
    data = _json(fake, "--application", "openssl", "--refresh")
    assert data["refresh"]["crawl"] == "already_running"
    assert data["refresh"]["crawl_status"] == "SUCCEEDED"
    assert fake.crawls_started == []
    assert fake.crawlers[CRAWLER].crawls == 1  # the crawl under way was seen to its end
    assert fake.requests.count("StartQueryExecution") == 1


def test_a_crawler_still_ready_just_after_the_start_is_not_taken_for_done(fake, quick_polls):
    """The previous crawl FAILED; Glue answers READY (that crawl) twice after StartCrawler:
    only the new crawl's end counts."""
    fake.crawlers[CRAWLER] = FakeCrawler(
        lag=2, polls=1, last={"Status": "FAILED", "StartTime": 1767600000, "ErrorMessage": "old"}
    )
    data = _json(fake, "--application", "openssl", "--refresh")
    assert data["refresh"]["crawl_status"] == "SUCCEEDED"
    assert fake.crawlers[CRAWLER].crawls == 1


def test_a_failed_crawl_is_one_line_with_its_error_and_no_query(fake, quick_polls):
    fake.crawlers[CRAWLER] = FakeCrawler(status="FAILED", error="Access Denied\n(S3: 403)")
    line = _one_line_error(run(fake, "--application", "openssl", "--refresh"))
    assert line == f"error: Glue crawler {CRAWLER} crawl FAILED: Access Denied (S3: 403)"
    assert fake.started == []


def test_a_cancelled_crawl_is_an_error_too(fake, quick_polls):
    fake.crawlers[CRAWLER] = FakeCrawler(status="CANCELLED")
    line = _one_line_error(run(fake, "--application", "openssl", "--refresh"))
    assert "crawl CANCELLED" in line
    assert fake.started == []


def test_a_crawl_longer_than_the_query_timeout_ends_the_wait(fake):
    fake.crawlers[CRAWLER] = FakeCrawler(polls=10**6)
    started = time.monotonic()
    line = _one_line_error(
        run(fake, "--application", "openssl", "--refresh", "--query-timeout", "1")
    )
    assert time.monotonic() - started < 5
    assert line == (
        f"error: Glue crawler {CRAWLER} still RUNNING after 1 s (--query-timeout waits longer; "
        "the crawl goes on)"
    )
    assert fake.started == []


def test_the_crawler_can_be_named(fake):
    fake.stacks = {}
    fake.crawlers["team-crawler"] = FakeCrawler()
    result = run(fake, "--refresh", "--crawler", "team-crawler")
    assert result.exit_code == 0, result.output
    assert fake.crawls_started == ["team-crawler"]
    assert "DescribeStacks" not in fake.requests


def test_the_crawler_beside_the_workgroup_queried_is_started(fake, quick_polls):
    other = {
        "OtherInventoryAthenaWorkGroupName0A1B2C3D": "QuickSetup-Inventory-dev",
        "OtherInventoryAthenaDatabaseName0A1B2C3D": "quicksetup_inventory_dev",
        "OtherInventoryAthenaCrawlerName0A1B2C3D": "QuickSetup-Inventory-dev",
    }
    fake.stacks = {"Inventory": OUTPUTS, "Dev": other}
    fake.crawlers["QuickSetup-Inventory-dev"] = FakeCrawler()
    _json(fake, "--application", "openssl", "--refresh", "--athena-workgroup", WORKGROUP)
    assert fake.crawls_started == [CRAWLER]
    line = _one_line_error(run(fake, "--refresh"))
    assert "several inventory Glue crawlers" in line and "--crawler" in line


def test_no_crawler_in_the_outputs_is_a_one_line_hint(fake):
    fake.stacks = {"Inventory": {k: v for k, v in OUTPUTS.items() if "Crawler" not in k}}
    line = _one_line_error(run(fake, "--refresh"))
    assert "no inventory Glue crawler found" in line and line.endswith("pass --crawler")
    assert fake.crawls_started == []


def test_a_denied_start_crawler_is_one_line(fake):
    fake.crawler_denied = True
    line = _one_line_error(run(fake, "--refresh"))
    assert line.startswith("error: AWS denied StartCrawler in us-east-1")


def test_a_crawler_name_is_printed_escaped(fake):
    name = "evil\x1b[2J"
    fake.crawlers[name] = FakeCrawler()
    result = run(fake, "--refresh", "--crawler", name)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Glue crawler evil\\x1b[2J started.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--crawler", "x"], "--crawler goes with --refresh"),
        ([], "needs --application NAME (the package), or --refresh"),
        (["--refresh", "--version-below", "3"], "go with --application"),
        (["--refresh", "--account", A], "go with --application"),
    ],
)
def test_refresh_options_that_do_not_fit_are_refused_before_any_call(fake, args, message):
    assert message in _one_line_error(run(fake, *args))
    assert fake.requests == []
