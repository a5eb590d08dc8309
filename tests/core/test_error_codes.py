"""Every error code the API can answer is declared in some app's `ErrorCode` (an enum in
`apps/<app>/errors.py`, core's in `apps/core/errors.py`) and documented in docs/errors.md.

The codes are found by reading the source (`ast`), not by running it:

- string literals passed as `code` to any call, by keyword or by position (for functions
  of ours with a `code` parameter, such as `error_body` or a service's `_invalid`; by
  position only snake_case values, since `code` also names currency and bank codes),
  and the string defaults of such `code` parameters;
- `code = "..."` in class bodies (the default code of each ApplicationError subclass);
- core's translation of DRF exceptions (`_DRF_CODES`, and the `default_code` fallback);
- the codes simplejwt raises, which the error handler passes through.

Calls to `ValidationError` are skipped: Django's and DRF's validation codes never reach
a client (the handler answers `validation_error` with the messages by field).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import rest_framework_simplejwt

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "apps"
DOCS = ROOT / "docs" / "errors.md"
SIMPLEJWT = Path(rest_framework_simplejwt.__file__).parent
SIMPLEJWT_FILES = [SIMPLEJWT / "authentication.py", SIMPLEJWT / "exceptions.py"]


_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def _sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _code_parameters(trees: list[ast.Module]) -> tuple[dict[str, int], set[str]]:
    """Functions with a `code` parameter: name -> its position (-1 if keyword-only), and
    the string defaults of those parameters."""
    positions: dict[str, int] = {}
    defaults: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            names = [a.arg for a in positional]
            if "code" in names:
                index = names.index("code")
                if names and names[0] in ("self", "cls"):
                    index -= 1
                positions[node.name] = index
                offset = len(positional) - len(args.defaults)
                position = names.index("code")
                if position >= offset and (value := _str(args.defaults[position - offset])):
                    defaults.add(value)
            for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if arg.arg == "code":
                    positions.setdefault(node.name, -1)
                    if value := _str(default):
                        defaults.add(value)
    return positions, defaults


def _codes_in(trees: list[ast.Module], positions: dict[str, int]) -> Iterator[str]:
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _callee_name(node)
                if name == "ValidationError":
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "code" and (value := _str(keyword.value)):
                        yield value
                index = positions.get(name, -1)
                value = _str(node.args[index]) if 0 <= index < len(node.args) else None
                if value and _CODE_SHAPE.match(value):  # not "NGN" passed to currency(code)
                    yield value
                # getattr(exc, "default_code", "error"): the handler's fallback code
                if name == "getattr" and len(node.args) == 3:
                    value = _str(node.args[2]) if _str(node.args[1]) == "default_code" else None
                    if value:
                        yield value
            elif isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and (value := _str(statement.value)):
                        targets = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                        if targets & {"code", "default_code"}:
                            yield value


def _parse(paths: list[Path]) -> list[ast.Module]:
    return [ast.parse(path.read_text(), filename=str(path)) for path in paths]


def answered_codes() -> set[str]:
    """Every code found in the apps' source, core's DRF translation and simplejwt."""
    ours = _parse(_sources(APPS))
    theirs = _parse(SIMPLEJWT_FILES)
    positions, defaults = _code_parameters(ours)
    codes = set(_codes_in(ours, positions)) | set(_codes_in(theirs, {})) | defaults

    from apps.core.errors import _DRF_CODES

    codes |= set(_DRF_CODES.values())
    return codes


def declared() -> dict[str, list[str]]:
    """code -> the apps whose ErrorCode declares it."""
    where: dict[str, list[str]] = {}
    for app in sorted(p.parent.name for p in APPS.glob("*/apps.py")):
        module_name = "apps.core.errors" if app == "core" else f"apps.{app}.errors"
        if not (APPS / app / "errors.py").exists():
            continue
        enum = getattr(importlib.import_module(module_name), "ErrorCode", None)
        assert enum is not None and issubclass(enum, StrEnum), f"{module_name}.ErrorCode"
        for member in enum:
            where.setdefault(member.value, []).append(app)
    return where


def documented() -> set[str]:
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))


def test_the_scan_finds_codes_of_every_kind():
    codes = answered_codes()
    assert {
        "otp_cooldown",  # RateLimited(code=...)
        "amount_too_small",  # _invalid(field, message, "amount_too_small"): positional
        "forbidden_source",  # error_body("forbidden_source", ...)
        "exchange_rate_unavailable",  # class attribute
        "validation_error",  # InvalidInput's default and DRF's ValidationError
        "malformed_request",  # _DRF_CODES
        "server_error",  # handler500
        "token_not_valid",  # simplejwt
    } <= codes
    assert "invalid_phone" not in codes  # ValidationError(code=...) never reaches clients


def test_a_new_code_must_be_declared():
    tree = ast.parse('raise Conflict("Taken.", code="new_thing")')
    assert set(_codes_in([tree], {})) == {"new_thing"}
    assert "new_thing" not in declared()


def test_every_answered_code_is_declared():
    missing = sorted(answered_codes() - set(declared()))
    assert not missing, (
        f"Declare these codes in the ErrorCode of the app that answers them "
        f"(apps/<app>/errors.py) and document them in docs/errors.md: {missing}"
    )


def test_each_code_is_declared_once():
    twice = {code: apps for code, apps in declared().items() if len(apps) > 1}
    assert not twice, f"Declare each code in one app only (the lowest that uses it): {twice}"


def test_every_declared_code_is_documented():
    undocumented = sorted(set(declared()) - documented())
    assert not undocumented, f"Add these codes to docs/errors.md: {undocumented}"
    stale = sorted(documented() - set(declared()))
    assert not stale, f"docs/errors.md lists codes no ErrorCode declares: {stale}"
