"""A fake Paystack API on loopback for the benchmark: answers like Paystack, after a delay.

    python bench/fake_paystack.py --port 18090 --latency-ms 100

Asyncio, HTTP/1.1 with keep-alive: thousands of concurrent requests each waiting out the
latency cost one coroutine apiece, so the fake is never the bottleneck. The answers are
the recorded Paystack examples the tests use (tests/payments/fixtures/paystack/*.json),
with the reference, amount and currency of the request put in.

Endpoints (what the app's client calls):

- POST /transaction/initialize: remembers reference -> (amount, currency).
- GET /transaction/verify/<ref>: `success` with the remembered amount, or, for a reference
  the harness made itself (`...-a<amount><CUR>`, e.g. `bwh-12-a510000NGN`), the amount
  and currency written in it. Anything else: 404 like Paystack.
- GET /bank, GET /bank/resolve, POST /transferrecipient, POST /transfer,
  GET /transfer/verify/<ref>.
- POST /sendgrid/v3/mail/send: 202, the email provider (bench/settings.py points
  anymail's SendGrid backend here).

Control (the harness, not the app): GET /__bench/latency?ms=N sets the delay for every
later answer; GET /__bench/stats gives the request counts per path.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests/payments/fixtures/paystack"
_MADE_UP = re.compile(r"-a(?P<amount>\d+)(?P<currency>[A-Z]{3})$")


def _fixture(name: str) -> dict[str, Any]:
    try:
        body = json.loads((FIXTURES / f"{name}.json").read_text())["body"]
    except (OSError, KeyError, ValueError):
        body = {"status": True, "message": "ok", "data": {}}
    return body


class FakePaystack:
    def __init__(self, latency_ms: float) -> None:
        self.latency = latency_ms / 1000
        self.known: dict[str, tuple[int, str]] = {}
        self.counts: Counter[str] = Counter()
        self.next_id = 3_000_000_000
        self.shapes = {
            name: _fixture(name)
            for name in (
                "transaction_initialize",
                "transaction_verify",
                "bank_list",
                "bank_resolve",
                "transfer_recipient",
                "transfer_initiate",
                "transfer_verify",
            )
        }

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def answer(self, method: str, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query)
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return 400, {"status": False, "message": "Invalid JSON"}
        if method == "POST" and path.endswith("/mail/send"):
            return 202, {}
        if method == "POST" and path == "/transaction/initialize":
            reference = str(payload.get("reference") or f"fake{self._id()}")
            amount, currency = int(payload.get("amount") or 0), str(payload.get("currency") or "")
            if reference in self.known:
                return 400, {"status": False, "message": "Duplicate Transaction Reference"}
            self.known[reference] = (amount, currency or "NGN")
            envelope = copy.deepcopy(self.shapes["transaction_initialize"])
            code = f"ac{self._id()}"
            envelope["data"] = {
                "authorization_url": f"https://checkout.paystack.com/{code}",
                "access_code": code,
                "reference": reference,
            }
            return 200, envelope
        if method == "GET" and path.startswith("/transaction/verify/"):
            reference = path.rsplit("/", 1)[1]
            found = self.known.get(reference)
            if found is None and (made := _MADE_UP.search(reference)):
                found = (int(made["amount"]), made["currency"])
            if found is None:
                return 404, {"status": False, "message": "Transaction reference not found"}
            envelope = copy.deepcopy(self.shapes["transaction_verify"])
            envelope["data"].update(
                id=self._id(), reference=reference, amount=found[0], currency=found[1]
            )
            envelope["data"]["requested_amount"] = found[0]
            return 200, envelope
        if method == "GET" and path == "/bank":
            return 200, self.shapes["bank_list"]
        if method == "GET" and path == "/bank/resolve":
            envelope = copy.deepcopy(self.shapes["bank_resolve"])
            envelope["data"]["account_number"] = (query.get("account_number") or [""])[0]
            return 200, envelope
        if method == "POST" and path == "/transferrecipient":
            envelope = copy.deepcopy(self.shapes["transfer_recipient"])
            envelope["data"]["recipient_code"] = f"RCP_{self._id()}"
            return 201, envelope
        if method == "POST" and path == "/transfer":
            envelope = copy.deepcopy(self.shapes["transfer_initiate"])
            envelope["data"].update(
                reference=payload.get("reference"),
                amount=payload.get("amount"),
                transfer_code=f"TRF_{self._id()}",
                status="pending",
            )
            return 200, envelope
        if method == "GET" and path.startswith("/transfer/verify/"):
            envelope = copy.deepcopy(self.shapes["transfer_verify"])
            envelope["data"]["reference"] = path.rsplit("/", 1)[1]
            return 200, envelope
        return 404, {"status": False, "message": f"No fake for {method} {path}"}

    def control(self, target: str) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(target)
        if parts.path == "/__bench/latency":
            ms = (parse_qs(parts.query).get("ms") or [None])[0]
            if ms is not None:
                self.latency = float(ms) / 1000
            return 200, {"latency_ms": self.latency * 1000}
        if parts.path == "/__bench/stats":
            return 200, {"counts": dict(self.counts), "latency_ms": self.latency * 1000}
        return 404, {"message": "unknown control path"}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                if target.startswith("/__bench/"):
                    status, answer = self.control(target)
                else:
                    self.counts[f"{method} {urlsplit(target).path.split('/')[1]}"] += 1
                    if self.latency > 0:
                        await asyncio.sleep(self.latency)
                    status, answer = self.answer(method, target, body)
                data = json.dumps(answer).encode()
                close = headers.get("connection", "").lower() == "close"
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n"
                    f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


async def serve(host: str, port: int, latency_ms: float) -> None:
    fake = FakePaystack(latency_ms)
    server = await asyncio.start_server(fake.handle, host, port, backlog=1024)
    print(f"fake paystack on http://{host}:{port} latency {latency_ms} ms", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Paystack for the benchmark")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port, args.latency_ms))
    except KeyboardInterrupt:
        sys.exit(0)
    except OSError as exc:
        sys.exit(f"fake paystack: cannot listen on {args.host}:{args.port}: {exc}")


if __name__ == "__main__":
    main()
