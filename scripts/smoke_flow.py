"""Walk a campaign from register to its first donation on the embedded default, over HTTP.

register -> create draft -> upload a real PNG -> retitle (the slug follows) -> submit ->
staff sign-in with password + TOTP -> approve -> public list and detail, old slug too ->
a donor initializes a donation -> pays on the sandbox checkout page -> the campaign's
raised amount, donor count, donations and leaderboard agree (the ledger is checked by
`manage.py ledger_check` afterwards, in smoke_sqlite.sh).

Usage: python scripts/smoke_flow.py BASE_URL  (with SMOKE_STAFF_EMAIL,
SMOKE_STAFF_PASSWORD and SMOKE_TOTP_URL, the otpauth:// URL from `totp_enroll`).
"""

import io
import os
import re
import sys
import time
import uuid
from base64 import b32decode
from urllib.parse import parse_qs, urlparse

import requests
from django_otp.oath import totp
from PIL import Image
from smoke_common import check, failures, finish

BASE = sys.argv[1].rstrip("/")


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def totp_now(otpauth_url: str, steps_ahead: int = 0) -> str:
    """The authenticator's code; `steps_ahead=1` is the next one (a code works once, and
    the device accepts one step of drift)."""
    secret = parse_qs(urlparse(otpauth_url).query)["secret"][0]
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def fresh_code(used: str) -> str:
    """A code the sign-in did not spend: this moment's, or the next step's when this
    moment's is the one used (the device accepts one step of drift). However long the walk
    took since the sign-in, the code is never too old."""
    now = totp_now(os.environ["SMOKE_TOTP_URL"])
    return now if now != used else totp_now(os.environ["SMOKE_TOTP_URL"], steps_ahead=1)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


creator = {
    "email": f"creator-{uuid.uuid4().hex[:8]}@example.com",
    "password": "smoke-Creator-42",
    "first_name": "Ada",
    "last_name": "Obi",
}
tokens = check(
    "register creator", requests.post(f"{BASE}/v1/users/register", json=creator, timeout=10), 201
)
auth = bearer(tokens.get("access"))
draft = check(
    "POST /v1/campaigns",
    requests.post(
        f"{BASE}/v1/campaigns",
        json={
            "title": "Help Ada walk",
            "story": "Ada needs surgery on her knee so she can walk to school again. " * 3,
            "goal_amount": 50_000_000,
            "currency": "NGN",
            "category": "medical",
        },
        headers=auth,
        timeout=10,
    ),
    201,
)
campaign_id, first_slug = draft.get("id"), draft.get("slug")
check(
    "POST /v1/file-upload (PNG)",
    requests.post(
        f"{BASE}/v1/file-upload",
        files={"file": ("photo.png", png(), "image/png")},
        data={"campaign": campaign_id, "kind": "image"},
        headers=auth,
        timeout=30,
    ),
    201,
)
retitled = check(
    "PATCH /v1/campaigns/<id> (title)",
    requests.patch(
        f"{BASE}/v1/campaigns/{campaign_id}",
        json={"title": "Help Ada walk again"},
        headers=auth,
        timeout=10,
    ),
    200,
)
check(
    "POST /v1/campaigns/<id>/submit",
    requests.post(f"{BASE}/v1/campaigns/{campaign_id}/submit", headers=auth, timeout=10),
    200,
)
staff = check(
    "POST /v1/admin/auth/sign-in",
    requests.post(
        f"{BASE}/v1/admin/auth/sign-in",
        json={
            "email": os.environ["SMOKE_STAFF_EMAIL"],
            "password": os.environ["SMOKE_STAFF_PASSWORD"],
            "otp": (signin_code := totp_now(os.environ["SMOKE_TOTP_URL"])),
        },
        timeout=10,
    ),
    200,
)
check(
    "PATCH /v1/admin/campaigns/<id>/status approve",
    requests.patch(
        f"{BASE}/v1/admin/campaigns/{campaign_id}/status",
        json={"action": "approve"},
        headers=bearer(staff.get("access")),
        timeout=10,
    ),
    200,
)
listing = check("GET /v1/campaigns", requests.get(f"{BASE}/v1/campaigns", timeout=10), 200)
if campaign_id not in [item["id"] for item in listing.get("results", [])]:
    failures.append("the approved campaign is not in the public list")
new_slug = retitled.get("slug")
if new_slug == first_slug:
    failures.append(f"the slug did not follow the title before publication: {new_slug}")
for slug in (new_slug, first_slug):
    detail = check(
        f"GET /v1/campaigns/{slug}", requests.get(f"{BASE}/v1/campaigns/{slug}", timeout=10), 200
    )
    if detail.get("slug") != new_slug or not detail.get("media"):
        failures.append(f"detail by {slug}: slug {detail.get('slug')}, media {detail.get('media')}")

categories = check("GET /v1/categories", requests.get(f"{BASE}/v1/categories", timeout=10), 200)
if not any(c.get("campaign_count") for c in categories if isinstance(c, dict)):
    failures.append(f"no category counts the approved campaign: {categories}")
currencies = check("GET /v1/currencies", requests.get(f"{BASE}/v1/currencies", timeout=10), 200)
naira = [c for c in currencies.get("results", []) if c.get("code") == "NGN"]
if not naira or "NGN" not in naira[0].get("receive_from", []):
    failures.append(f"NGN cannot take naira donations: {naira}")
quoted = check(
    "GET /v1/rates",
    requests.get(
        f"{BASE}/v1/rates",
        params={
            "from": "NGN",
            "to": "NGN",
            "amount": 2_500_000,
            "tip_amount": 10_000,
            "cover_fee": "true",
        },
        timeout=10,
    ),
    200,
)
donation = check(
    "POST /v1/donations/initialize",
    requests.post(
        f"{BASE}/v1/donations/initialize",
        json={
            "campaign": first_slug,
            "amount": 2_500_000,
            "currency": "NGN",
            "email": "donor@example.com",
            "name": "Chidi",
            "tip_amount": 10_000,
            "cover_fee": True,
        },
        timeout=60,
    ),
    201,
)
browser = requests.Session()
page = browser.get(donation.get("authorization_url", f"{BASE}/missing"), timeout=10)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
if donation.get("breakdown") != {k: quoted.get(k) for k in donation.get("breakdown", {})}:
    failures.append(f"quote {quoted} differs from the charge {donation.get('breakdown')}")
charged = int(donation.get("amount") or 0)
if "Donate to" not in page.text or f"₦{charged // 100:,}.{charged % 100:02d}" not in page.text:
    failures.append("the sandbox checkout does not name the campaign and the amount")
# No FRONT_END_URL on the embedded default: no redirect, the sandbox's own result page.
paid = browser.post(
    page.url,
    data={"csrfmiddlewaretoken": token.group(1) if token else "", "action": "pay"},
    allow_redirects=False,
    timeout=60,
)
check("POST sandbox checkout (pay)", paid, 200)
if "Payment received" not in paid.text:
    failures.append("the sandbox checkout did not show its 'Payment received' page")
reference = donation.get("reference")
verified = check(
    "GET /v1/donations/verify/<reference>",
    requests.get(f"{BASE}/v1/donations/verify/{reference}", timeout=30),
    200,
)
if verified.get("status") != "succeeded":
    failures.append(f"donation {reference} is {verified.get('status')}, not succeeded")
detail = check(
    "GET /v1/campaigns/<slug> after the donation",
    requests.get(f"{BASE}/v1/campaigns/{new_slug}", timeout=10),
    200,
)
if (detail.get("raised_amount"), detail.get("donor_count")) != (2_500_000, 1):
    failures.append(
        f"raised/donors {detail.get('raised_amount')}/{detail.get('donor_count')}, "
        "expected 2500000/1"
    )
board = check(
    "GET /v1/campaigns/<slug>/leaderboard",
    requests.get(f"{BASE}/v1/campaigns/{new_slug}/leaderboard", timeout=10),
    200,
)
if [(row.get("name"), row.get("total")) for row in board.get("results", [])] != [
    ("Chidi", 2_500_000)
]:
    failures.append(f"leaderboard: {board}")
listed = check(
    "GET /v1/campaigns/<slug>/donations",
    requests.get(f"{BASE}/v1/campaigns/{new_slug}/donations", timeout=10),
    200,
)
if "donor@example.com" in str(listed):
    failures.append("a donor's email appears in the public donations list")


# The organiser withdraws part of it; staff approve with a fresh code; the sandbox pays.
account = check(
    "POST /v1/bank-accounts",
    requests.post(
        f"{BASE}/v1/bank-accounts",
        json={"bank_code": "044", "account_number": "0123456789"},
        headers=auth,
        timeout=30,
    ),
    201,
)
withdrawal = check(
    "POST /v1/withdrawal",
    requests.post(
        f"{BASE}/v1/withdrawal",
        json={"campaign": campaign_id, "amount": 1_000_000, "bank_account": account.get("id")},
        headers=auth,
        timeout=30,
    ),
    201,
)
approved = check(
    "POST /v1/admin/payouts/approve",
    requests.post(
        f"{BASE}/v1/admin/payouts/approve",
        json={
            "withdrawal_ids": [withdrawal.get("id")],
            "otp": fresh_code(signin_code),
        },
        headers=bearer(staff.get("access")),
        timeout=60,
    ),
    200,
)
if [r.get("status") for r in approved.get("results", [])] != ["approved"]:
    failures.append(f"payout approval: {approved}")
paid = {}
for _ in range(60):  # the sandbox answers "pending", then sends transfer.success
    paid = requests.get(f"{BASE}/v1/withdrawal/{withdrawal.get('id')}", headers=auth, timeout=10)
    paid = paid.json() if paid.ok else {}
    if paid.get("status") in ("completed", "failed"):
        break
    time.sleep(0.5)
if paid.get("status") != "completed":
    failures.append(f"withdrawal is {paid.get('status')}, not completed: {paid.get('timeline')}")
owner_view = check(
    "GET /v1/campaigns/<slug> as the organiser",
    requests.get(f"{BASE}/v1/campaigns/{new_slug}", headers=auth, timeout=10),
    200,
)
if owner_view.get("money", {}).get("paid_out") != 1_000_000:
    failures.append(f"paid out: {owner_view.get('money')}, expected 1000000")

finish("smoke: campaign, donation and payout flow OK")
