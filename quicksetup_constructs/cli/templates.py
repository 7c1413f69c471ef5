"""What a CloudFormation template holds that matters to Quick Setup: associations, the
documents they run and StackSets, including the templates inside each StackSet's
``TemplateBody``. Pure functions on template dicts, used on a cloud assembly and on a deployed
StackSet alike."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .intrinsics import as_text, ref_target

ASSOCIATION = "AWS::SSM::Association"
DOCUMENT = "AWS::SSM::Document"
STACK_SET = "AWS::CloudFormation::StackSet"
SERVICE_SETTING = "AWS::SSM::ServiceSetting"
RESOURCE_DATA_SYNC = "AWS::SSM::ResourceDataSync"
ORGANIZATION_INVENTORY_SYNC = "Custom::QuickSetupInventorySync"
"""An organization's sync, created by a custom resource whose properties are the
``CreateResourceDataSync`` request (``S3Destination`` with ``DestinationDataSharing``)."""
CONFIGURATION_METADATA = "QuickSetupConfigurationId"
"""Metadata that names the configuration of a resource without a name of its own."""
OPTION_METADATA = "QuickSetupOption"
INVENTORY_SYNC_PREFIX = "QuickSetup-Inventory-"
"""Every inventory sync of a configuration is named ``QuickSetup-Inventory-<id>``."""


@dataclass(frozen=True)
class Target:
    """One entry of an association's ``Targets``."""

    key: str
    values: tuple[str, ...]

    def describe(self) -> str:
        """The instances in words, e.g. ``instances tagged Environment=production``."""
        values = list(self.values)
        if self.key in ("InstanceIds", "ParameterValues"):
            if values == ["*"]:
                return "all instances"
            return "instances " + ", ".join(values)
        if self.key.startswith("tag:"):
            return f"instances tagged {self.key[4:]}=" + " or ".join(values)
        if self.key == "tag-key":
            return "instances with a tag " + " or ".join(values) + " (any value)"
        if self.key in ("resource-groups:Name", "ResourceGroup"):
            return "instances in resource group " + ", ".join(values)
        return f"{self.key}=" + ",".join(values)


@dataclass(frozen=True)
class DocumentSpec:
    """An ``AWS::SSM::Document`` created by the template."""

    logical_id: str
    document_type: str
    name: str | None
    steps: tuple[tuple[str, str], ...]
    """(step name, action) of each main step."""


@dataclass(frozen=True)
class AssociationSpec:
    """An ``AWS::SSM::Association`` of the template, its values written as text."""

    logical_id: str
    association_name: str
    document: str
    """The document's name, or ``${LogicalId}`` of a document the template creates."""
    document_resource: DocumentSpec | None
    parameters: dict[str, list[str]]
    targets: tuple[Target, ...]
    schedule: str | None
    """None: the association runs once, when it is created."""
    apply_only_at_cron_interval: bool = False
    sync_compliance: str | None = None
    automation_target_parameter_name: str | None = None
    max_concurrency: str | None = None
    max_errors: str | None = None
    compliance_severity: str | None = None

    @property
    def document_type(self) -> str:
        """``Command`` or ``Automation`` (as far as the template tells)."""
        if self.document_resource is not None:
            return self.document_resource.document_type
        return "Automation" if self.automation_target_parameter_name else "Command"

    def describe_targets(self) -> str:
        return "; ".join(target.describe() for target in self.targets) or "no targets"


@dataclass(frozen=True)
class ConfigurationResource:
    """A resource of a configuration other than an association: the Default Host Management
    Configuration setting, or the resource data sync of the inventory."""

    logical_id: str
    resource_type: str
    configuration_id: str
    key: str
    """The prop that creates it (``default_host_management``, ``inventory_sync``)."""
    details: dict[str, str]
    """What it sets, in words, e.g. ``{"bucket": "...", "prefix": "..."}``."""


@dataclass(frozen=True)
class InstanceGroup:
    """One ``StackInstancesGroup`` entry: where a StackSet deploys."""

    organizational_unit_ids: tuple[str, ...]
    accounts: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class StackSetSpec:
    """An ``AWS::CloudFormation::StackSet`` and the template it deploys."""

    logical_id: str
    name: str
    description: str | None
    permission_model: str | None
    instance_groups: tuple[InstanceGroup, ...]
    operation_preferences: dict[str, Any]
    auto_deployment: dict[str, Any]
    parameters: dict[str, str]
    """The values the StackSet gives its template's parameters, as text."""
    template: TemplateSpec | None
    """None when the template is not inline (``TemplateURL``) or cannot be read."""

    @property
    def organizational_unit_ids(self) -> list[str]:
        return _unique(ou for group in self.instance_groups for ou in group.organizational_unit_ids)

    @property
    def regions(self) -> list[str]:
        return _unique(region for group in self.instance_groups for region in group.regions)

    @property
    def accounts(self) -> list[str]:
        return _unique(account for group in self.instance_groups for account in group.accounts)


@dataclass(frozen=True)
class TemplateSpec:
    """The parts of one template that matter here."""

    description: str | None
    resource_types: dict[str, int]
    """How many resources of each type."""
    associations: tuple[AssociationSpec, ...]
    documents: tuple[DocumentSpec, ...]
    stack_sets: tuple[StackSetSpec, ...] = field(default=())
    configuration_resources: tuple[ConfigurationResource, ...] = field(default=())


def parse_template(template: dict[str, Any]) -> TemplateSpec:
    """Read ``template``, and the inline template of each of its StackSets."""
    resources: dict[str, Any] = template.get("Resources") or {}
    documents = {
        logical_id: _document(logical_id, resource.get("Properties") or {})
        for logical_id, resource in resources.items()
        if resource.get("Type") == DOCUMENT
    }
    associations = tuple(
        _association(logical_id, resource.get("Properties") or {}, documents)
        for logical_id, resource in resources.items()
        if resource.get("Type") == ASSOCIATION
    )
    stack_sets = tuple(
        _stack_set(logical_id, resource.get("Properties") or {})
        for logical_id, resource in resources.items()
        if resource.get("Type") == STACK_SET
    )
    types = Counter(str(resource.get("Type")) for resource in resources.values())
    description = template.get("Description")
    return TemplateSpec(
        description=description if isinstance(description, str) else None,
        resource_types=dict(sorted(types.items())),
        associations=associations,
        documents=tuple(documents.values()),
        stack_sets=stack_sets,
        configuration_resources=tuple(
            found
            for logical_id, resource in resources.items()
            if (found := _configuration_resource(logical_id, resource)) is not None
        ),
    )


def parse_template_body(body: Any) -> TemplateSpec | None:
    """A StackSet's ``TemplateBody`` (JSON text, or an object), or None if it is not JSON."""
    if isinstance(body, dict) and "Resources" in body:
        return parse_template(body)
    if not isinstance(body, str):
        return None
    try:
        template = json.loads(body)
    except ValueError:
        return None
    return parse_template(template) if isinstance(template, dict) else None


def _association(
    logical_id: str, properties: dict[str, Any], documents: dict[str, DocumentSpec]
) -> AssociationSpec:
    document = properties.get("Name")
    document_logical_id = ref_target(document)
    schedule = properties.get("ScheduleExpression")
    return AssociationSpec(
        logical_id=logical_id,
        association_name=as_text(properties.get("AssociationName", logical_id)),
        document=as_text(document),
        document_resource=documents.get(document_logical_id) if document_logical_id else None,
        parameters={
            name: [as_text(value) for value in (values if isinstance(values, list) else [values])]
            for name, values in (properties.get("Parameters") or {}).items()
        },
        targets=tuple(
            Target(as_text(target.get("Key")), tuple(as_text(v) for v in target.get("Values", [])))
            for target in properties.get("Targets") or []
        ),
        schedule=as_text(schedule) if schedule is not None else None,
        apply_only_at_cron_interval=properties.get("ApplyOnlyAtCronInterval") in (True, "true"),
        sync_compliance=_text_or_none(properties.get("SyncCompliance")),
        automation_target_parameter_name=_text_or_none(
            properties.get("AutomationTargetParameterName")
        ),
        max_concurrency=_text_or_none(properties.get("MaxConcurrency")),
        max_errors=_text_or_none(properties.get("MaxErrors")),
        compliance_severity=_text_or_none(properties.get("ComplianceSeverity")),
    )


def _configuration_resource(logical_id: str, resource: Any) -> ConfigurationResource | None:
    """The DHMC setting or inventory sync that ``resource`` is, if it is one of ours."""
    if not isinstance(resource, dict):
        return None
    kind = resource.get("Type")
    properties = resource.get("Properties") or {}
    metadata = resource.get("Metadata") or {}
    if kind == SERVICE_SETTING and CONFIGURATION_METADATA in metadata:
        return ConfigurationResource(
            logical_id,
            kind,
            as_text(metadata[CONFIGURATION_METADATA]),
            as_text(metadata.get(OPTION_METADATA, "default_host_management")),
            {
                "setting": as_text(properties.get("SettingId")),
                "role": as_text(properties.get("SettingValue")),
            },
        )
    name = properties.get("SyncName")
    if not (isinstance(name, str) and name.startswith(INVENTORY_SYNC_PREFIX)):
        return None
    if kind == RESOURCE_DATA_SYNC:
        fields, keys = properties, ("BucketName", "BucketRegion", "BucketPrefix", "KMSKeyArn")
    elif kind == ORGANIZATION_INVENTORY_SYNC:
        fields = properties.get("S3Destination") or {}
        keys = ("BucketName", "Region", "Prefix", "AWSKMSKeyARN")
    else:
        return None
    if isinstance(fields, dict):
        details = {
            label: as_text(fields[key])
            for label, key in zip(("bucket", "region", "prefix", "KMS key"), keys, strict=False)
            if fields.get(key) is not None
        }
        return ConfigurationResource(
            logical_id, kind, name[len(INVENTORY_SYNC_PREFIX) :], "inventory_sync", details
        )
    return None


def _document(logical_id: str, properties: dict[str, Any]) -> DocumentSpec:
    content = properties.get("Content")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            content = None
    steps = []
    if isinstance(content, dict):
        for step in content.get("mainSteps") or []:
            if isinstance(step, dict):
                steps.append((as_text(step.get("name", "")), as_text(step.get("action", ""))))
    return DocumentSpec(
        logical_id=logical_id,
        document_type=as_text(properties.get("DocumentType", "Command")),
        name=_text_or_none(properties.get("Name")),
        steps=tuple(steps),
    )


def _stack_set(logical_id: str, properties: dict[str, Any]) -> StackSetSpec:
    groups = []
    for group in properties.get("StackInstancesGroup") or []:
        targets = group.get("DeploymentTargets") or {}
        groups.append(
            InstanceGroup(
                organizational_unit_ids=tuple(
                    as_text(ou) for ou in targets.get("OrganizationalUnitIds") or []
                ),
                accounts=tuple(as_text(account) for account in targets.get("Accounts") or []),
                regions=tuple(as_text(region) for region in group.get("Regions") or []),
            )
        )
    return StackSetSpec(
        logical_id=logical_id,
        name=as_text(properties.get("StackSetName", logical_id)),
        description=_text_or_none(properties.get("Description")),
        permission_model=_text_or_none(properties.get("PermissionModel")),
        instance_groups=tuple(groups),
        operation_preferences=dict(properties.get("OperationPreferences") or {}),
        auto_deployment=dict(properties.get("AutoDeployment") or {}),
        parameters={
            as_text(parameter.get("ParameterKey")): as_text(parameter.get("ParameterValue"))
            for parameter in properties.get("Parameters") or []
            if isinstance(parameter, dict)
        },
        template=parse_template_body(properties.get("TemplateBody")),
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else as_text(value)


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
