"""What the two policies of ``make integ`` (``docs/policies/``) must allow, derived from what runs.

- **The CloudFormation execution policy**: for each resource type of the integration apps'
  templates (their committed snapshots), the permissions that CloudFormation's resource provider
  schema lists for its ``create``, ``update`` and ``delete`` handlers; ``lambda:InvokeFunction``
  for each custom resource; ``ssm:GetParameters`` for each SSM parameter type.
  cfn-lint bundles the provider schemas: ``cfnlint/data/schemas/providers/<Region>.json`` maps
  each resource type to a file of ``cfnlint/data/schemas/resources/``.
- **The deploy policy**: the AWS calls that the hooks of ``integ/`` make with the caller's
  credentials, read from their code, each mapped to its IAM action through botocore's service
  model; and the CDK CLI's own calls (:data:`CDK_CLI_NEEDS`).

Also the small part of IAM's policy evaluation these checks need (:func:`allowing`). Whatever
this module does not understand (a resource type without a schema, a client it cannot trace) is
an error, never a permission left out.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import botocore.session
import cfnlint
from botocore import xform_name
from parliament import iam_definition

INTEG = Path(__file__).resolve().parent
POLICIES = INTEG.parent / "docs" / "policies"
EXECUTION_POLICY = POLICIES / "integ-cfn-execution-policy.json"
DEPLOY_POLICY = POLICIES / "integ-deploy-policy.json"
SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
HANDLERS = ("create", "update", "delete")
"""The handlers CloudFormation runs when it deploys and destroys a stack."""

REGION, ACCOUNT = "us-east-1", "111111111111"
"""Stand-ins for the Region and account in the ARNs that needs are checked against."""

_REGION_FILE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


@dataclass(frozen=True, order=True)
class Need:
    """An IAM action the policy must allow: to whom (``source``), why, and on which resource
    when that is known (``None``: any resource the policy names will do)."""

    action: str
    source: str
    why: str
    resource: str | None = None


# -- IAM: which Allow statements match a request ------------------------------------------------


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` is any run of characters, ``?`` any one character."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def statements(policy: dict) -> list[dict]:
    """The statements of ``policy``; only ``Allow`` with ``Action`` and ``Resource`` is
    understood (``NotAction``, ``NotResource`` and ``Deny`` raise ``ValueError``)."""
    found = policy["Statement"]
    for statement in found:
        if statement.get("Effect") != "Allow" or not {"Action", "Resource"} <= statement.keys():
            raise ValueError(f"statement not understood: {statement}")
        if statement.keys() - {"Sid", "Effect", "Action", "Resource", "Condition"}:
            raise ValueError(f"statement not understood: {statement}")
    return found


def actions_of(statement: dict) -> list[str]:
    return _listed(statement["Action"])


def resources_of(statement: dict) -> list[str]:
    return _listed(statement["Resource"])


def allowing(policy: dict, action: str, resource: str | None = None) -> list[dict]:
    """The statements of ``policy`` that allow ``action`` (case-insensitive, as IAM compares
    actions) on ``resource`` (on some resource when ``None``). Conditions are not evaluated:
    a statement that allows under a condition is returned."""
    return [
        statement
        for statement in statements(policy)
        if any(matches(pattern, action, ignore_case=True) for pattern in actions_of(statement))
        and (resource is None or any(matches(p, resource) for p in resources_of(statement)))
    ]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


# -- The execution policy: CloudFormation's provider schemas ------------------------------------


def snapshot_templates(integ: Path = INTEG) -> dict[str, dict]:
    """Stack name -> template, for every stack of the integration snapshots.

    Only these top-level templates are deployed with the CloudFormation execution role. The
    templates inside an ``AWS::CloudFormation::StackSet``'s ``TemplateBody`` are deployed by
    StackSets in the member accounts, with StackSets' own execution role there."""
    return {
        path.name.removesuffix(".template.json"): load(path)
        for path in sorted(integ.glob("*.py.snapshot/*.template.json"))
    }


@cache
def _providers() -> tuple[dict[str, str], ...]:
    files = sorted((SCHEMAS / "providers").glob("*.json"))
    return tuple(load(path) for path in files if _REGION_FILE.fullmatch(path.stem))


@cache
def handler_permissions(resource_type: str) -> dict[str, frozenset[str]]:
    """Handler -> the permissions its provider schema lists, over every Region whose schemas
    cfn-lint bundles (a Region may hold another version). ``LookupError`` for a type that no
    Region knows."""
    schema_ids = {provider[resource_type] for provider in _providers() if resource_type in provider}
    if not schema_ids:
        raise LookupError(f"no provider schema for {resource_type} in {SCHEMAS}")
    permissions: dict[str, set[str]] = {handler: set() for handler in HANDLERS}
    for schema_id in schema_ids:
        handlers = load(SCHEMAS / "resources" / f"{schema_id}.json").get("handlers", {})
        for handler in HANDLERS:
            permissions[handler].update(handlers.get(handler, {}).get("permissions", []))
    return {handler: frozenset(found) for handler, found in permissions.items()}


def _is_custom(resource_type: str) -> bool:
    return resource_type.startswith("Custom::") or resource_type == (
        "AWS::CloudFormation::CustomResource"
    )


def _custom_resource_function(stack: str, template: dict, logical_id: str) -> str:
    """The logical id of the Lambda function behind a custom resource's ``ServiceToken``;
    ``ValueError`` for any other kind of token (an SNS topic would need ``sns:Publish``)."""
    token = template["Resources"][logical_id]["Properties"]["ServiceToken"]
    target = token.get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
    if (
        token != {"Fn::GetAtt": [target, "Arn"]}
        or template["Resources"].get(target, {}).get("Type") != "AWS::Lambda::Function"
    ):
        raise ValueError(f"{stack}/{logical_id}: a ServiceToken this check does not read: {token}")
    return target


def execution_needs(templates: dict[str, dict]) -> list[Need]:
    """What CloudFormation needs to create, update and delete the stacks of ``templates``: one
    need per resource type and permission (``why``: the handlers that list it); per custom
    resource type, ``lambda:InvokeFunction`` (CloudFormation invokes the function behind its
    ``ServiceToken``); per SSM parameter type, ``ssm:GetParameters`` on that parameter
    (CloudFormation resolves it when it creates the change set)."""
    handlers: dict[tuple[str, str], set[str]] = {}
    needs: set[Need] = set()
    for stack, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            resource_type = resource["Type"]
            if _is_custom(resource_type):
                function = _custom_resource_function(stack, template, logical_id)
                needs.add(Need("lambda:InvokeFunction", resource_type, f"ServiceToken {function}"))
                continue
            for handler, permissions in handler_permissions(resource_type).items():
                for permission in permissions:
                    handlers.setdefault((resource_type, permission), set()).add(handler)
        for name, parameter in template.get("Parameters", {}).items():
            if parameter["Type"].startswith("AWS::SSM::Parameter::"):
                arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{parameter['Default']}"
                needs.add(Need("ssm:GetParameters", f"{stack} parameter {name}", "resolve", arn))
    needs.update(
        Need(permission, resource_type, ", ".join(h for h in HANDLERS if h in found))
        for (resource_type, permission), found in handlers.items()
    )
    return sorted(needs)


INSTANCE_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0"
"""An instance, to ask whether a statement allows an action on instances."""
_MUTATIONS = {"Write", "Tagging", "Permissions management"}


def instance_mutations() -> frozenset[str]:
    """Every EC2 action that changes an instance: in the Service Authorization Reference (as
    parliament bundles it), an access level other than List or Read on the ``instance``
    resource type. A superset of what ``AWS::EC2::Instance``'s handlers call."""
    mutations = set()
    for service in iam_definition:
        if service["prefix"] != "ec2":
            continue
        for privilege in service["privileges"]:
            types = {kind["resource_type"].rstrip("*") for kind in privilege["resource_types"]}
            if privilege["access_level"] in _MUTATIONS and "instance" in types:
                mutations.add(f"ec2:{privilege['privilege']}")
    return frozenset(mutations)


# -- The deploy policy: the hooks' calls, read from their code ----------------------------------


@dataclass(frozen=True, order=True)
class Call:
    """A boto3 client operation called at ``where`` (``integ/<module>:<line>``); ``assumed``
    when the client has credentials passed to it (an assumed role's), not the caller's."""

    where: str
    service: str
    operation: str
    assumed: bool


@dataclass(frozen=True)
class _Client:
    service: str
    assumed: bool


@dataclass(frozen=True)
class _Factory:
    """A function that returns a client: of a fixed ``service``, or of the service its
    parameter number ``parameter`` names."""

    service: str | None
    parameter: int | None
    assumed: bool


@dataclass(frozen=True)
class _Pager:
    """A function that calls ``<its parameter number client>.<method>(<its parameter number
    name>)``, ``method`` being ``get_paginator`` or ``get_waiter``."""

    method: str
    client: int
    name: int


@dataclass
class _Program:
    """What is known across the modules: each function's parameters (by function name); the
    functions that return a session or a client, or page through a client they are given; and
    the clients and sessions passed to each parameter at the call sites."""

    parameters: dict[str, list[str]]
    sessions: dict[str, bool] = field(default_factory=dict)
    clients: dict[str, _Factory] = field(default_factory=dict)
    pagers: dict[str, _Pager] = field(default_factory=dict)
    passed_clients: dict[tuple[str, int], set[_Client]] = field(default_factory=dict)
    passed_sessions: dict[tuple[str, int], set[bool]] = field(default_factory=dict)

    def size(self) -> int:
        """Grows while a pass learns something (nothing is ever forgotten)."""
        return (
            len(self.sessions)
            + len(self.clients)
            + len(self.pagers)
            + sum(
                len(found)
                for found in (*self.passed_clients.values(), *self.passed_sessions.values())
            )
        )


class Untraceable(ValueError):
    """Code that calls AWS in a way the extraction cannot follow; the message says where."""


_SESSIONS = {
    "boto3.Session",
    "boto3.session.Session",
    "botocore.session.Session",
    "botocore.session.get_session",
}
_CREDENTIALS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
_PAGING = ("get_paginator", "get_waiter")
_NOT_OPERATIONS = {"can_paginate", "close"}
"""Methods of a boto3 client that call no operation."""
_Scope = str | None
"""The name of the function a node is in; ``None`` for the module."""


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _operations(service: str) -> dict[str, str]:
    """boto3 method name -> operation name, for ``service``."""
    model = _session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _paged_operation(service: str, method: str, name: str) -> str:
    """The operation that paginator or waiter ``name`` of ``service`` calls."""
    if method == "get_paginator":
        return _operations(service)[name]
    waiters = _session().get_waiter_model(service)
    return waiters.get_waiter({xform_name(w): w for w in waiters.waiter_names}[name]).operation


def action_of(service: str, operation: str) -> str:
    """``<signing name>:<operation>``: the IAM action of an operation."""
    return f"{_session().get_service_model(service).signing_name}:{operation}"


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """Argument number ``index`` (parameter ``name``) of ``call``, by position or keyword."""
    if index < len(call.args):
        return call.args[index]
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _callee(call: ast.Call) -> str:
    """The name of the function ``call`` calls: ``name(...)`` or ``anything.name(...)``."""
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def _passes_credentials(call: ast.Call) -> bool:
    if any(keyword.arg is None for keyword in call.keywords):
        raise Untraceable(f"line {call.lineno}: credentials may be passed as **kwargs")
    return any(keyword.arg in _CREDENTIALS for keyword in call.keywords)


def _parameters_of(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    return [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]


def _functions_of(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    return (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


class _Module:
    """One module's clients and sessions: the names bound to them, in each function and in the
    module, and what the module passes to the functions it calls."""

    def __init__(self, path: Path, tree: ast.Module, program: _Program) -> None:
        self.path, self.tree, self.program = path, tree, program
        self.annotations = {
            (node.name, arg.arg): _dotted(arg.annotation) if arg.annotation else ""
            for node in _functions_of(tree)
            for arg in _parameters_of(node)
        }
        self.sessions: dict[tuple[_Scope, str], set[bool]] = {}
        self.clients: dict[tuple[_Scope, str], set[_Client]] = {}

    def size(self) -> int:
        return sum(len(found) for found in (*self.sessions.values(), *self.clients.values()))

    def scoped(
        self, node: ast.AST | None = None, scope: _Scope = None
    ) -> Iterator[tuple[_Scope, ast.AST]]:
        """Every node, with the function it is in."""
        for child in ast.iter_child_nodes(self.tree if node is None else node):
            yield scope, child
            function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            yield from self.scoped(child, child.name if function else scope)

    def where(self, node: ast.AST) -> str:
        return f"integ/{self.path.name}:{node.lineno}"

    def untraceable(self, node: ast.AST, what: str) -> Untraceable:
        return Untraceable(f"{self.where(node)}: {what}")

    def _found(self, bindings: dict, passed: dict, scope: _Scope, name: str) -> set | None:
        """What ``name`` is bound to in ``scope``, else in the module, else what the call sites
        pass to it as a parameter of ``scope``; ``None`` when it is none of these."""
        for key in ((scope, name), (None, name)):
            if key in bindings:
                return bindings[key]
        parameters = self.program.parameters.get(scope or "", [])
        return passed.get((scope, parameters.index(name)), set()) if name in parameters else None

    def session_of(self, scope: _Scope, node: ast.expr) -> bool | None:
        """Whether ``node`` is a session with passed credentials (``None``: not a session)."""
        if isinstance(node, ast.Call):
            if _dotted(node.func) in _SESSIONS:
                return _passes_credentials(node)
            if isinstance(node.func, ast.Name) and node.func.id in self.program.sessions:
                return self.program.sessions[node.func.id]
            return None
        if not isinstance(node, ast.Name):
            return None
        found = self._found(self.sessions, self.program.passed_sessions, scope, node.id)
        if not found and self.annotations.get((scope, node.id)) in _SESSIONS:
            return False
        return all(found) if found else None

    def clients_of(self, scope: _Scope, node: ast.expr) -> set[_Client]:
        """The clients ``node`` may be: one made there (directly or by a helper function), or
        the ones a name is bound or passed to."""
        if isinstance(node, ast.Name):
            return self._found(self.clients, self.program.passed_clients, scope, node.id) or set()
        if not isinstance(node, ast.Call):
            return set()
        factory = self._factory(scope, node.func)
        if factory is not None:
            if factory.service is not None:
                return {_Client(factory.service, factory.assumed)}
            name = self.program.parameters[_callee(node)][factory.parameter]
            service = _literal(_argument(node, factory.parameter, name))
            if service is None:
                raise self.untraceable(
                    node, f"{ast.unparse(node.func)}() of a service not spelled out"
                )
            return {_Client(service, factory.assumed)}
        made = self.construction(scope, node)
        return {made} if made else set()

    def _factory(self, scope: _Scope, func: ast.expr) -> _Factory | None:
        """The client factory that ``func`` names: ``name``, or ``module.name``."""
        if isinstance(func, ast.Name):
            return self.program.clients.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id != "boto3"
            and self.session_of(scope, func.value) is None
            and not self.clients_of(scope, func.value)
        ):
            return self.program.clients.get(func.attr)
        return None

    def construction(self, scope: _Scope, node: ast.Call) -> _Client | None:
        """The client that ``node`` makes (``boto3.client``, ``<session>.client``,
        ``<botocore session>.create_client``), or ``None``. ``Untraceable`` when it is made
        from something else, or its service is not a string literal."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("client", "create_client")):
            return None
        assumed = self.made_with_credentials(scope, node)
        service = _literal(_argument(node, 0, "service_name"))
        if service is None:
            raise self.untraceable(node, "a client whose service is not spelled out")
        return _Client(service, assumed)

    def made_with_credentials(self, scope: _Scope, node: ast.Call) -> bool:
        receiver = node.func.value
        session = False if _dotted(receiver) == "boto3" else self.session_of(scope, receiver)
        if session is None:
            raise self.untraceable(node, f"a client made from {ast.unparse(receiver)}")
        return session or _passes_credentials(node)

    def learn(self) -> None:
        """One pass: the helper functions, the names bound to sessions and clients, and what
        is passed to each function's parameters."""
        for node in _functions_of(self.tree):
            self._helper(node)
        for scope, node in self.scoped():
            for name, value in _assignments(node):
                self._bind(scope, name, value)
            if isinstance(node, ast.Call) and _callee(node) in self.program.parameters:
                self._pass(scope, node)

    def _bind(self, scope: _Scope, name: str, value: ast.expr) -> None:
        if not isinstance(value, ast.Call):
            return
        try:
            session = self.session_of(scope, value)
            clients = set() if session is not None else self.clients_of(scope, value)
        except Untraceable:
            return  # raised again where the client's calls are read
        if session is not None:
            self.sessions.setdefault((scope, name), set()).add(session)
        if clients:
            self.clients.setdefault((scope, name), set()).update(clients)

    def _pass(self, scope: _Scope, call: ast.Call) -> None:
        callee = _callee(call)
        for index, parameter in enumerate(self.program.parameters[callee]):
            argument = _argument(call, index, parameter)
            if argument is None:
                continue
            try:
                session = self.session_of(scope, argument)
                clients = self.clients_of(scope, argument)
            except Untraceable:
                continue
            if session is not None:
                self.program.passed_sessions.setdefault((callee, index), set()).add(session)
            if clients:
                self.program.passed_clients.setdefault((callee, index), set()).update(clients)

    def _helper(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Learn whether ``node`` returns a session or a client it makes, or pages through a
        client it is given, by a name it is given."""
        parameters = self.program.parameters[node.name]
        for _, inner in self.scoped(node, node.name):
            try:
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call | ast.Name):
                    self._returned(node.name, parameters, inner.value)
            except Untraceable:
                continue
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in _PAGING
                and isinstance(inner.func.value, ast.Name)
                and inner.func.value.id in parameters
                and inner.args
                and isinstance(inner.args[0], ast.Name)
                and inner.args[0].id in parameters
            ):
                self.program.pagers.setdefault(
                    node.name,
                    _Pager(
                        inner.func.attr,
                        parameters.index(inner.func.value.id),
                        parameters.index(inner.args[0].id),
                    ),
                )

    def _returned(self, function: str, parameters: list[str], value: ast.expr) -> None:
        session = self.session_of(function, value)
        if session is not None:
            self.program.sessions.setdefault(function, session)
            return
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in ("client", "create_client")
        ):
            return
        service = _argument(value, 0, "service_name")
        if isinstance(service, ast.Name) and service.id in parameters:
            factory = _Factory(
                None, parameters.index(service.id), self.made_with_credentials(function, value)
            )
        else:
            made = self.construction(function, value)
            factory = _Factory(made.service, None, made.assumed)
        self.program.clients.setdefault(function, factory)

    def calls(self, services: set[str]) -> Iterator[Call]:
        """The operations the module calls. ``Untraceable`` for a call that looks like an
        operation (its name is one of ``services``) on something untraced."""
        for scope, node in self.scoped():
            if not isinstance(node, ast.Call):
                continue
            yield from self._paged_calls(scope, node)
            if not isinstance(node.func, ast.Attribute):
                continue
            method, clients = node.func.attr, self.clients_of(scope, node.func.value)
            if not clients and any(method in _operations(service) for service in services):
                raise self.untraceable(
                    node,
                    f"{ast.unparse(node.func)}() looks like an AWS "
                    "call on a client the extraction cannot trace",
                )
            for client in clients:
                operation = self._operation(scope, node, method, client)
                if operation is not None:
                    yield Call(self.where(node), client.service, operation, client.assumed)

    def _operation(self, scope: _Scope, node: ast.Call, method: str, client: _Client) -> str | None:
        if method in _PAGING:
            argument = _argument(node, 0, "operation_name" if method == _PAGING[0] else "name")
            name = _literal(argument)
            if name is not None:
                return _paged_operation(client.service, method, name)
            if scope in self.program.pagers:
                return None  # read where the helper is called
            raise self.untraceable(node, f"{method}() of a name not spelled out")
        if method in _operations(client.service):
            return _operations(client.service)[method]
        if method in _NOT_OPERATIONS:
            return None
        raise self.untraceable(node, f"{client.service} has no operation {method}")

    def _paged_calls(self, scope: _Scope, node: ast.Call) -> Iterator[Call]:
        """The operations of a call to a paging helper (:class:`_Pager`)."""
        name = _callee(node)
        pager = self.program.pagers.get(name)
        if pager is None or (
            isinstance(node.func, ast.Attribute) and self.clients_of(scope, node.func.value)
        ):
            return
        parameters = self.program.parameters[name]
        operation = _literal(_argument(node, pager.name, parameters[pager.name]))
        client_argument = _argument(node, pager.client, parameters[pager.client])
        clients = self.clients_of(scope, client_argument) if client_argument else set()
        if operation is None or not clients:
            raise self.untraceable(node, f"{name}() with a client or a name not traced")
        for client in clients:
            paged = _paged_operation(client.service, pager.method, operation)
            yield Call(self.where(node), client.service, paged, client.assumed)


def _assignments(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """``name = value`` pairs of an assignment, ``a, b = x, y`` included."""
    if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
        return
    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
        if isinstance(target, ast.Name):
            yield target.id, node.value
        elif (
            isinstance(target, ast.Tuple)
            and isinstance(node.value, ast.Tuple)
            and len(target.elts) == len(node.value.elts)
        ):
            for element, value in zip(target.elts, node.value.elts, strict=True):
                if isinstance(element, ast.Name):
                    yield element.id, value


def client_calls(paths: Iterable[Path]) -> list[Call]:
    """Every boto3 client operation that the modules at ``paths`` call: on a client made in
    place, bound to a name (in the function or the module) or passed to a parameter (followed
    from the call sites); made from a session or by a helper function of any of the modules;
    and through paginators, waiters and helpers that page through a client they are given.
    ``Untraceable`` for a call the extraction cannot follow."""
    trees = {path: ast.parse(path.read_text(), str(path)) for path in sorted(paths)}
    program = _Program(
        {
            node.name: [arg.arg for arg in _parameters_of(node)]
            for tree in trees.values()
            for node in _functions_of(tree)
        }
    )
    modules = [_Module(path, tree, program) for path, tree in trees.items()]
    while True:  # until a pass learns nothing more
        known = program.size() + sum(module.size() for module in modules)
        for module in modules:
            module.learn()
        if program.size() + sum(module.size() for module in modules) == known:
            break
    services = {
        client.service
        for module in modules
        for bound in module.clients.values()
        for client in bound
    } | {factory.service for factory in program.clients.values() if factory.service}
    return sorted({call for module in modules for call in module.calls(services)})


def hook_modules(integ: Path = INTEG) -> list[Path]:
    """The code of ``integ/`` that ``make integ`` runs: every module but this one."""
    return [path for path in sorted(integ.glob("*.py")) if path.name != Path(__file__).name]


CDK_CLI_NEEDS = (
    # The CDK CLI (node_modules/aws-cdk, SDK.currentAccount) asks STS for the account it deploys
    # to, with the caller's credentials.
    Need("sts:GetCallerIdentity", "CDK CLI", "the account to deploy to"),
    # With a modern bootstrap stack the CLI does everything else through the bootstrap roles it
    # assumes (SdkProvider.withAssumedRole, no session tags unless the assembly asks for them):
    # CloudFormation through the deploy role, the assets' upload through the file publishing
    # role, and the read of the deployed templates (Deployments.readCurrentTemplate) through
    # the lookup role.
    *(
        Need(
            "sts:AssumeRole",
            "CDK CLI",
            f"the bootstrap {role} role",
            f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-{role}-role-{ACCOUNT}-{REGION}",
        )
        for role in ("deploy", "file-publishing", "lookup")
    ),
)
"""What the CDK CLI calls with the caller's own credentials during ``cdk deploy`` and
``cdk destroy`` (``cdk synth`` and ``cdk list`` call nothing for these apps: no lookups)."""


def deploy_needs(calls: Iterable[Call]) -> list[Need]:
    """The caller's needs: the calls made with its own credentials, and :data:`CDK_CLI_NEEDS`."""
    return sorted(
        {
            Need(action_of(call.service, call.operation), call.where, call.operation)
            for call in calls
            if not call.assumed
        }
        | set(CDK_CLI_NEEDS)
    )
