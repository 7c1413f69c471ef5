"""The Regions where CloudFormation has no ``AWS::SSM::ServiceSetting``.

Default Host Management Configuration is that resource: where the type does not exist, a stack
that holds it fails to deploy. The list is cfn-lint's: its provider schemas (one file per Region,
``cfnlint/data/schemas/providers/<region>.json``, built from CloudFormation's published
resource specifications) omit the type in exactly these Regions; a test compares the two.
Regions cfn-lint has no file for are not known here, and are not refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import QuickSetupValidationError
from .validation import is_unresolved

SERVICE_SETTING_TYPE = "AWS::SSM::ServiceSetting"

REGIONS_WITHOUT_SERVICE_SETTING: frozenset[str] = frozenset(
    {
        "cn-north-1",
        "cn-northwest-1",
        "me-central-1",
        "us-gov-east-1",
        "us-gov-west-1",
    }
)
"""Regions (of the China and GovCloud partitions, and UAE) without the type."""


def check_service_setting_regions(prop: str, regions: Iterable[str | None]) -> None:
    """Raise :class:`QuickSetupValidationError` for ``prop`` when any of ``regions`` (None and
    tokens aside: not known at synth time) lacks ``AWS::SSM::ServiceSetting``."""
    missing = sorted(
        {
            region
            for region in regions
            if region is not None
            and not is_unresolved(region)
            and region in REGIONS_WITHOUT_SERVICE_SETTING
        }
    )
    if missing:
        raise QuickSetupValidationError(
            prop,
            True,
            f"False in {', '.join(missing)}: CloudFormation has no {SERVICE_SETTING_TYPE} "
            f"there, which Default Host Management Configuration is, so the stack would fail to "
            "deploy. Turn it on there with the console or "
            "'aws ssm update-service-setting' instead",
        )
