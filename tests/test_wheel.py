"""The distribution users install: built from the tree, its files and metadata checked.

Built with ``build`` and checked with ``twine check --strict`` from their own virtual
environment (``make test`` creates ``.venv-package``): checkov, in the dev extra, pins
``packaging<24`` and ``urllib3==1.26.20``, which the twine able to read Metadata 2.4 cannot
share, and twine 5 refuses Metadata 2.4, which a ``license`` expression gives.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / ".venv-package" / "bin"
NEVER_SHIPPED = ("tests/", "bench/", "integ/", "sample_app/", "docs/")
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "node_modules",
    "build",
    "dist",
    "site",
    "cdk.out",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
)
"""What a clean clone lacks. A stale ``*.egg-info`` would hide a file dropped from the package
data: setuptools reads its ``SOURCES.txt`` back."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist of a clean copy of the tree, built once for the module."""
    if not (PACKAGE / "twine").exists():
        pytest.fail(f"{PACKAGE.parent} is missing: run the tests through `make test`")
    source = tmp_path_factory.mktemp("source") / "tree"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    outdir = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            str(PACKAGE / "python"),
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=outdir,
    )
    (wheel,) = outdir.glob("*.whl")
    (sdist,) = outdir.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def metadata_of(wheel: Path) -> tuple[Any, str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        (entry_points,) = (
            n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")
        )
        return (Parser().parsestr(archive.read(name).decode()), archive.read(entry_points).decode())


def test_the_wheel_ships_the_type_marker_and_the_json_schema(built):
    # PEP 561: "Package maintainers who wish to support type checking of their code MUST add a
    # marker file named py.typed to their package".
    names = names_in(built["wheel"])
    assert "quicksetup_constructs/py.typed" in names
    assert "quicksetup_constructs/cli/schema/output.schema.json" in names


def test_the_wheel_ships_every_module_of_the_package(built):
    expected = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "quicksetup_constructs").rglob("*.py")
    }
    assert expected - names_in(built["wheel"]) == set()


def test_the_wheel_ships_nothing_but_the_package_and_its_metadata(built):
    names = names_in(built["wheel"])
    assert [n for n in names if n.startswith(NEVER_SHIPPED)] == []
    outside = {n.split("/")[0] for n in names} - {"quicksetup_constructs"}
    assert len(outside) == 1 and outside.pop().endswith(".dist-info")


def test_the_metadata_names_the_runtime_dependencies_and_the_command(built):
    metadata, entry_points = metadata_of(built["wheel"])
    assert metadata["Name"] == "quicksetup-constructs"
    assert metadata["License-Expression"] == "Apache-2.0"
    requires = metadata.get_all("Requires-Dist")
    assert [r for r in requires if "extra ==" not in r] == [
        "aws-cdk-lib<3,>=2.257",
        "constructs<11,>=10",
    ]
    assert "quicksetup = quicksetup_constructs.cli.entry:main" in entry_points


def test_twine_check_passes_on_the_wheel_and_the_sdist(built):
    result = subprocess.run(
        [str(PACKAGE / "twine"), "check", "--strict", str(built["wheel"]), str(built["sdist"])],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
