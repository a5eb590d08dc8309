"""Walk a campaign from register to the public list on the embedded default, over HTTP.

register -> create draft -> upload a real PNG -> retitle (the slug follows) -> submit ->
staff sign-in with password + TOTP -> approve -> public list and detail, old slug too.

Usage: python scripts/smoke_campaign.py BASE_URL  (with SMOKE_STAFF_EMAIL,
SMOKE_STAFF_PASSWORD and SMOKE_TOTP_URL, the otpauth:// URL from `totp_enroll`).
"""

import io
import os
import sys
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


def totp_now(otpauth_url: str) -> str:
    secret = parse_qs(urlparse(otpauth_url).query)["secret"][0]
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


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
            "otp": totp_now(os.environ["SMOKE_TOTP_URL"]),
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

finish("smoke: campaign flow OK")
