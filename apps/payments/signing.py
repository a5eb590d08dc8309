"""Webhook signatures and the sandbox switch.

Paystack signs each webhook with `x-paystack-signature`: the hex HMAC-SHA512 of the raw
request body keyed with the secret key. With no PAYSTACK_SECRET_KEY (the embedded
default) the platform talks to its own offline sandbox instead, which signs with
`SANDBOX_SECRET_KEY`: a fixed, public value that protects nothing but lets the offline
flow run through the very same verification code. Production never runs the sandbox.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# Not a secret: it only signs the local sandbox's webhooks and authenticates calls to
# the local sandbox API, which exist only where no real key is configured.
SANDBOX_SECRET_KEY = "sk_sandbox_krogiving_offline_not_a_secret"


def secret_key() -> str:
    return settings.PAYSTACK_SECRET_KEY


def sandbox_mode() -> bool:
    """True when no real key is set: the platform uses the offline sandbox."""
    return not secret_key()


def sandbox_allowed() -> bool:
    """The sandbox may serve only outside production and only without a real key."""
    return sandbox_mode() and not settings.IS_PRODUCTION


def webhook_secret() -> str | None:
    """The key webhooks must be signed with; None when none can be trusted (misconfigured
    production), in which case every webhook is refused."""
    key = secret_key()
    if key:
        return key
    if sandbox_allowed():
        return SANDBOX_SECRET_KEY
    return None


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha512).hexdigest()


def signature_valid(body: bytes, signature: str | None, secret: str | None) -> bool:
    """Constant-time check of `signature` against the HMAC-SHA512 of the raw `body`."""
    if not secret or not signature:
        return False
    expected = sign(body, secret).encode("ascii")
    given = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)
