"""The packages' lazy exports, as type checkers and as Python see them.

A name is imported from its module when first used (PEP 562 ``__getattr__``), so importing the
package starts no jsii kernel. Type checkers do not run ``__getattr__``: they read ``__all__``
spelled out and the imports under ``if TYPE_CHECKING:``. These tests keep the three lists
(``_EXPORTS``, ``__all__``, the typing imports) equal, so a new name cannot reach users typed
as ``Any``."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = ["quicksetup_constructs", "quicksetup_constructs.organization"]


def typing_imports(package: str) -> dict[str, str]:
    """name -> module (relative, as written) of the imports under ``if TYPE_CHECKING:``."""
    source = Path(importlib.import_module(package).__file__).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                for alias in statement.names:
                    found[alias.asname or alias.name] = "." * statement.level + statement.module
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_spelled_out_and_equals_the_lazy_exports(package):
    module = importlib.import_module(package)
    assert isinstance(module.__all__, list)  # its order is ruff's (RUF022)
    assert sorted(module.__all__) == sorted(set(module.__all__)) == sorted(module._EXPORTS)


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_each_export_imported_from_its_own_module(package):
    assert typing_imports(package) == importlib.import_module(package)._EXPORTS


@pytest.mark.parametrize("package", PACKAGES)
def test_each_export_resolves_to_the_object_of_its_module(package):
    module = importlib.import_module(package)
    for name, source in module._EXPORTS.items():
        assert getattr(module, name) is getattr(importlib.import_module(source, package), name)


def test_importing_the_package_starts_no_jsii_kernel():
    code = (
        "import sys, quicksetup_constructs, quicksetup_constructs.organization; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
