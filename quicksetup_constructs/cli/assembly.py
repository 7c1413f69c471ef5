"""Reading a synthesized cloud assembly (``cdk.out``): its stacks and their templates.

Follows what ``cdk synth`` writes: ``manifest.json`` lists the stack artifacts and their
template files; stages are nested assemblies (``cdk:cloud-assembly``); nested stacks are
``AWS::CloudFormation::Stack`` resources whose template file is named in ``aws:asset:path``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CliError
from .templates import TemplateSpec, parse_template

_STACK = "aws:cloudformation:stack"
_NESTED_ASSEMBLY = "cdk:cloud-assembly"
_NESTED_STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class AssemblyStack:
    """One stack of the assembly (or a nested stack of one)."""

    artifact_id: str
    stack_name: str
    display_name: str
    environment: str
    template_file: str
    template: TemplateSpec
    tags: dict[str, str] = field(default_factory=dict)
    """The stack's tags (``cdk.Stack(tags=...)``); a nested stack has none of its own."""


def read_assembly(directory: str | Path) -> list[AssemblyStack]:
    """Every stack of the cloud assembly in ``directory``, nested ones included.

    Raises :class:`CliError` when there is no readable assembly there.
    """
    root = Path(directory)
    manifest = root / "manifest.json"
    if not manifest.is_file():
        raise CliError(
            f"no cloud assembly in {root} (no manifest.json): run `cdk synth` first, or give "
            "the assembly's directory"
        )
    return list(_stacks(root, _read_json(manifest)))


def _stacks(root: Path, manifest: dict[str, Any]) -> Any:
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        properties = artifact.get("properties") or {}
        if artifact.get("type") == _NESTED_ASSEMBLY and properties.get("directoryName"):
            nested = root / properties["directoryName"]
            if (nested / "manifest.json").is_file():
                yield from _stacks(nested, _read_json(nested / "manifest.json"))
            continue
        if artifact.get("type") != _STACK or not properties.get("templateFile"):
            continue
        template_file = root / properties["templateFile"]
        template = _read_json(template_file)
        stack_name = properties.get("stackName") or artifact_id
        yield AssemblyStack(
            artifact_id=artifact_id,
            stack_name=stack_name,
            display_name=artifact.get("displayName") or artifact_id,
            environment=artifact.get("environment") or "",
            template_file=str(template_file),
            template=parse_template(template),
            tags={str(k): str(v) for k, v in (properties.get("tags") or {}).items()},
        )
        yield from _nested_stacks(root, stack_name, artifact.get("environment") or "", template)


def _nested_stacks(root: Path, parent: str, environment: str, template: dict[str, Any]) -> Any:
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != _NESTED_STACK:
            continue
        asset_path = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not asset_path or not (root / asset_path).is_file():
            continue
        nested = _read_json(root / asset_path)
        name = f"{parent}/{logical_id}"
        yield AssemblyStack(
            artifact_id=name,
            stack_name=name,
            display_name=name,
            environment=environment,
            template_file=str(root / asset_path),
            template=parse_template(nested),
        )
        yield from _nested_stacks(root, name, environment, nested)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise CliError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise CliError(f"{path} is not a CloudFormation template or cloud assembly manifest")
    return value
