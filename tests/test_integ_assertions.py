"""The assertions of the integration apps hold against AWS's answers as their handler holds them.

How the assertion handler of aws-cdk.integ-tests-alpha reads a ``Custom::DeployAssert@SdkCall``
(its sources ``lambda-handler/sdk.ts``, ``assertion.ts`` and ``index.ts``, bundled in the
package's jsii tarball as ``lib/assertions/providers/lambda-handler.bundle/index.js``):

- it makes the call with the AWS SDK for JavaScript v3, whose response carries the members of
  the operation's output shape by their model names, deletes ``$metadata`` from it, and with
  ``flattenResponse`` "false" and no ``actualPath`` compares the whole response;
- it parses ``expected`` as JSON and, innermost first, turns every object whose first key is
  ``$ArrayWith``, ``$ObjectLike``, ``$StringLike`` or ``$SerializedJson`` into aws-cdk-lib's
  ``Match.arrayWith``/``objectLike``/``stringLikeRegexp``/``serializedJson`` of its value. Any
  other object stays a literal, ``$Exact`` (what ``ExpectedResult.exact`` sends) included. A root
  that is no matcher becomes ``Match.exact`` of it; a ``null`` anywhere makes the whole parsed
  JSON one ``Match.exact``.

:func:`handler_matcher` decodes the same way, with aws-cdk-lib's own ``Match``. For each call of
both apps, :func:`realistic_response` builds an answer from botocore's output shape of the
operation: every member filled in (page tokens aside: the handler does not page, so an answer
with one would be a partial page), every list with two elements, the asserted element second,
after one that differs in every asserted member. Each pattern must match its answer and fail on
every answer with one asserted member changed (every other value of its enum or documented
set, or of :data:`OTHER_VALUES`). The asserted value itself must be in that set.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk.assertions import Match, Matcher
from botocore.model import Shape
from botocore.validate import ParamValidator

from tests.test_integ_snapshots import APPS, _app_module, snapshot_dir, synthesize, templates

SDK_CALL = "Custom::DeployAssert@SdkCall"

HANDLER_MATCHERS: dict[str, Callable[[Any], Matcher]] = {
    "$ArrayWith": Match.array_with,
    "$ObjectLike": Match.object_like,
    "$StringLike": Match.string_like_regexp,
    "$SerializedJson": Match.serialized_json,
}
"""The encodings the handler decodes, and the aws-cdk-lib matcher each one becomes."""

PAGE_TOKENS = {"NextToken", "Marker"}
"""Output members that say a page is partial; a realistic one-page answer has none."""

SERVICES = {"EC2": "ec2", "IAM": "iam", "SSM": "ssm", "CloudFormation": "cloudformation"}
"""The SDK v3 client names the apps call, and botocore's service model of each."""

TIMESTAMP = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)

AWS_APPLICATION_ATTRIBUTES = (
    "Name",
    "ApplicationType",
    "Publisher",
    "Version",
    "Release",
    "Epoch",
    "InstalledTime",
    "Architecture",
    "URL",
    "Summary",
    "PackageId",
)
"""Systems Manager user guide, "Metadata collected by inventory": the attributes of
``AWS:Application``, the keys of each entry that ListInventoryEntries returns for it."""

DOCUMENTED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    # Systems Manager API reference, AssociationOverview: "Status can be: Pending, Success, or
    # Failed"; AssociationStatus: Name "Valid Values: Pending | Success | Failed", the statuses
    # an association reports for a node too.
    ("AssociationOverview", "Status"): ("Pending", "Success", "Failed"),
    ("InstanceAssociationStatusInfo", "Status"): ("Pending", "Success", "Failed"),
}
"""The values of members that botocore types as free strings but AWS documents as a set: an
asserted one must be among them, as for an enum."""

OTHER_VALUES: dict[tuple[str, str], list[Any]] = {
    ("InstanceAssociationStatusInfo", "AssociationName"): ["QuickSetup-UpdateSSMAgent-0a1b2c3d"],
    ("AttachedPolicy", "PolicyName"): ["AmazonSSMReadOnlyAccess"],
    ("IamInstanceProfile", "Arn"): ["arn:aws:iam::111111111111:instance-profile/other-profile"],
    ("InventoryItemEntry", "Name"): ["amazon-ec2-utils"],
    ("ServiceSetting", "SettingValue"): ["AnotherInstanceManagementRole"],
    ("StackInstanceSummary", "Account"): ["222222222222"],
    ("StackInstanceSummary", "Region"): ["eu-west-1"],
}
"""For an asserted member that is a free string, realistic other values AWS could answer.
Enum members (and :data:`DOCUMENTED_VALUES`) take every other value of their set, booleans the
other boolean."""


def sdk_calls(assembly: Path) -> dict[str, dict[str, Any]]:
    """Every SDK call resource of the assembly's assertion stacks, by logical id."""
    manifest = json.loads((assembly / "integ.json").read_text())
    found = templates(assembly)
    return {
        logical_id: resource
        for case in manifest["testCases"].values()
        for logical_id, resource in found[case["assertionStackName"]]["Resources"].items()
        if resource["Type"].startswith(SDK_CALL)
    }


SNAPSHOT_CALLS = sorted(
    (app, logical_id) for app in APPS for logical_id in sdk_calls(snapshot_dir(app))
)
"""The calls of the committed snapshots, which parametrize the tests below (the snapshot test
shows they are what the apps synthesize; :func:`test_every_synthesized_call_is_covered` too)."""
EACH_CALL = pytest.mark.parametrize(
    "call_id", SNAPSHOT_CALLS, ids=[logical_id for _, logical_id in SNAPSHOT_CALLS]
)


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory) -> dict[str, Path]:
    """Each app synthesized once for this module."""
    found = {}
    for app in APPS:
        found[app] = tmp_path_factory.mktemp(app)
        synthesize(app, found[app], stage_assets=False)
    return found


@pytest.fixture(scope="module")
def calls(assemblies) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (app, logical_id): resource
        for app, assembly in assemblies.items()
        for logical_id, resource in sdk_calls(assembly).items()
    }


# -- what CloudFormation and the handler make of a call --------------------------------------


def placeholder(function: str, argument: Any) -> str:
    """The value that stands for an intrinsic function, the same wherever it appears."""
    digest = hashlib.sha256(json.dumps([function, argument], sort_keys=True).encode())
    return f"resolved-{digest.hexdigest()[:16]}"


def resolve(value: Any) -> Any:
    """``value`` as CloudFormation passes it: every ``Fn::Join`` joined, every reference
    (``Fn::ImportValue``, ``Ref``, ``Fn::GetAtt``) replaced by its :func:`placeholder`."""
    if isinstance(value, list):
        return [resolve(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Fn::Join":
            separator, parts = argument
            joined = [resolve(part) for part in parts]
            assert all(isinstance(part, str) for part in joined), f"not a string: {argument}"
            return separator.join(joined)
        if key in ("Fn::ImportValue", "Ref", "Fn::GetAtt"):
            return placeholder(key, argument)
        assert not key.startswith("Fn::"), f"an intrinsic this test cannot resolve: {key}"
    return {key: resolve(item) for key, item in value.items()}


def request(properties: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters as the handler sends them: each one JSON-parsed
    (``decodeParameters``), kept as it is when it is not JSON."""
    parameters = {}
    for name, encoded in resolve(properties.get("parameters", {})).items():
        try:
            parameters[name] = json.loads(encoded)
        except (TypeError, ValueError):
            parameters[name] = encoded
    return parameters


def expected_json(properties: dict[str, Any]) -> Any:
    """The call's ``expected`` as the handler parses it (``decodeCall``)."""
    text = resolve(properties["expected"])
    try:
        return json.loads(text)
    except ValueError:
        return text


class _NullInPattern(Exception):
    """``Object.keys(null)`` throws in the handler's reviver."""


def _first_key(value: dict[str, Any]) -> str | None:
    """The first key as ``Object.keys`` orders them: array-index keys ascending, then the rest in
    insertion order."""
    indices = sorted((key for key in value if re.fullmatch(r"0|[1-9]\d*", key)), key=int)
    return next(iter([*indices, *(key for key in value if key not in indices)]), None)


def _revive(value: Any) -> Any:
    if value is None:
        raise _NullInPattern
    if isinstance(value, list):
        return [_revive(item) for item in value]
    if not isinstance(value, dict):
        return value
    revived = {key: _revive(item) for key, item in value.items()}
    first = _first_key(revived)
    return HANDLER_MATCHERS[first](revived[first]) if first in HANDLER_MATCHERS else revived


def handler_matcher(parsed: Any) -> Matcher:
    """The matcher the handler builds from a parsed ``expected`` (``MatchCreator``)."""
    try:
        root = _revive(parsed)
    except _NullInPattern:
        return Match.exact(parsed)
    return root if Matcher.is_matcher(root) else Match.exact(root)


def matches(parsed: Any, response: dict[str, Any]) -> bool:
    result = handler_matcher(parsed).test(response)
    result.finished()
    return not result.has_failed()


# -- realistic answers -------------------------------------------------------------------------


_session = botocore.session.get_session()


def operation(properties: dict[str, Any]):
    """botocore's model of the call's operation."""
    service = _session.get_service_model(SERVICES[properties["service"]])
    api = properties["api"]
    return service.operation_model(api[0].upper() + api[1:])


def requested(parameters: dict[str, Any]) -> dict[str, str]:
    """What an answer repeats of its request, by member name: each string parameter, and as
    ``InstanceId`` the one instance that an ``InstanceIds`` list or filter names."""
    found = {name: value for name, value in parameters.items() if isinstance(value, str)}
    instances = parameters.get("InstanceIds") or [
        value
        for condition in parameters.get("Filters", [])
        if condition.get("Name") == "instance-id" or condition.get("Key") == "InstanceIds"
        for value in condition["Values"]
    ]
    if len(instances) == 1:
        found["InstanceId"] = instances[0]
    return found


def filler(shape: Shape, name: str, known: dict[str, str], depth: int = 0) -> Any:
    """A value of ``shape`` with every member filled in, for member ``name``; a string member
    named in ``known`` takes that value."""
    assert depth < 12, f"{shape.name} nests too deep to fill"
    kind = shape.type_name
    if kind == "structure":
        return {
            member: filler(member_shape, member, known, depth + 1)
            for member, member_shape in shape.members.items()
            if member not in PAGE_TOKENS
        }
    if kind == "list":
        return [filler(shape.member, name, known, depth + 1) for _ in range(2)]
    if kind == "map":
        return {f"{name}Key": filler(shape.value, name, known, depth + 1)}
    if kind == "string":
        if name in known:
            return known[name]
        if shape.enum:
            return shape.enum[0]
        text = f"example-{name}"
        return text.ljust(shape.metadata.get("min", 0), "0")
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return TIMESTAMP
    if kind == "blob":
        return b"example"
    raise AssertionError(f"{shape.name}: a shape of type {kind} this test cannot fill")


def other_values(owner: str, member: str, shape: Shape, value: Any) -> list[Any]:
    """Values AWS could answer for an asserted ``value`` of ``owner.member`` instead."""
    if shape.type_name == "boolean":
        return [not value]
    allowed = shape.enum or DOCUMENTED_VALUES.get((owner, member))
    if allowed:
        assert value in allowed, f"{owner}.{member}: {value!r} is not one of {allowed}"
        return [other for other in allowed if other != value]
    others = OTHER_VALUES.get((owner, member))
    assert others, f"{owner}.{member} is asserted: add the values AWS could answer instead"
    assert value not in others
    return others


Path_ = tuple[Any, ...]


class Answer:
    """A realistic response for a pattern (the intent of each encoding: ``$Exact`` and
    ``$ObjectLike`` hold their value, ``$ArrayWith`` elements among others), and the path of
    each asserted member in it with the values it could take instead."""

    def __init__(self, shape: Shape, pattern: Any, known: dict[str, str]):
        self.known = known
        self.asserted: list[tuple[Path_, list[Any]]] = []
        self.response = self._build(shape, pattern, (), shape.name, "")

    def _build(self, shape: Shape, pattern: Any, path: Path_, owner: str, member: str) -> Any:
        if isinstance(pattern, dict) and len(pattern) == 1:
            ((key, inner),) = pattern.items()
            if key in ("$ObjectLike", "$Exact"):
                return self._build(shape, inner, path, owner, member)
            if key == "$ArrayWith":
                assert shape.type_name == "list", f"{shape.name}: arrayWith on a {shape.type_name}"
                return [
                    self._unlike(shape.member, inner[0], self.known),
                    *(
                        self._build(shape.member, element, (*path, index), owner, member)
                        for index, element in enumerate(inner, start=1)
                    ),
                ]
            assert not key.startswith("$"), f"{key}: no realistic answer for this encoding yet"
        if shape.type_name == "structure":
            assert isinstance(pattern, dict), f"{shape.name}: {pattern!r} is not an object"
            unknown = set(pattern) - set(shape.members)
            assert not unknown, f"{shape.name} has no member {sorted(unknown)}"
            return {
                name: self._build(member_shape, pattern[name], (*path, name), shape.name, name)
                if name in pattern
                else filler(member_shape, name, self.known)
                for name, member_shape in shape.members.items()
                if name in pattern or name not in PAGE_TOKENS
            }
        if shape.type_name == "map":
            assert isinstance(pattern, dict), f"{shape.name}: {pattern!r} is not an object"
            filled = AWS_APPLICATION_ATTRIBUTES if shape.name == "InventoryItemEntry" else ["Key"]
            return {
                **{key: filler(shape.value, key, self.known) for key in filled},
                **{
                    key: self._build(shape.value, value, (*path, key), shape.name, key)
                    for key, value in pattern.items()
                },
            }
        if shape.type_name == "list":
            assert isinstance(pattern, list), f"{shape.name}: {pattern!r} is not a list"
            if not pattern:  # an absence: an element there is the change
                self.asserted.append((path, [[filler(shape.member, member, self.known)]]))
            return [
                self._build(shape.member, element, (*path, index), owner, member)
                for index, element in enumerate(pattern)
            ]
        expected_type = {"string": str, "boolean": bool, "integer": int, "long": int}
        assert isinstance(pattern, expected_type[shape.type_name]), (
            f"{owner}.{member}: {pattern!r} is not a {shape.type_name}"
        )
        self.asserted.append((path, other_values(owner, member, shape, pattern)))
        return pattern

    @staticmethod
    def _unlike(shape: Shape, pattern: Any, known: dict[str, str]) -> Any:
        """An element built from ``pattern`` with every asserted member changed."""
        element = Answer(shape, pattern, known)
        value = element.response
        for path, others in element.asserted:
            value = changed(value, path, others[0])
        return value


def changed(response: Any, path: Path_, value: Any) -> Any:
    """A copy of ``response`` with the member at ``path`` set to ``value``."""
    copied = copy.deepcopy(response)
    if not path:
        return value
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def realistic_response(properties: dict[str, Any]) -> Answer:
    answer = Answer(
        operation(properties).output_shape,
        expected_json(properties),
        requested(request(properties)),
    )
    report = ParamValidator().validate(answer.response, operation(properties).output_shape)
    assert not report.has_errors(), report.generate_report()
    return answer


# -- the tests ---------------------------------------------------------------------------------


def test_every_synthesized_call_is_covered(calls):
    assert sorted(calls) == SNAPSHOT_CALLS


@EACH_CALL
def test_the_call_asserts_on_the_whole_response(call_id, calls):
    properties = calls[call_id]["Properties"]
    assert "expected" in properties, "a call that asserts nothing"
    # With an actualPath or outputPaths the handler flattens the response and compares one
    # member of it (or nothing: aws/aws-cdk#30477); the patterns here are written for the
    # whole response.
    assert properties["flattenResponse"] == "false"
    assert not {"actualPath", "outputPaths"} & set(properties)


@EACH_CALL
def test_the_pattern_uses_only_encodings_the_handler_decodes(call_id, calls):
    parsed = expected_json(calls[call_id]["Properties"])
    encodings = re.findall(r'"(\$\w+)":', json.dumps(parsed))
    assert set(encodings) <= set(HANDLER_MATCHERS), (
        f"{set(encodings) - set(HANDLER_MATCHERS)} would be matched literally"
    )
    # Every answer has members the pattern does not name (page tokens at least).
    assert isinstance(parsed, dict) and list(parsed) == ["$ObjectLike"]


@EACH_CALL
def test_the_request_is_valid_for_its_api(call_id, calls):
    model = operation(calls[call_id]["Properties"])
    report = ParamValidator().validate(request(calls[call_id]["Properties"]), model.input_shape)
    assert not report.has_errors(), report.generate_report()


@EACH_CALL
def test_the_pattern_matches_a_realistic_response(call_id, calls):
    properties = calls[call_id]["Properties"]
    answer = realistic_response(properties)
    result = handler_matcher(expected_json(properties)).test(answer.response)
    result.finished()
    assert not result.has_failed(), result.render_mismatch()


@EACH_CALL
def test_the_pattern_fails_once_an_asserted_member_changes(call_id, calls):
    properties = calls[call_id]["Properties"]
    answer = realistic_response(properties)
    assert answer.asserted, "nothing asserted"
    parsed = expected_json(properties)
    passing = [
        (path, other)
        for path, others in answer.asserted
        for other in others
        if matches(parsed, changed(answer.response, path, other))
    ]
    assert not passing, f"still matches with these members changed: {passing}"


def _first_call(calls, api: str) -> dict[str, Any]:
    return next(
        calls[key]["Properties"] for key in sorted(calls) if calls[key]["Properties"]["api"] == api
    )


def test_a_plain_object_inside_array_with_fails_on_a_realistic_response(calls):
    # What the check above guards against: the element of an arrayWith written as a plain
    # object, which the handler's aws-cdk-lib matches literally against AWS's whole element.
    properties = _first_call(calls, "describeInstanceInformation")
    answer = realistic_response(properties)
    parsed = expected_json(properties)
    ((element,),) = [parsed["$ObjectLike"]["InstanceInformationList"]["$ArrayWith"]]
    assert matches(parsed, answer.response)
    parsed["$ObjectLike"]["InstanceInformationList"]["$ArrayWith"] = [element["$ObjectLike"]]
    assert not matches(parsed, answer.response)


def test_expected_result_exact_is_matched_literally_by_the_handler():
    # Why the absence checks are object_like patterns with an empty list: ExpectedResult.exact
    # sends {"$Exact": ...}, which the handler leaves as an object to equal.
    assert not matches(
        {"$Exact": {"InstanceAssociationStatusInfos": []}}, {"InstanceAssociationStatusInfos": []}
    )
    assert matches(
        {"$ObjectLike": {"InstanceAssociationStatusInfos": []}},
        {"InstanceAssociationStatusInfos": []},
    )
    assert not matches(
        {"$ObjectLike": {"InstanceAssociationStatusInfos": []}},
        {"InstanceAssociationStatusInfos": [{"AssociationName": "a"}]},
    )


# -- the order of the checks on the untagged instance --------------------------------------------


def _local_assertions(calls) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for (app, logical_id), resource in calls.items()
        if app == "integ_local"
    }


def _on_untagged(resource: dict[str, Any]) -> bool:
    return "ExportsOutputRefUntagged" in json.dumps(resource["Properties"].get("parameters"))


def _depends_on(resource: dict[str, Any]) -> set[str]:
    return set(resource.get("DependsOn", []))


def test_the_absence_checks_wait_for_the_untagged_instance_to_be_online(calls):
    local = _local_assertions(calls)
    untagged = {lid: r for lid, r in local.items() if _on_untagged(r)}
    (online,) = [
        lid
        for lid, r in untagged.items()
        if r["Properties"]["api"] == "describeInstanceInformation"
    ]
    assert "stateMachineArn" in untagged[online]["Properties"], "Online is read once, not awaited"
    absence = {lid for lid in untagged if lid != online}
    assert {untagged[lid]["Properties"]["api"] for lid in absence} == {
        "describeIamInstanceProfileAssociations",
        "describeInstanceAssociationsStatus",
    }
    for lid in absence:
        assert online in _depends_on(untagged[lid]), f"{lid} may run before the node is Online"


def test_the_untagged_instance_is_awaited_after_every_association_succeeded(calls):
    local = _local_assertions(calls)
    (online,) = [
        lid
        for lid, r in local.items()
        if _on_untagged(r) and r["Properties"]["api"] == "describeInstanceInformation"
    ]
    association_waiters = {
        lid
        for lid, r in local.items()
        if r["Properties"]["api"] in ("describeAssociation", "describeInstanceAssociationsStatus")
        and "stateMachineArn" in r["Properties"]
    }
    # Every option, Update CloudWatch agent (the slowest) included, on both tagged nodes; and
    # the two Automation associations.
    assert len(association_waiters) == 6 * 2 + 2
    assert association_waiters <= _depends_on(local[online])


# -- the apps' wiring: hooks, settings, placement -------------------------------------------------


def _case(assembly: Path) -> dict[str, Any]:
    (case,) = json.loads((assembly / "integ.json").read_text())["testCases"].values()
    return case


def test_the_local_hooks_name_the_stacks_they_clean_up(assemblies):
    case = _case(assemblies["integ_local"])
    assert case["hooks"] == {
        "preDestroy": [
            (
                "python3 teardown.py before-destroy QuickSetupIntegInstances QuickSetupIntegLocal "
                f"{case['assertionStackName']}"
            )
        ],
        "postDestroy": ["python3 teardown.py after-destroy QuickSetupIntegLocal"],
    }


def test_the_organization_hooks_name_the_member_and_the_assertion_stack(assemblies):
    case = _case(assemblies["integ_organization"])
    assert case["hooks"] == {
        "postDeploy": [
            (
                "python3 member_association.py 111111111111 OrganizationAccountAccessRole "
                "us-east-1 QuickSetup-EnableExplorer-integ-org"
            )
        ],
        "preDestroy": [
            f"python3 teardown.py organization-before-destroy {case['assertionStackName']}"
        ],
        "postDestroy": [
            (
                "python3 teardown.py organization-after-destroy 111111111111 "
                "OrganizationAccountAccessRole us-east-1 integ-org"
            )
        ],
    }


def test_the_hooks_name_the_assertion_stack_the_runner_deploys(assemblies):
    # The assertion stack is a top-level stack: its CloudFormation name, which the hooks take,
    # is also the id the CDK CLI selects it by.
    for assembly in assemblies.values():
        case = _case(assembly)
        assert case["assertionStack"] == case["assertionStackName"]
        assert (assembly / f"{case['assertionStackName']}.template.json").is_file()


@pytest.fixture
def organization_app(monkeypatch):
    """integ_organization.py, with none of its variables set."""
    module = _app_module("integ_organization")
    for name in module.PLACEHOLDERS:
        monkeypatch.delenv(name, raising=False)
    return module


def test_the_organization_app_takes_placeholders_only_without_any_setting(
    organization_app, monkeypatch
):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # set by make integ, not a setting to opt in
    assert organization_app.settings() == organization_app.PLACEHOLDERS


def test_the_organization_app_takes_every_setting_from_the_environment(
    organization_app, monkeypatch
):
    given = {
        "QUICKSETUP_INTEG_ORG_OU": "ou-wxyz-33334444",
        "QUICKSETUP_INTEG_MEMBER_ACCOUNT": "222222222222",
        "QUICKSETUP_INTEG_MEMBER_ROLE": "IntegReader",
        "AWS_REGION": "eu-west-1",
    }
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    assert organization_app.settings() == {**given, "QUICKSETUP_INTEG_ORG_CALL_AS": "SELF"}


@pytest.mark.parametrize(
    "given, missing",
    [
        (
            {
                "QUICKSETUP_INTEG_ORG_OU": "ou-wxyz-33334444",
                "QUICKSETUP_INTEG_MEMBER_ROLE": "R",
                "AWS_REGION": "eu-west-1",
            },
            "QUICKSETUP_INTEG_MEMBER_ACCOUNT",
        ),
        (
            {
                "QUICKSETUP_INTEG_ORG_OU": "ou-wxyz-33334444",
                "QUICKSETUP_INTEG_MEMBER_ACCOUNT": "222222222222",
                "AWS_REGION": "eu-west-1",
            },
            "QUICKSETUP_INTEG_MEMBER_ROLE",
        ),
        (
            {
                "QUICKSETUP_INTEG_ORG_OU": "ou-wxyz-33334444",
                "QUICKSETUP_INTEG_MEMBER_ACCOUNT": "222222222222",
                "QUICKSETUP_INTEG_MEMBER_ROLE": "R",
            },
            "AWS_REGION",
        ),
        ({"QUICKSETUP_INTEG_MEMBER_ACCOUNT": "222222222222"}, "QUICKSETUP_INTEG_ORG_OU"),
    ],
)
def test_building_the_organization_app_fails_naming_a_missing_setting(
    organization_app, monkeypatch, given, missing
):
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"^{missing} is not set"):
        organization_app.build(_app_module("harness").integ_app())


VPC_ID = "vpc-0123456789abcdef0"
VPC_LOOKUP = (
    f"vpc-provider:account=111111111111:filter.vpc-id={VPC_ID}:region=us-east-1"
    ":returnAsymmetricSubnets=true"
)
"""The context key of ``Vpc.from_lookup`` for :data:`VPC_ID` (what ``cdk.context.json`` holds
after the CDK CLI looked it up)."""


def _placement(monkeypatch, *subnet_types: str) -> dict[str, Any]:
    """What integ_local.py places its instances with, in a VPC with one subnet of each type."""
    monkeypatch.setenv("QUICKSETUP_INTEG_VPC_ID", VPC_ID)
    looked_up = {
        "vpcId": VPC_ID,
        "vpcCidrBlock": "10.0.0.0/16",
        "availabilityZones": [],
        "subnetGroups": [
            {
                "name": kind,
                "type": kind,
                "subnets": [
                    {
                        "subnetId": f"subnet-{kind.lower()}",
                        "cidr": f"10.0.{index}.0/24",
                        "availabilityZone": "us-east-1a",
                        "routeTableId": f"rtb-{index}",
                    }
                ],
            }
            for index, kind in enumerate(subnet_types)
        ],
    }
    app = cdk.App(context={VPC_LOOKUP: looked_up})
    stack = cdk.Stack(
        app, "Instances", env=cdk.Environment(account="111111111111", region="us-east-1")
    )
    return _app_module("integ_local")._placement(stack)


def test_instances_go_to_a_public_subnet_of_the_vpc_with_a_public_address(monkeypatch):
    (interface,) = _placement(monkeypatch, "Isolated", "Private", "Public")["network_interfaces"]
    assert (interface.subnet_id, interface.associate_public_ip_address) == ("subnet-public", True)


def test_instances_go_to_a_private_subnet_with_egress_without_a_public_one(monkeypatch):
    assert _placement(monkeypatch, "Isolated", "Private") == {"subnet_id": "subnet-private"}


def test_a_vpc_with_only_isolated_subnets_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="neither a public subnet nor a private subnet"):
        _placement(monkeypatch, "Isolated")


def test_the_vpc_lookup_needs_the_account_and_region_of_the_cli(monkeypatch):
    monkeypatch.setenv("QUICKSETUP_INTEG_VPC_ID", VPC_ID)
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-1")
    with pytest.raises(ValueError, match="CDK_DEFAULT_ACCOUNT is not"):
        _app_module("integ_local")._environment()


def test_without_a_vpc_the_instances_go_to_the_default_vpc(assemblies):
    instances = templates(assemblies["integ_local"])["QuickSetupIntegInstances"]["Resources"]
    placed = [
        resource["Properties"]
        for resource in instances.values()
        if resource["Type"] == "AWS::EC2::Instance"
    ]
    assert len(placed) == 3
    assert all(not {"SubnetId", "NetworkInterfaces"} & set(props) for props in placed)
