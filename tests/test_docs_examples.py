"""Every Python example of README.md and docs/ runs.

Each ```python block is executed in this process, in a namespace of its own, and every CDK app
it leaves is synthesized once, without an error annotation. A block that continues an app (it
uses ``app`` and ``stack`` without making them) names the set-up it continues in an HTML comment
on the line before it, ``<!-- docs-example: setup=NAME -->``, one of ``SETUPS`` below. A block
that cannot run here says why, ``<!-- docs-example: skip=REASON -->``, and is skipped with that
reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
MARKER = re.compile(r"^<!-- docs-example: (?P<kind>setup|skip)=(?P<value>\S.*?) -->$")

# What a block that continues an app starts from. The organization's account count is the one a
# first synth would cache in cdk.context.json (docs/organization.md, "Account look-up and its
# cache"), so that no example looks anything up in AWS.
SETUPS = {
    "stack": """
import aws_cdk as cdk
from quicksetup_constructs import QuickSetupLocal

app = cdk.App()
stack = cdk.Stack(app, "HostManagement")
""",
    "organization": """
import aws_cdk as cdk
from quicksetup_constructs import QuickSetupLocal, QuickSetupOrganization

REGIONS = ["us-east-1", "ap-northeast-1"]
app = cdk.App(context={"quicksetup:organization-accounts:ou-abcd-11112222": 120})
stack = cdk.Stack(app, "OrgQuickSetup",
                  env=cdk.Environment(account="111111111111", region="us-east-1"))
""",
}


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    code: str
    setup: str | None = None
    skip: str | None = None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def examples(path: Path) -> list[Example]:
    """The ```python blocks of ``path``, each with the marker on the line before it."""
    page = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").split("\n")
    found, index = [], 0
    while index < len(lines):
        if lines[index].strip() != "```python":
            index += 1
            continue
        end = lines.index("```", index + 1)
        marker = MARKER.match(lines[index - 1]) if index else None
        kind = {marker["kind"]: marker["value"]} if marker else {}
        found.append(Example(page, index + 1, "\n".join(lines[index + 1 : end]) + "\n", **kind))
        index = end + 1
    return found


EXAMPLES = [example for page in PAGES for example in examples(page)]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.id)
def test_the_example_runs(example):
    if example.skip:
        pytest.skip(example.skip)
    import aws_cdk as cdk
    from aws_cdk import cx_api

    source = SETUPS[example.setup] + example.code if example.setup else example.code
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    exec(compile(source, example.id, "exec"), namespace)
    apps = [value for value in namespace.values() if isinstance(value, cdk.App)]
    for app in apps:
        assembly = app.synth()  # the block's own synth() is cached: each app synthesizes once
        errors = [
            f"{stack.stack_name}: {message.entry.data}"
            for stack in assembly.stacks
            for message in stack.messages
            if message.level == cx_api.SynthesisMessageLevel.ERROR
        ]
        assert errors == [], example.id


def test_the_minimal_example_of_the_readme_is_one_that_runs():
    (first, *_) = [e for e in EXAMPLES if e.page == "README.md"]
    assert "QuickSetupLocal(stack" in first.code
    assert first.setup is None and first.skip is None


def test_every_marker_is_well_formed_and_stands_before_a_python_block():
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, start=1):
            if "docs-example" not in line:
                continue
            where = f"{page.relative_to(ROOT)}:{number}"
            marker = MARKER.match(line)
            assert marker, f"{where}: not <!-- docs-example: setup=NAME|skip=REASON -->"
            assert marker["kind"] == "skip" or marker["value"] in SETUPS, where
            assert lines[number].strip() == "```python", f"{where}: no ```python block after it"


def test_the_api_reference_documents_every_public_name():
    import quicksetup_constructs

    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: quicksetup_constructs\.(\w+)$", api, re.MULTILINE))
    assert documented == set(quicksetup_constructs.__all__)


def test_every_relative_link_of_the_readme_reaches_a_file():
    # The site's links are checked by `make docs` (strict); the README is not one of its pages.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [
        target
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
        if "://" not in target
    ]
    assert "docs/api.md" in links
    assert [link for link in links if not (ROOT / link).is_file()] == []
