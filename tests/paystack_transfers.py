"""A small stateful fake of Paystack's bank and transfer API at the HTTP layer.

Answers are Paystack's documented examples (tests/payments/fixtures/paystack/), with our
values put in: the fake remembers recipients and transfers, refuses a second transfer
with a reference it has seen (as Paystack does: "Duplicate Transfer Reference"), and
a test decides what each new transfer answers (`next_status`) and fails calls on demand.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
from pathlib import Path
from typing import Any

import responses

from tests.paystack import PAYSTACK_URL as PAYSTACK

FIXTURES = Path(__file__).parent / "payments" / "fixtures" / "paystack"


def documented(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text())["body"])


class FakeTransfers:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.transfers: dict[str, dict[str, Any]] = {}
        self.recipients: list[dict[str, Any]] = []
        self.next_status = "pending"  # what a new transfer answers: pending | otp | success
        self.fail: dict[str, Any] = {}  # "transfer" | "resolve" | "finalize" -> (status, body)
        self.account_names = {"0123456789": "ADA OBI"}
        self._ids = itertools.count(860_700_001)
        self._lock = threading.Lock()
        mock.add_callback(responses.GET, f"{PAYSTACK}/bank", callback=self._banks)
        mock.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(PAYSTACK)}/bank/resolve.*"),
            callback=self._resolve,
        )
        mock.add_callback(responses.POST, f"{PAYSTACK}/transferrecipient", callback=self._recipient)
        mock.add_callback(responses.POST, f"{PAYSTACK}/transfer", callback=self._transfer)
        mock.add_callback(
            responses.POST, f"{PAYSTACK}/transfer/finalize_transfer", callback=self._finalize
        )
        mock.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(PAYSTACK)}/transfer/verify/.+"),
            callback=self._verify,
        )

    # --- what a test looks at ---

    def calls(self, path: str, method: str = "POST") -> list:
        return [
            c
            for c in self.mock.calls
            if c.request.method == method and c.request.url.split("?")[0] == f"{PAYSTACK}{path}"
        ]

    def event(self, kind: str, reference: str, **data: Any) -> dict[str, Any]:
        """A transfer.success|failed|reversed webhook body, as documented, for `reference`."""
        body = documented(f"transfer.{kind}")
        transfer = self.transfers[reference]
        body["data"].update(
            reference=reference,
            amount=transfer["amount"],
            currency=transfer["currency"],
            transfer_code=transfer["transfer_code"],
            id=transfer["id"],
            status=kind,
        )
        body["data"].update(data)
        return body

    def settle(self, reference: str, status: str) -> None:
        """What verify will say of the transfer from now on."""
        self.transfers[reference]["status"] = status

    # --- the API ---

    def _failure(self, kind: str) -> tuple[int, dict, str] | None:
        failure = self.fail.get(kind)
        if failure is None:
            return None
        if isinstance(failure, BaseException):
            raise failure
        status, body = failure
        return status, {}, json.dumps(body)

    def _banks(self, request: Any) -> tuple[int, dict, str]:
        body = documented("bank_list")
        body["meta"] = {"next": None, "previous": None, "perPage": 100}
        return 200, {}, json.dumps(body)

    def _resolve(self, request: Any) -> tuple[int, dict, str]:
        failed = self._failure("resolve")
        if failed:
            return failed
        number = re.search(r"account_number=(\d+)", request.url).group(1)
        name = self.account_names.get(number)
        if name is None:
            body = {
                "status": False,
                "message": "Could not resolve account name. Check parameters or try again.",
            }
            return 422, {}, json.dumps(body)
        body = documented("bank_resolve")
        body["data"].update(account_number=number, account_name=name)
        return 200, {}, json.dumps(body)

    def _recipient(self, request: Any) -> tuple[int, dict, str]:
        sent = json.loads(request.body)
        body = documented("transfer_recipient")
        code = f"RCP_{next(self._ids)}"
        body["data"].update(
            recipient_code=code,
            name=sent["name"],
            type=sent["type"],
            currency=sent["currency"],
            id=next(self._ids),
        )
        body["data"]["details"].update(
            account_number=sent["account_number"],
            account_name=sent["name"],
            bank_code=sent["bank_code"],
            bank_name="Access Bank" if sent["bank_code"] == "044" else "A Bank",
        )
        self.recipients.append(body["data"])
        return 200, {}, json.dumps(body)

    def _transfer(self, request: Any) -> tuple[int, dict, str]:
        failed = self._failure("transfer")
        if failed:
            return failed
        sent = json.loads(request.body)
        with self._lock:
            if sent["reference"] in self.transfers:
                body = {"status": False, "message": "Duplicate Transfer Reference"}
                return 400, {}, json.dumps(body)
            name = "transfer_initiate_otp" if self.next_status == "otp" else "transfer_initiate"
            body = documented(name)
            transfer = body["data"]
            transfer.update(
                amount=sent["amount"],
                currency=sent["currency"],
                reference=sent["reference"],
                reason=sent.get("reason", ""),
                status=self.next_status,
                transfer_code=f"TRF_{next(self._ids)}",
                id=next(self._ids),
            )
            self.transfers[sent["reference"]] = dict(transfer)
        return 200, {}, json.dumps(body)

    def _finalize(self, request: Any) -> tuple[int, dict, str]:
        failed = self._failure("finalize")
        if failed:
            return failed
        sent = json.loads(request.body)
        transfer = next(
            t for t in self.transfers.values() if t["transfer_code"] == sent["transfer_code"]
        )
        if sent["otp"] != "123456":
            body = {"status": False, "message": "Invalid OTP"}
            return 400, {}, json.dumps(body)
        transfer["status"] = "pending"
        body = documented("transfer_initiate")
        body["message"] = "Transfer has been queued"
        body["data"].update(transfer)
        return 200, {}, json.dumps(body)

    def _verify(self, request: Any) -> tuple[int, dict, str]:
        reference = request.url.rsplit("/", 1)[-1]
        transfer = self.transfers.get(reference)
        if transfer is None:
            body = {"status": False, "message": "Transfer not found"}
            return 404, {}, json.dumps(body)
        body = documented("transfer_verify")
        body["data"].update(transfer)
        return 200, {}, json.dumps(body)
