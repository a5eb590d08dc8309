"""What the smoke walks share: one check that prints a line and remembers failures."""

import sys

import requests

failures: list[str] = []


def check(name: str, response: requests.Response, status: int) -> dict:
    ok = response.status_code == status
    print(f"smoke: {'ok  ' if ok else 'FAIL'} {name} -> {response.status_code}")
    if not ok:
        failures.append(
            f"{name}: expected {status}, got {response.status_code}: {response.text[:300]}"
        )
    try:
        return response.json()
    except ValueError:
        return {}


def finish(success_line: str) -> None:
    if failures:
        print("smoke: FAILED", *failures, sep="\n  ", file=sys.stderr)
        sys.exit(1)
    print(success_line)
