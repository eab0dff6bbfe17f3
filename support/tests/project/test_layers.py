"""The folders are the architecture: each layer imports only the layers below it."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "sessionlab"
# What each layer may import (besides itself). The package root only re-exports infra.
ALLOWED = {
    "infra": set(),
    "web": {"infra"},
    "apps": {"web", "infra"},
    "labs": {"apps", "web", "infra", "exercises"},
    "exercises": {"labs", "apps", "web", "infra"},
    "": {"infra"},
    # cli (``python -m sessionlab serve``) runs a reference app with its store: above apps, beside labs.
    "cli": {"apps", "web", "infra"},
}


def sessionlab_imports(path: Path) -> set[str]:
    """Layer names (``infra``, ``web``, ...) that a module imports from, at any depth."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{path.name}: use absolute imports (from sessionlab.… import …)")
            parts = node.module.split(".")
            if parts[0] == "sessionlab":
                layers.add(parts[1] if len(parts) > 1 else "")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sessionlab" and len(parts) > 1:
                    layers.add(parts[1])
    return layers


MODULES = sorted(PKG.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_imports_only_lower_layers(path):
    rel = path.relative_to(PKG)
    layer = rel.parts[0] if len(rel.parts) > 1 else ""
    if rel.name == "__main__.py":  # ``python -m sessionlab`` is only the CLI's entry point
        layer = "cli"
    wrong = sessionlab_imports(path) - ALLOWED[layer] - {layer}
    assert not wrong, f"{rel} ({layer or 'sessionlab'}) imports {sorted(wrong)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_says_what_it_is_for(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{path.relative_to(PKG)} has no docstring saying what it is for"


def test_no_flat_modules_left():
    flat = sorted(p.name for p in PKG.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert not flat, f"modules outside the layer folders: {flat}"


def test_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""x"""\nfrom sessionlab.labs.lab05 import MultiServerLab\n')
    assert sessionlab_imports(bad) == {"labs"} and "labs" not in ALLOWED["web"]


def long_units(path: Path, max_function: int = 60) -> list[str]:
    """Functions longer than ``max_function`` lines in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > max_function
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_modules_and_functions_fit_on_a_few_screens(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 420, f"{path.relative_to(PKG)} has {lines} lines: split it by topic"
    assert long_units(path) == [], f"{path.relative_to(PKG)}: split these functions {long_units(path)}"


def test_size_check_catches_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    long = tmp_path / "long.py"
    long.write_text(f'"""x"""\n\n\ndef huge():\n{body}\n')
    assert long_units(long) == ["huge: 71 lines"]
