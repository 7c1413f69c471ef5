"""The JSON contract's envelope and ``data``, pinned whole on small results built by hand.

No CDK, no AWS: each test gives ``envelope`` a verb's result (the CLI's own dataclasses) and
asserts the whole document it prints, checked first against ``schema/output.schema.json``. The
rules come from docs/cli-json.md: collections are objects keyed by their identity (a
configuration by its id, an option by its key, a target by ``account/region``, an instance by
its id), ``worst`` lists instance ids, worst first, ``not_configured`` is ``{key: title}``, and an
error is ``{"message", "exit_code": 2}``.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from quicksetup_constructs.cli.compliance import ConfigurationCompliance, InstanceCompliance
from quicksetup_constructs.cli.contract import SCHEMA_VERSION, envelope
from quicksetup_constructs.cli.jsonout import dumps
from quicksetup_constructs.cli.organization import FailedOptionRun, StackSetStatus, TargetStatus
from quicksetup_constructs.cli.plan import Plan, PlannedConfiguration
from quicksetup_constructs.cli.status import ConfigurationStatus, Execution, OptionStatus
from quicksetup_constructs.cli.troubleshoot import ConfigurationTroubles, FailedOption

from . import cli_json

ACCOUNT = "111122223333"
REGION = "eu-west-1"
NOW = datetime(2026, 12, 6, 6, 5, 4, 987654, tzinfo=UTC)
AT = "2026-12-06T06:05:04Z"
"""``NOW`` as the contract writes it: UTC, whole seconds, ``Z``."""
RAN = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def printed(command: str, data=None, **fields) -> dict:
    """What ``--output json`` prints for ``command``: the envelope, read back from its JSON and
    checked against the schema."""
    document = envelope(command, data, account=ACCOUNT, region=REGION, now=NOW, **fields)
    return cli_json.envelope(dumps(document))


def head(command: str) -> dict:
    """The envelope's fields besides ``data`` and ``error``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "account": ACCOUNT,
        "region": REGION,
        "generated_at": AT,
    }


def option(key: str, status: str, counts: dict[str, int]) -> OptionStatus:
    return OptionStatus(
        key=key,
        title=f"Title of {key}",
        status=status,
        association_name=f"QuickSetup-{key}",
        association_id=f"id-{key}",
        last_run=RAN,
        counts=counts,
        document=f"AWS-{key}",
    )


def option_view(key: str, status: str, counts: dict[str, int], target_count: int) -> dict:
    """``option(key, status, counts)`` as the contract writes it: ``targets`` (a number) is
    renamed ``target_count``."""
    return {
        "key": key,
        "title": f"Title of {key}",
        "status": status,
        "association_name": f"QuickSetup-{key}",
        "association_id": f"id-{key}",
        "detail": None,
        "last_run": "2026-12-06T05:00:00Z",
        "last_execution": None,
        "counts": counts,
        "document": f"AWS-{key}",
        "target_count": target_count,
    }


def configuration(configuration_id: str, *options: OptionStatus) -> ConfigurationStatus:
    return ConfigurationStatus(
        configuration_id=configuration_id,
        region=REGION,
        stack=f"Stack-{configuration_id}",
        targets="every instance",
        options=list(options),
    )


def configuration_view(configuration_id: str, status: str, options: dict) -> dict:
    return {
        "configuration_id": configuration_id,
        "region": REGION,
        "stack": f"Stack-{configuration_id}",
        "targets": "every instance",
        "options": options,
        "host_management": None,
        "inventory_sync": None,
        "managed_instances": None,
        "status": status,
    }


UPDATE = option("update-ssm-agent", "Success", {"Success": 3})
SCAN = option("scan-for-patches", "Failed", {"Success": 1, "Failed": 2})
UPDATE_VIEW = option_view("update-ssm-agent", "Success", {"Success": 3}, 3)
SCAN_VIEW = option_view("scan-for-patches", "Failed", {"Success": 1, "Failed": 2}, 3)


def test_an_error_is_its_message_with_exit_code_2_and_null_data():
    """docs/cli-json.md: ``error`` is null or ``{"message": string, "exit_code": 2}``; the
    command could not do its job, so it has no ``data``."""
    assert printed("status", error="no credentials") == {
        **head("status"),
        "data": None,
        "error": {"message": "no credentials", "exit_code": 2},
    }


def test_generated_at_is_utc_whatever_the_local_time_zone():
    """``generated_at`` is UTC (docs/cli-json.md), also on a machine whose clock is set to
    Tokyo time (UTC+9, no daylight saving)."""
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        before = datetime.now(UTC).replace(microsecond=0)
        generated_at = envelope("plan")["generated_at"]
        after = datetime.now(UTC)
    finally:
        if zone is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = zone
        time.tzset()
    assert generated_at.endswith("Z"), generated_at
    assert before <= datetime.fromisoformat(generated_at) <= after


@pytest.mark.parametrize("command", ["status", "troubleshoot", "compliance"])
def test_no_configurations_is_an_empty_collection_under_the_verbs_name(command):
    assert printed(command, []) == {
        **head(command),
        "data": {"configurations": {}},
        "error": None,
    }


def test_status_keys_each_configuration_by_its_id_and_each_option_by_its_key():
    result = [configuration("web", UPDATE, SCAN), configuration("db", UPDATE)]

    assert printed("status", result)["data"] == {
        "configurations": {
            "web": configuration_view(
                "web",
                "Failed",
                {
                    "update-ssm-agent": UPDATE_VIEW,
                    "scan-for-patches": SCAN_VIEW,
                },
            ),
            "db": configuration_view(
                "db",
                "Success",
                {"update-ssm-agent": UPDATE_VIEW},
            ),
        }
    }


def test_troubles_are_keyed_by_their_configuration_and_failed_options_by_the_options_key():
    """A configuration's troubles have no id of their own: they are keyed by their status's
    ``configuration_id``; a failed option by its option's ``key``, a missing one by its own.
    The configuration's status is its worst card's: Failed before Missing."""
    missing = option("collect-inventory", "Missing", {})
    troubles = ConfigurationTroubles(
        status=configuration("web", UPDATE, SCAN, missing),
        failed=[FailedOption(option=SCAN, execution=None, failed_targets=2, groups=[])],
        missing=[missing],
    )

    assert printed("troubleshoot", [troubles])["data"] == {
        "configurations": {
            "web": {
                "status": configuration_view(
                    "web",
                    "Failed",
                    {
                        "update-ssm-agent": UPDATE_VIEW,
                        "scan-for-patches": SCAN_VIEW,
                        "collect-inventory": option_view("collect-inventory", "Missing", {}, 0),
                    },
                ),
                "failed": {
                    "scan-for-patches": {
                        "option": SCAN_VIEW,
                        "execution": None,
                        "failed_targets": 2,
                        "groups": [],
                    }
                },
                "missing": {
                    "collect-inventory": option_view("collect-inventory", "Missing", {}, 0)
                },
            }
        }
    }


def test_an_organizations_targets_are_keyed_by_account_and_region():
    """``status --org``: a StackSet by its name, its targets (renamed ``target_results``) by
    ``account/region``, a target's failed options by their key."""
    failure = FailedOptionRun(
        key="scan-for-patches",
        title="Title of scan-for-patches",
        association_name="QuickSetup-scan-for-patches",
        association_id="id-scan",
        counts={"Failed": 1},
        execution=Execution(
            execution_id="e-1", status="Failed", detailed_status=None, created=RAN, counts={}
        ),
    )
    stack_set = StackSetStatus(
        name="QuickSetup-Org",
        stack_set_id="QuickSetup-Org:1",
        status="ACTIVE",
        configuration_ids=["org"],
        association_names=["QuickSetup-scan-for-patches"],
        targets=[
            TargetStatus(
                account=ACCOUNT,
                region=REGION,
                organizational_unit_id="ou-ab12-cdefgh34",
                instance_status="CURRENT",
                detailed_status="SUCCEEDED",
                reason=None,
                association_status="Failed",
                options={"scan-for-patches": "Failed"},
                failures=[failure],
            ),
            TargetStatus(
                account="444455556666",
                region="us-east-1",
                organizational_unit_id=None,
                instance_status="OUTDATED",
                detailed_status="FAILED",
                reason="no role",
                association_status="Not read",
            ),
        ],
    )

    def target(account, region, ou, instance, detailed, reason, state, options, failures):
        return {
            "account": account,
            "region": region,
            "organizational_unit_id": ou,
            "instance_status": instance,
            "detailed_status": detailed,
            "reason": reason,
            "association_status": state,
            "association_detail": None,
            "options": options,
            "failures": failures,
            "option_counts": {},
            "option_details": {},
            "managed_instances": None,
            "data_as_of": None,
        }

    assert printed("status", [stack_set])["data"] == {
        "stack_sets": {
            "QuickSetup-Org": {
                "name": "QuickSetup-Org",
                "stack_set_id": "QuickSetup-Org:1",
                "status": "ACTIVE",
                "configuration_ids": ["org"],
                "association_names": ["QuickSetup-scan-for-patches"],
                "target_results": {
                    "111122223333/eu-west-1": target(
                        ACCOUNT,
                        REGION,
                        "ou-ab12-cdefgh34",
                        "CURRENT",
                        "SUCCEEDED",
                        None,
                        "Failed",
                        {"scan-for-patches": "Failed"},
                        {
                            "scan-for-patches": {
                                "key": "scan-for-patches",
                                "title": "Title of scan-for-patches",
                                "association_name": "QuickSetup-scan-for-patches",
                                "association_id": "id-scan",
                                "counts": {"Failed": 1},
                                "execution": {
                                    "execution_id": "e-1",
                                    "status": "Failed",
                                    "detailed_status": None,
                                    "created": "2026-12-06T05:00:00Z",
                                    "counts": {},
                                },
                            }
                        },
                    ),
                    "444455556666/us-east-1": target(
                        "444455556666",
                        "us-east-1",
                        None,
                        "OUTDATED",
                        "FAILED",
                        "no role",
                        "Not read",
                        {},
                        {},
                    ),
                },
                "source": "live",
                "notes": [],
                "athena_query": None,
                "summary": {
                    "SUCCEEDED": 1,
                    "FAILED": 1,
                    "associations Failed": 1,
                    "associations Not read": 1,
                },
            }
        }
    }


def test_the_worst_instances_are_their_ids_worst_first():
    """``worst`` names instances that ``instances`` holds in full: their ids, in its order."""
    clean = InstanceCompliance(instance_id="i-0aaaaaaaaaaaaaaaa", status="COMPLIANT", compliant=9)
    bad = InstanceCompliance(
        instance_id="i-0bbbbbbbbbbbbbbbb", status="NON_COMPLIANT", non_compliant=1
    )
    worse = InstanceCompliance(
        instance_id="i-0cccccccccccccccc",
        status="NON_COMPLIANT",
        non_compliant=4,
        severities={"CRITICAL": 4},
    )
    result = ConfigurationCompliance(
        configuration_id="web",
        region=REGION,
        stack="Stack-web",
        targets="every instance",
        scan_association="QuickSetup-scan-for-patches",
        instances=[clean, bad, worse],
        worst=[worse, bad],
    )

    def instance(instance_id, status, compliant, non_compliant, severities):
        return {
            "instance_id": instance_id,
            "status": status,
            "compliant": compliant,
            "non_compliant": non_compliant,
            "severities": severities,
            "last_scan": None,
            "missing": {},
        }

    assert printed("compliance", [result])["data"] == {
        "configurations": {
            "web": {
                "configuration_id": "web",
                "region": REGION,
                "stack": "Stack-web",
                "targets": "every instance",
                "scan_association": "QuickSetup-scan-for-patches",
                "instances": {
                    "i-0aaaaaaaaaaaaaaaa": instance("i-0aaaaaaaaaaaaaaaa", "COMPLIANT", 9, 0, {}),
                    "i-0bbbbbbbbbbbbbbbb": instance(
                        "i-0bbbbbbbbbbbbbbbb", "NON_COMPLIANT", 0, 1, {}
                    ),
                    "i-0cccccccccccccccc": instance(
                        "i-0cccccccccccccccc", "NON_COMPLIANT", 0, 4, {"CRITICAL": 4}
                    ),
                },
                "worst": ["i-0cccccccccccccccc", "i-0bbbbbbbbbbbbbbbb"],
                "more": 0,
                "scan_missing": False,
                "summary": {"COMPLIANT": 1, "NON_COMPLIANT": 2, "NO_DATA": 0},
            }
        }
    }


def test_a_plan_is_data_itself_its_unused_options_titles_keyed_by_option_key():
    """A verb whose result is one object (``plan``) gives it as ``data``, not in a
    collection."""
    planned = PlannedConfiguration(
        configuration_id="web",
        stack="Stack-web",
        kind="local",
        targets="every instance",
        options=[],
        not_configured=[
            ("collect-inventory", "Collect inventory"),
            ("scan-for-patches", "Scan for patches"),
        ],
    )

    assert printed("plan", Plan(assembly="cdk.out", now=RAN, configurations=[planned])) == {
        **head("plan"),
        "data": {
            "assembly": "cdk.out",
            "now": "2026-12-06T05:00:00Z",
            "configurations": {
                "web": {
                    "configuration_id": "web",
                    "stack": "Stack-web",
                    "kind": "local",
                    "targets": "every instance",
                    "options": {},
                    "not_configured": {
                        "collect-inventory": "Collect inventory",
                        "scan-for-patches": "Scan for patches",
                    },
                    "settings": {},
                    "stack_sets": {},
                    "created": {},
                }
            },
        },
        "error": None,
    }
