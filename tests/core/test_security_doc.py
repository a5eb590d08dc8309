"""docs/security.md names the tests that cover each OWASP API Top 10 item: they exist."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)::([\w:]+)")
ITEMS = [f"API{n}:2023" for n in range(1, 11)]


def _tests_in(path: Path) -> set[str]:
    """`test_x` and `TestClass::test_x` for every test defined in the file."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return names


def test_every_item_of_the_top_ten_has_a_section_with_tests():
    text = DOC.read_text()
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert [section.split()[0] for section in sections] == ITEMS
    for section in sections:
        assert REFERENCE.search(section), section.splitlines()[0]


def test_every_named_test_exists():
    missing = []
    for file, name in REFERENCE.findall(DOC.read_text()):
        path = ROOT / file
        if not path.is_file():
            missing.append(f"{file} (no such file)")
            continue
        if name not in _tests_in(path):
            missing.append(f"{file}::{name}")
    assert missing == []
