"""The SSM documents a stack's configurations run: AWS's by name, ours created once per stack."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..options import ManagedDocument, OwnDocument
from ..targets import DocumentKind
from .shared import stack_singleton

AUTOMATION_TARGET_TYPE = "/AWS::EC2::Instance"
"""The target type of every Automation runbook this library creates: its associations target
instances by tag, tag key or resource group, and Automation starts a child execution for every
*resource* that matches such a target unless the runbook declares the type it runs on (a volume
or bucket with the tag would fail the runbook's ``InstanceId`` pattern, and with it the
association). Systems Manager user guide, "Mapping targets for an automation"
(running-automations-map-targets)."""


class QuickSetupDocuments(Construct):
    """Holds this library's documents for one stack; each is created when first needed."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Remembered on the Python side: each tree look-up is a round trip to the jsii kernel.
        self._documents: dict[str, ssm.CfnDocument] = {}
        self._names: dict[str, str] = {}

    def document(self, spec: OwnDocument) -> ssm.CfnDocument:
        document = self._documents.get(spec.id)
        if document is None:  # documents are created only here, and remembered
            document = self._documents[spec.id] = ssm.CfnDocument(
                self,
                spec.id,
                content=spec.content,
                document_type=spec.kind.value,
                document_format="JSON",
                target_type=(
                    AUTOMATION_TARGET_TYPE if spec.kind is DocumentKind.AUTOMATION else None
                ),
            )
        return document

    def has(self, spec: OwnDocument) -> bool:
        """Whether the stack has ``spec``'s document already (documents are created only
        through :meth:`document`, which remembers them)."""
        return spec.id in self._documents

    def name(self, spec: OwnDocument) -> str:
        """The name an association uses for the document (its ``Ref``)."""
        name = self._names.get(spec.id)
        if name is None:
            name = self._names[spec.id] = self.document(spec).ref
        return name


def document_name(scope: Construct, document: ManagedDocument | OwnDocument) -> str:
    """The name an association uses for ``document`` in ``scope``'s stack."""
    if isinstance(document, ManagedDocument):
        return document.name
    return stack_singleton(scope, "QuickSetupDocuments", QuickSetupDocuments).name(document)
