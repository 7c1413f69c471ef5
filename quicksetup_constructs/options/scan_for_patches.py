"""Scan instances for missing patches daily, against the default patch baseline.

``AWS-RunPatchBaselineAssociation`` reports through association compliance; with
``SyncCompliance: MANUAL`` the scan's results do not overwrite patch compliance that other
patching (maintenance windows, patch policies) reports.
"""

from .option import ManagedDocument, Option, RenderContext


def _parameters(_: RenderContext) -> dict[str, list[str]]:
    return {"Operation": ["Scan"]}


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
