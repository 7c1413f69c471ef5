"""Scan instances for missing patches daily, against the default patch baseline or a chosen one.

``AWS-RunPatchBaselineAssociation`` reports through association compliance; with
``SyncCompliance: MANUAL`` the scan's results do not overwrite patch compliance that other
patching (maintenance windows, patch policies) reports.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from ..errors import QuickSetupValidationError
from ..validation import check_pattern, check_type
from .option import ManagedDocument, Option, RenderContext

BASELINE_TAG_KEY = "QuickSetupScanBaseline"
"""The tag :meth:`ScanBaseline.of` puts on a patch baseline, so that the scan finds it."""

_TAG_KEY = re.compile(r"(?!aws:)[\w .:/=+@-]{1,128}", re.ASCII)
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{1,256}", re.ASCII)
_KEY_ALLOWED = "a tag key of 1-128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"
_VALUES_ALLOWED = "1 or more tag values of 1-256 letters, digits, spaces and _.:/=+-@ (no commas)"


class ScanBaseline:
    """The patch baseline the daily scan compares instances with. Build one with a factory:

    ``ScanBaseline.tagged("PatchBaseline", ["web"])`` (the custom baseline carrying that tag) or
    ``ScanBaseline.of(baseline)`` (an ``ssm.CfnPatchBaseline`` of this app, local only).

    Patch Manager picks, for each instance, the custom baseline of the instance's operating
    system that carries the tag; an instance whose operating system has none is scanned against
    its patch group's baseline or the default one. More than one baseline of an operating
    system with the tag makes the scan fail.
    """

    def __init__(self, _key: str, _values: tuple[str, ...], _baseline: Any = None) -> None:
        self._key = _key
        self._values = _values
        self._baseline = _baseline

    @staticmethod
    def tagged(key: str, values: Sequence[str]) -> ScanBaseline:
        """The custom patch baseline tagged ``key`` with one of ``values``."""
        check_pattern("scan_baseline.key", key, _TAG_KEY, _KEY_ALLOWED)
        check_type("scan_baseline.values", values, (list, tuple), _VALUES_ALLOWED)
        if not values:
            raise QuickSetupValidationError("scan_baseline.values", list(values), _VALUES_ALLOWED)
        for value in values:
            check_pattern("scan_baseline.values", value, _TAG_VALUE, _VALUES_ALLOWED)
        return ScanBaseline(key, tuple(values))

    @staticmethod
    def of(baseline: Any) -> ScanBaseline:
        """``baseline``, an ``ssm.CfnPatchBaseline`` of this app, which the configuration tags
        ``QuickSetupScanBaseline=<8 hex digits of its path>`` so that the scan finds it."""
        from aws_cdk import aws_ssm as ssm

        check_type("scan_baseline", baseline, ssm.CfnPatchBaseline, "an aws_ssm.CfnPatchBaseline")
        value = hashlib.sha256(baseline.node.path.encode("utf-8")).hexdigest()[:8]
        return ScanBaseline(BASELINE_TAG_KEY, (value,), baseline)

    @property
    def baseline(self) -> Any:
        """The ``CfnPatchBaseline`` given to :meth:`of`, or None."""
        return self._baseline

    def baseline_tags(self) -> str:
        """The ``BaselineTags`` parameter: ``Key=<key>,Values=<v1>,<v2>``."""
        return f"Key={self._key},Values={','.join(self._values)}"

    def tag_baseline(self) -> None:
        """Tag the baseline given to :meth:`of` (nothing for :meth:`tagged`)."""
        if self._baseline is not None:
            import aws_cdk as cdk

            cdk.Tags.of(self._baseline).add(self._key, self._values[0])

    def describe(self) -> str:
        return f"the patch baseline tagged {self._key}={'|'.join(self._values)}"

    def __repr__(self) -> str:
        return f"ScanBaseline({self.describe()})"


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    baseline: ScanBaseline | None = context.settings.scan_baseline
    if baseline is None:
        return {"Operation": ["Scan"]}
    return {"Operation": ["Scan"], "BaselineTags": [baseline.baseline_tags()]}


SCAN_FOR_PATCHES = Option(
    key="scan_for_patches",
    title="Scan instances for missing patches daily",
    association_name="ScanForPatches",
    document=ManagedDocument("AWS-RunPatchBaselineAssociation"),
    schedule="rate(1 day)",
    enabled_by_default=True,
    parameters=_parameters,
    sync_compliance="MANUAL",
)
