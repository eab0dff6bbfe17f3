"""List notebook asserts that cannot fail because they check only what the notebook itself wrote.

Usage: python tools/claim_asserts.py [notebooks/NN_name.ipynb ...]   (no argument: every notebook)

A heuristic, not a proof: a name counts as *written* when its last assignment before the
assert is a literal (a number, a string, a list of them, an f-string of literals); an assert
is reported when it uses no name at all, or only written names. Everything measured comes
from a call (a request, a Redis command, a browser run), so it is never reported.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return all(_is_literal(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values)
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return True


# Calls that only reshape what they are given; any other call in an assert measures something.
PURE = {
    "len",
    "set",
    "sorted",
    "list",
    "dict",
    "tuple",
    "str",
    "int",
    "float",
    "abs",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "round",
    "isinstance",
    "bool",
    "frozenset",
    "repr",
}


def _measures(node: ast.AST) -> bool:
    """Does the expression call something (a server, a store, a checker) rather than only reshape values?"""
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name) and n.func.id in PURE):
            return True
    return False


def _names(node: ast.AST) -> set[str]:
    called = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - called


def _record(target: ast.expr, literal: bool, written: dict[str, bool]) -> None:
    if isinstance(target, (ast.Subscript, ast.Attribute)):  # x[k] = ..., x.a = ...: x now holds more
        literal = False
    for n in ast.walk(target):
        if isinstance(n, ast.Name):
            written[n.id] = literal


class _Walker(ast.NodeVisitor):
    """Visits one cell in source order, tracking which names hold only literals."""

    def __init__(self, source: str, cell: int, written: dict[str, bool], found: list[tuple[int, str]]):
        self.source, self.cell, self.written, self.found = source, cell, written, found

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            _record(target, _is_literal(node.value), self.written)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        _record(node.target, False, self.written)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        if node.value is not None:
            _record(node.target, _is_literal(node.value), self.written)

    def visit_For(self, node: ast.For) -> None:
        _record(node.target, False, self.written)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute):  # results.append(...), findings.update(...)
            _record(node.func.value, False, self.written)

    def visit_Assert(self, node: ast.Assert) -> None:
        used = _names(node.test)
        if _measures(node.test):
            return
        if not used or all(self.written.get(n, False) for n in used):
            self.found.append((self.cell, ast.get_source_segment(self.source, node) or ast.dump(node.test)))


def unmeasured_asserts(cells: list[str]) -> list[tuple[int, str]]:
    """(code cell number, assert source) for each assert that checks no measured value."""
    written: dict[str, bool] = {}  # name -> bound to a literal at its last assignment
    found: list[tuple[int, str]] = []
    for i, source in enumerate(cells):
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        _Walker(text, i, written, found).visit(tree)
    return found


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    total = 0
    for path in paths:
        for cell, text in unmeasured_asserts(code_cells(path)):
            print(f"{path.name} code cell {cell}: {text}")
            total += 1
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
