"""``quicksetup status --managed-instances``: the instances a configuration targets that Systems
Manager does not manage, each with its likely reason.

The targeted instances are read from EC2 (``DescribeInstances`` with the targets' filters:
``tag:<key>``, ``tag-key``, ``instance-id``; a resource group's members through the Resource
Groups API, ``ListGroupResources``; no filter for all instances). The managed nodes are read
from Systems Manager (``DescribeInstanceInformation``), for the running instances only: it
describes no stopped or terminated node. Its ``InstanceIds`` filter takes at most 100 values
and a page holds at most 50 nodes (botocore's ``ssm`` model: ``Values`` 1-100, ``MaxResults``
5-50), so the ids go in chunks of 100, read :data:`DEFAULT_CONCURRENCY` (``--max-concurrency``)
at a time.

Each instance that is not a managed node gets the first reason that applies, in the terms of
the user guide's "Troubleshooting managed node availability" (:data:`GUIDE`): not running;
registered but its agent not online (``PingStatus`` ConnectionLost or Inactive); no instance
profile, unless Default Host Management Configuration is on (``GetServiceSetting``, read only
then), which needs none (:data:`DHMC_GUIDE`); the profile's role lacks
``AmazonSSMManagedInstanceCore`` (IAM ``GetInstanceProfile`` and ``ListAttachedRolePolicies``,
read once per profile); else its SSM Agent never registered (not installed or not running, or
no route to the endpoints; with DHMC, also IMDSv1 only or an older agent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from .aws import Aws, error_code, paginate
from .discovery import DeployedConfiguration
from .errors import CliError

T = TypeVar("T")
R = TypeVar("R")

KEY = "managed_instances"
TITLE = "Managed instances"
GUIDE = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "fleet-manager-troubleshooting-managed-nodes.html"
)
"""AWS Systems Manager User Guide, "Troubleshooting managed node availability"."""
DHMC_GUIDE = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "managed-instances-default-host-management.html"
)
"""AWS Systems Manager User Guide, "Default Host Management Configuration": with it on, "all
instances using Instance Metadata Service Version 2 (IMDSv2) ... with SSM Agent version
3.2.582.0 or later installed automatically become managed instances", without an instance
profile."""
DHMC_AGENT_VERSION = "3.2.582.0"
CORE_POLICY = "AmazonSSMManagedInstanceCore"
"""The AWS managed policy an instance profile's role needs for the node to be managed."""
INSTANCE_IDS_PER_CALL = 100
"""``DescribeInstanceInformation``: a filter's ``Values`` hold 1 to 100 ids."""
NODES_PER_PAGE = 50
"""``DescribeInstanceInformation``: ``MaxResults`` 5 to 50."""
INSTANCES_PER_PAGE = 1000
"""``DescribeInstances``: ``MaxResults`` 5 to 1000."""
DEFAULT_CONCURRENCY = 16
"""Calls at a time (``--max-concurrency``' default)."""
RUNNING = "running"
ONLINE = "Online"
EC2_INSTANCE = "AWS::EC2::Instance"

NOT_RUNNING = "not_running"
AGENT_NOT_ONLINE = "agent_not_online"
NO_INSTANCE_PROFILE = "no_instance_profile"
ROLE_LACKS_POLICY = "role_lacks_policy"
AGENT_NOT_REGISTERED = "agent_not_registered"
REASONS = {
    NOT_RUNNING: "not running",
    AGENT_NOT_ONLINE: "SSM Agent not online",
    NO_INSTANCE_PROFILE: "no instance profile",
    ROLE_LACKS_POLICY: f"the profile's role lacks {CORE_POLICY}",
    AGENT_NOT_REGISTERED: "SSM Agent not registered",
}
"""Each reason's code (in JSON) and words (in text), in the order they are looked for."""


@dataclass(frozen=True)
class UnmanagedInstance:
    """A targeted instance that is not a managed node, and why (likely)."""

    instance_id: str
    reason: str
    """One of :data:`REASONS`' codes."""
    detail: str
    guide: str
    """Where the user guide explains the reason."""
    state: str
    """The instance's state (``running``, ``stopped``, ...)."""
    instance_profile: str | None = None
    """The ARN of the instance's IAM instance profile, if it has one."""
    ping_status: str | None = None
    """Systems Manager's ``PingStatus`` (None: not registered)."""


@dataclass(frozen=True)
class ManagedInstancesStatus:
    """The managed-instances card of a configuration."""

    key: str
    title: str
    status: str
    """Failed when a running instance is not managed, else Success (an instance that is not
    running is listed, and is no failure)."""
    targets: str
    """The targets in words."""
    target_count: int
    """Instances the targets reach now."""
    managed_count: int
    """Of these, the managed nodes whose agent is online."""
    unmanaged: list[UnmanagedInstance]


@dataclass(frozen=True)
class _Selector:
    """The instances one association's ``Targets`` reach: EC2 filters (all must match), within
    a resource group when ``group`` is set; every instance when both are empty."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class _Instance:
    instance_id: str
    state: str
    profile_arn: str | None


def selector(targets: Iterable[Any], where: str) -> _Selector:
    """The :class:`_Selector` of an association's ``Targets`` (``templates.Target``s).

    Raises :class:`CliError` for a target key it does not understand: its reach is unknown,
    and is never taken to be every instance."""
    filters: list[tuple[str, tuple[str, ...]]] = []
    group: str | None = None
    type_filter = False
    for target in targets:
        key, values = target.key, tuple(dict.fromkeys(target.values))
        if not values:
            raise _unknown(key, values, where)
        if key in ("InstanceIds", EC2_INSTANCE) and "*" in values:
            continue  # every instance: no filter (narrowed by any other target)
        if key in ("InstanceIds", "ParameterValues") and "*" not in values:
            filters.append(("instance-id", values))
        elif key.startswith("tag:") and len(key) > 4:
            filters.append((key, values))
        elif key == "tag-key":
            filters.append(("tag-key", values))
        elif key in ("resource-groups:Name", "ResourceGroup") and len(values) == 1:
            group = values[0]
        elif key == "resource-groups:ResourceTypeFilters" and values == (EC2_INSTANCE,):
            type_filter = True
        else:
            raise _unknown(key, values, where)
    if type_filter and group is None:
        raise _unknown("resource-groups:ResourceTypeFilters", (EC2_INSTANCE,), where)
    return _Selector(tuple(filters), group)


def _unknown(key: str, values: tuple[str, ...], where: str) -> CliError:
    shown = ",".join(values) or "(no value)"
    return CliError(
        f"{where} targets {key}={shown}, which quicksetup cannot turn into instances (it "
        "understands InstanceIds, tag:<key>, tag-key, resource-groups:Name, ParameterValues "
        "and ResourceGroup)"
    )


def configuration_selectors(configuration: DeployedConfiguration) -> list[_Selector]:
    """The distinct selectors of the configuration's associations (those with targets)."""
    found: dict[_Selector, None] = {}
    for association in configuration.associations:
        if association.targets:
            where = f"association {association.association_name or association.association_id}"
            found[selector(association.targets, where)] = None
    return list(found)


class _Reader:
    """Reads instances, managed nodes and instance profiles, at most ``concurrency`` calls at
    a time (the calling thread's, and a pool of ``concurrency - 1`` workers); each selector,
    node and profile read once.

    The managed nodes are read while the instances still are: each chunk of 100 running
    instances goes to the pool as soon as ``DescribeInstances`` has given it."""

    def __init__(self, aws: Aws, concurrency: int) -> None:
        self.aws = aws
        self.ec2 = aws.client("ec2")
        self.ssm = aws.client("ssm")
        self._pool = ThreadPoolExecutor(max_workers=concurrency - 1) if concurrency > 1 else None
        self._selected: dict[_Selector, dict[str, _Instance]] = {}
        self._ping: dict[str, str] = {}
        self._asked: set[str] = set()
        self._waiting: list[str] = []
        self._nodes_read: list[Future[dict[str, str]]] = []
        self._profiles: dict[str, str | None] = {}
        self.dhmc_role: str | None = None
        """The role Default Host Management Configuration registers (None: off, or not read)."""

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _submit(self, function: Callable[[T], R], item: T) -> Future[R]:
        if self._pool is not None:
            return self._pool.submit(function, item)
        future: Future[R] = Future()
        try:
            future.set_result(function(item))
        except BaseException as error:  # given back by result(), as a pool does
            future.set_exception(error)
        return future

    def map(self, function: Callable[[T], R], items: list[T]) -> list[R]:
        """``function`` of each item, in the pool, in order."""
        futures = [self._submit(function, item) for item in items]
        return [future.result() for future in futures]

    # EC2 and Resource Groups

    def instances(self, found: _Selector) -> dict[str, _Instance]:
        if found not in self._selected:
            self._selected[found] = self._read(found)
        return self._selected[found]

    def _read(self, found: _Selector) -> dict[str, _Instance]:
        filters = [{"Name": name, "Values": list(values)} for name, values in found.filters]
        if found.group is not None:
            members = self._group_instances(found.group)
            if not members:
                return {}
            filters.append({"Name": "instance-id", "Values": members})
        ids = next((f["Values"] for f in filters if f["Name"] == "instance-id"), None)
        found_instances: dict[str, _Instance] = {}
        parts: list[Iterable[_Instance]]
        if ids is None or len(ids) <= INSTANCE_IDS_PER_CALL:
            parts = [self._describe(filters)]
        else:
            others = [f for f in filters if f["Name"] != "instance-id"]
            calls = [
                [*others, {"Name": "instance-id", "Values": chunk}]
                for chunk in _chunks(list(dict.fromkeys(ids)), INSTANCE_IDS_PER_CALL)
            ]
            parts = list(self.map(lambda call: list(self._describe(call)), calls))
        for part in parts:
            for instance in part:
                found_instances[instance.instance_id] = instance
                if instance.state == RUNNING:
                    self._ask(instance.instance_id)
        return found_instances

    def _describe(self, filters: list[dict[str, Any]]) -> Iterator[_Instance]:
        params: dict[str, Any] = {"MaxResults": INSTANCES_PER_PAGE}
        if filters:
            params["Filters"] = filters
        for reservation in paginate(self.ec2, "describe_instances", "Reservations", **params):
            for item in reservation.get("Instances") or []:
                yield _Instance(
                    instance_id=item["InstanceId"],
                    state=(item.get("State") or {}).get("Name", ""),
                    profile_arn=(item.get("IamInstanceProfile") or {}).get("Arn"),
                )

    def _group_instances(self, group: str) -> list[str]:
        """The ids of the EC2 instances in resource group ``group``."""
        from botocore.exceptions import ClientError

        try:
            resources = list(
                paginate(
                    self.aws.client("resource-groups"),
                    "list_group_resources",
                    "Resources",
                    Group=group,
                    Filters=[{"Name": "resource-type", "Values": [EC2_INSTANCE]}],
                )
            )
        except ClientError as error:
            if error_code(error) != "NotFoundException":
                raise
            raise CliError(
                f"resource group {group!r}, a target of the configuration, does not exist in "
                f"{self.aws.region}"
            ) from None
        arns = [(r.get("Identifier") or {}).get("ResourceArn", "") for r in resources]
        return [arn.rsplit("/", 1)[-1] for arn in arns if ":instance/" in arn]

    # Systems Manager

    def _ask(self, instance_id: str) -> None:
        """Read whether ``instance_id`` is a managed node, with the next full chunk."""
        if instance_id in self._asked:
            return
        self._asked.add(instance_id)
        self._waiting.append(instance_id)
        if len(self._waiting) == INSTANCE_IDS_PER_CALL:
            self._nodes_read.append(self._submit(self._nodes, self._waiting))
            self._waiting = []

    def read_ping_statuses(self) -> None:
        """Wait for the managed nodes among the running instances asked about."""
        if self._waiting:
            self._nodes_read.append(self._submit(self._nodes, self._waiting))
            self._waiting = []
        for future in self._nodes_read:
            self._ping.update(future.result())
        self._nodes_read = []

    def _nodes(self, instance_ids: list[str]) -> dict[str, str]:
        return {
            node["InstanceId"]: node.get("PingStatus", "")
            for node in paginate(
                self.ssm,
                "describe_instance_information",
                "InstanceInformationList",
                Filters=[{"Key": "InstanceIds", "Values": instance_ids}],
                MaxResults=NODES_PER_PAGE,
            )
        }

    def ping_status(self, instance_id: str) -> str | None:
        return self._ping.get(instance_id)

    def read_dhmc_role(self) -> None:
        from botocore.exceptions import ClientError

        from .status import DHMC_OFF, DHMC_SETTING_ID

        try:
            setting = self.ssm.get_service_setting(SettingId=DHMC_SETTING_ID)
        except ClientError as error:
            if error_code(error) != "ServiceSettingNotFound":
                raise
            return
        value = (setting.get("ServiceSetting") or {}).get("SettingValue")
        self.dhmc_role = None if not value or value == DHMC_OFF else value

    # IAM

    def read_profiles(self, arns: Iterable[str]) -> None:
        wanted = [arn for arn in dict.fromkeys(arns) if arn not in self._profiles]
        for arn, why in zip(wanted, self.map(self._lacks_policy, wanted), strict=True):
            self._profiles[arn] = why

    def profile_problem(self, arn: str) -> str | None:
        """Why the profile's role lacks the policy (None: it has it)."""
        return self._profiles.get(arn)

    def _lacks_policy(self, arn: str) -> str | None:
        from botocore.exceptions import ClientError

        iam = self.aws.client("iam")
        name = arn.rsplit("/", 1)[-1]
        try:
            profile = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        except ClientError as error:
            if error_code(error) != "NoSuchEntity":
                raise
            return f"instance profile {name} not found"
        roles = [role.get("RoleName", "") for role in profile.get("Roles") or []]
        if not roles:
            return f"instance profile {name} has no role"
        for role in roles:
            attached = paginate(
                iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role
            )
            if any(_is_core_policy(policy.get("PolicyArn", "")) for policy in attached):
                return None
        return f"instance profile {name}: role {roles[0]} has no {CORE_POLICY} attached"


def _is_core_policy(arn: str) -> bool:
    """Whether ``arn`` is the AWS managed policy (``arn:<partition>:iam::aws:policy/...``); a
    customer managed policy of the same name is not it."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[4] == "aws" and parts[5] == f"policy/{CORE_POLICY}"


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unmanaged(instance: _Instance, reader: _Reader) -> UnmanagedInstance | None:
    """Why ``instance`` is not a managed node (the first reason of :data:`REASONS` that
    applies), or None when it is one with its agent online."""
    ping = reader.ping_status(instance.instance_id)

    def why(reason: str, detail: str, guide: str = GUIDE) -> UnmanagedInstance:
        return UnmanagedInstance(
            instance_id=instance.instance_id,
            reason=reason,
            detail=detail,
            guide=guide,
            state=instance.state,
            instance_profile=instance.profile_arn,
            ping_status=ping,
        )

    if instance.state != RUNNING:
        return why(NOT_RUNNING, f"instance state {instance.state or 'unknown'}")
    if ping == ONLINE:
        return None
    if ping is not None:
        return why(AGENT_NOT_ONLINE, f"ping status {ping}")
    if instance.profile_arn is None and reader.dhmc_role is not None:
        return why(
            AGENT_NOT_REGISTERED,
            f"no instance profile, which Default Host Management Configuration (on, role "
            f"{reader.dhmc_role}) does not need; it manages instances that use IMDSv2 and run "
            f"SSM Agent {DHMC_AGENT_VERSION} or later, and reach the Systems Manager endpoints",
            DHMC_GUIDE,
        )
    if instance.profile_arn is None:
        return why(NO_INSTANCE_PROFILE, "no IAM instance profile attached")
    problem = reader.profile_problem(instance.profile_arn)
    if problem is not None:
        return why(ROLE_LACKS_POLICY, problem)
    return why(
        AGENT_NOT_REGISTERED,
        (
            "running, with a profile that allows it, yet not registered: the agent is not "
            "installed or not running, or cannot reach the Systems Manager endpoints"
        ),
    )


def managed_instances(
    aws: Aws,
    configurations: list[DeployedConfiguration],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> dict[str, ManagedInstancesStatus]:
    """The managed-instances card of each configuration, by configuration id."""
    from .status import FAILED, SUCCESS

    selectors = {
        configuration.configuration_id: configuration_selectors(configuration)
        for configuration in configurations
    }  # every target understood before any call
    reader = _Reader(aws, concurrency)
    try:
        targeted: dict[str, dict[str, _Instance]] = {}
        for configuration in configurations:
            instances: dict[str, _Instance] = {}
            for found in selectors[configuration.configuration_id]:
                instances.update(reader.instances(found))
            targeted[configuration.configuration_id] = instances
        reader.read_ping_statuses()
        everyone = {i.instance_id: i for group in targeted.values() for i in group.values()}
        unregistered = [
            item
            for item in everyone.values()
            if item.state == RUNNING and reader.ping_status(item.instance_id) is None
        ]
        reader.read_profiles(item.profile_arn for item in unregistered if item.profile_arn)
        if any(item.profile_arn is None for item in unregistered):
            reader.read_dhmc_role()
    finally:
        reader.close()
    cards: dict[str, ManagedInstancesStatus] = {}
    for configuration in configurations:
        instances = targeted[configuration.configuration_id]
        unmanaged = [
            why
            for why in (_unmanaged(instances[key], reader) for key in sorted(instances))
            if why is not None
        ]
        failed = any(item.reason != NOT_RUNNING for item in unmanaged)
        cards[configuration.configuration_id] = ManagedInstancesStatus(
            key=KEY,
            title=TITLE,
            status=FAILED if failed else SUCCESS,
            targets=configuration.targets,
            target_count=len(instances),
            managed_count=len(instances) - len(unmanaged),
            unmanaged=unmanaged,
        )
    return cards


def with_managed_instances(
    aws: Aws,
    configurations: list[DeployedConfiguration],
    statuses: list[Any],
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[Any]:
    """``statuses`` (``status.ConfigurationStatus``, one per configuration) with their
    managed-instances cards."""
    from dataclasses import replace

    cards = managed_instances(aws, configurations, concurrency=concurrency)
    return [
        replace(status, managed_instances=cards[status.configuration_id]) for status in statuses
    ]
