"""The helpers of ``make integ`` that run without an AWS account: the credentials check, the
assertion results it reads, the teardown check of the kept instance profile, and the policy
documents of docs/ for the role that runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.fake_aws import isolate_aws_environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "integ"))

import run  # integ/run.py
import teardown  # integ/teardown.py


def _check_credentials() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "integ" / "require_credentials.py")],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_without_credentials_make_integ_stops_in_one_line(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    result = _check_credentials()
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: make integ needs an AWS account: no AWS credentials")
    assert "AWS_PROFILE" in result.stderr and "AWS_REGION" in result.stderr


def test_without_a_region_make_integ_stops_in_one_line(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    result = _check_credentials()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1
    assert "no AWS Region set" in result.stderr


def test_failed_assertions_are_read_from_the_deploy_outputs():
    outputs = {"Assert": {
        "AssertionResultsAwsApiCallA": json.dumps({"status": "success"}),
        "AssertionResultsAwsApiCallB": json.dumps({"status": "fail", "message": "Expected X"}),
        "SomethingElse": json.dumps({"status": "fail"}),
    }}
    assert run.failed_assertions(outputs) == ["Assert AssertionResultsAwsApiCallB: Expected X"]


@pytest.fixture
def account(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.chdir(tmp_path)  # the hooks keep their state in the working directory
    with mock_aws():
        yield boto3.client("iam")


def _kept(iam, profile: str, role: str) -> None:
    iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
    policy = iam.create_policy(PolicyName="Attached", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ssm:DescribeDocument", "Resource": "*"}],
    }))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=policy)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    teardown.STATE.write_text(json.dumps({"profile": profile, "role": role}))


def test_a_kept_instance_profile_passes_and_is_then_deleted(account, capsys):
    _kept(account, "QuickSetupIntegLocal-Profile", "QuickSetupIntegLocal-Role")
    assert teardown.after_destroy() == 0
    assert "kept as documented" in capsys.readouterr().out
    assert account.list_instance_profiles()["InstanceProfiles"] == []
    assert account.list_roles()["Roles"] == []


def test_a_deleted_instance_profile_fails_the_teardown_check(account, capsys):
    _kept(account, "QuickSetupIntegLocal-Profile", "QuickSetupIntegLocal-Role")
    account.remove_role_from_instance_profile(
        InstanceProfileName="QuickSetupIntegLocal-Profile", RoleName="QuickSetupIntegLocal-Role"
    )
    account.delete_instance_profile(InstanceProfileName="QuickSetupIntegLocal-Profile")
    assert teardown.after_destroy() == 1
    assert "was deleted with its stack, not retained" in capsys.readouterr().err


POLICIES = sorted((ROOT / "docs").glob("integ-*.json"))
EXPECTED_FINDINGS = {
    "CREDENTIALS_EXPOSURE": "sts:AssumeRole of the CDK bootstrap roles is how the CLI deploys",
    "PERMISSIONS_MANAGEMENT_ACTIONS": "deploying the library creates and deletes its IAM roles "
    "and profile; every IAM write is limited to QuickSetup* names",
    "PRIVILEGE_ESCALATION": "CloudFormation creates roles and passes them to EC2, Systems "
    "Manager, Lambda and Step Functions: inherent to deploying them, limited by name and "
    "iam:PassedToService",
}
"""parliament finding -> why the integ policies have it on purpose."""


@pytest.mark.parametrize("path", POLICIES, ids=lambda path: path.name)
def test_the_integ_policy_documents_are_iam_policies(path):
    document = json.loads(path.read_text())
    assert document["Version"] == "2012-10-17"
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids))
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement.keys() <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        assert statement["Action"] and statement["Resource"]


@pytest.mark.parametrize("path", POLICIES, ids=lambda path: path.name)
def test_parliament_finds_nothing_unexpected_in_the_integ_policies(path):
    from parliament import analyze_policy_string

    policy = analyze_policy_string(path.read_text(), include_community_auditors=True)
    assert {finding.issue for finding in policy.findings} <= set(EXPECTED_FINDINGS)


def test_both_integ_policy_documents_exist():
    assert [path.name for path in POLICIES] == [
        "integ-cfn-execution-policy.json", "integ-deploy-policy.json",
    ]
