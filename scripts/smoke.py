"""Walk the embedded default through the API like a newcomer with curl would.

Usage: python scripts/smoke.py http://127.0.0.1:8000
"""

import sys
import uuid

import requests
from smoke_common import check, failures, finish

BASE = sys.argv[1].rstrip("/")
session = requests.Session()


health = check("GET /healthz", session.get(f"{BASE}/healthz", timeout=10), 200)
email = f"smoke-{uuid.uuid4().hex[:8]}@example.com"
password = "smoke-Test-pass-42"
registered = check(
    "POST /v1/users/register",
    session.post(
        f"{BASE}/v1/users/register",
        json={
            "email": email,
            "password": password,
            "first_name": "Smoke",
            "last_name": "Test",
            "phone": "08031234567",
        },
        timeout=10,
    ),
    201,
)
login = check(
    "POST /v1/users/login",
    session.post(f"{BASE}/v1/users/login", json={"email": email, "password": password}, timeout=10),
    200,
)
profile = check(
    "GET /v1/profile",
    session.get(
        f"{BASE}/v1/profile", headers={"Authorization": f"Bearer {login.get('access')}"}, timeout=10
    ),
    200,
)
if profile and profile.get("phone") != "+2348031234567":
    failures.append(f"profile phone not normalised: {profile.get('phone')}")
refreshed = check(
    "POST /v1/auth/token/refresh",
    session.post(
        f"{BASE}/v1/auth/token/refresh", json={"refresh": login.get("refresh")}, timeout=10
    ),
    200,
)
check(
    "POST /v1/otp/send",
    session.post(
        f"{BASE}/v1/otp/send",
        json={"channel": "sms", "destination": "08031234567", "purpose": "verify_phone"},
        # Signed in: codes go only to the account's own contact (issue 13).
        headers={"Authorization": f"Bearer {login.get('access')}"},
        timeout=10,
    ),
    202,
)
check("GET /v1/schema", session.get(f"{BASE}/v1/schema", timeout=30), 200)
check("GET /v1/docs", session.get(f"{BASE}/v1/docs", timeout=10), 200)
check(
    "POST /v1/users/login (bad JSON)",
    session.post(
        f"{BASE}/v1/users/login", data="{", headers={"Content-Type": "application/json"}, timeout=10
    ),
    400,
)

finish("smoke: embedded default OK")
