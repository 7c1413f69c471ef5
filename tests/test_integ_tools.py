"""The helpers of ``make integ`` that run without an AWS account: the credentials check (the
destroy hooks are tested in test_integ_teardown.py, the policies of docs/policies/ in
test_integ_policies.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fake_aws import isolate_aws_environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "integ"))


def _check_credentials() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "integ" / "require_credentials.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
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
