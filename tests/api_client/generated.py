"""A Python client generated from an OpenAPI document by openapi-python-client.

`generate(schema, into)` runs the generator (the dev extra pins it) in a subprocess and
fails on anything it says beyond "Generating <path>": with `--fail-on-warning` an
endpoint or model it could not generate is an exit 1, and no other message is taken as
harmless either. `GeneratedClient` imports the package and finds each operation by its
method and path (what the server serves; path parameters' names aside), not by the
generator's module names, which follow the schema's operation ids and tags: those can be
renamed without breaking clients that call by path.
"""

from __future__ import annotations

import importlib
import io
import re
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

# No post-hooks: the default ones run `ruff` from PATH over the generated code, which only
# reformats it. The package name is ours so that it cannot shadow anything installed.
CONFIG = "post_hooks: []\n"
PACKAGE = "krogiving_generated_client"

_OPERATION = re.compile(r'"method": "(?P<method>[a-z]+)",\s*"url": "(?P<path>[^"]+)"')
_PATH_PARAMETER = re.compile(r"\{[^}]*\}")


def _key(method: str, path: str) -> tuple[str, str]:
    """Path parameters' names do not matter (the generated functions take them in order)."""
    return method.upper(), _PATH_PARAMETER.sub("{}", path)


class GeneratorFailed(AssertionError):
    pass


def generate(schema: Path, into: Path) -> Path:
    """Generate the client package for `schema` under `into`; returns the package's folder."""
    config = into / "openapi-python-client.yaml"
    config.write_text(CONFIG)
    package = into / PACKAGE
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(package),
            "--config",
            str(config),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=into,
    )
    said = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and line.strip() != f"Generating {package}"
    ]
    if result.returncode != 0 or said:
        raise GeneratorFailed(
            f"openapi-python-client exited {result.returncode} on {schema}:\n" + "\n".join(said)
        )
    return package


class GeneratedClient:
    """The generated package, imported, with its operations found by method and path."""

    def __init__(self, package: Path, base_url: str) -> None:
        self.base_url = base_url
        self._root = str(package.parent)
        sys.path.insert(0, self._root)
        self._forget()
        self.package = importlib.import_module(PACKAGE)
        self.client_module = importlib.import_module(f"{PACKAGE}.client")
        self.types = importlib.import_module(f"{PACKAGE}.types")
        self.operations: dict[tuple[str, str], ModuleType] = {}
        for file in sorted((package / "api").rglob("*.py")):
            match = _OPERATION.search(file.read_text())
            if match:
                name = ".".join((PACKAGE, *file.relative_to(package).with_suffix("").parts))
                self.operations[_key(match["method"], match["path"])] = importlib.import_module(
                    name
                )

    def close(self) -> None:
        self._forget()
        if self._root in sys.path:
            sys.path.remove(self._root)

    @staticmethod
    def _forget() -> None:
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]

    # --- clients -----------------------------------------------------------------------

    def anonymous(self) -> Any:
        return self.client_module.Client(
            base_url=self.base_url, raise_on_unexpected_status=True, timeout=_timeout()
        )

    def signed_in(self, access_token: str) -> Any:
        return self.client_module.AuthenticatedClient(
            base_url=self.base_url,
            token=access_token,
            raise_on_unexpected_status=True,
            timeout=_timeout(),
        )

    # --- operations --------------------------------------------------------------------

    def operation(self, method: str, path: str) -> ModuleType:
        try:
            return self.operations[_key(method, path)]
        except KeyError:
            known = "\n".join(f"  {m} {p}" for m, p in sorted(self.operations))
            raise AssertionError(
                f"the generated client has no {method} {path}; it has:\n{known}"
            ) from None

    def body_type(self, method: str, path: str) -> type:
        """The model the generated function takes as `body` (whatever the schema names it)."""
        hint = typing.get_type_hints(self.operation(method, path).sync_detailed)["body"]
        models = [t for t in (typing.get_args(hint) or (hint,)) if hasattr(t, "from_dict")]
        assert models, f"{method} {path} takes no model body: {hint}"
        return models[0]

    def body(self, method: str, path: str, **values: Any) -> Any:
        """The operation's body model, built by the model's own `from_dict`."""
        return self.body_type(method, path).from_dict(values)

    def file(self, payload: bytes, name: str, mime_type: str) -> Any:
        return self.types.File(payload=io.BytesIO(payload), file_name=name, mime_type=mime_type)

    def call(
        self, method: str, path: str, client: Any, expect: int, *in_path: Any, **arguments: Any
    ) -> Any:
        """Call the generated function with the path's values in order (`in_path`) and the
        rest by name (`body`, query parameters); the answer must be `expect` and parse into
        the model the schema declares for it (a parse error or a missing field fails here)."""
        answer = self.operation(method, path).sync_detailed(*in_path, client=client, **arguments)
        assert answer.status_code == expect, (
            f"{method} {path}: {answer.status_code} {answer.content[:2000]!r}"
        )
        assert answer.parsed is not None, f"{method} {path}: nothing parsed"
        error_model = getattr(importlib.import_module(f"{PACKAGE}.models"), "Error", None)
        if error_model is not None:
            assert not isinstance(answer.parsed, error_model), answer.content
        return answer.parsed


def _timeout() -> httpx.Timeout:
    return httpx.Timeout(60.0)
