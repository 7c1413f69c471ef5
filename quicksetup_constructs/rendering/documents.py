"""The SSM documents a stack's configurations run: AWS's by name, ours created once per stack."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..options import ManagedDocument, OwnDocument
from .shared import stack_singleton


class QuickSetupDocuments(Construct):
    """Holds this library's documents for one stack; each is created when first needed."""

    def document(self, spec: OwnDocument) -> ssm.CfnDocument:
        existing = self.node.try_find_child(spec.id)
        if isinstance(existing, ssm.CfnDocument):
            return existing
        return ssm.CfnDocument(
            self, spec.id,
            content=spec.content,
            document_type=spec.kind.value,
            document_format="JSON",
        )


def document_name(scope: Construct, document: ManagedDocument | OwnDocument) -> str:
    """The name an association uses for ``document`` in ``scope``'s stack."""
    if isinstance(document, ManagedDocument):
        return document.name
    documents = stack_singleton(scope, "QuickSetupDocuments", QuickSetupDocuments)
    return documents.document(document).ref
