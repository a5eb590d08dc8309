"""Which checkout channels a transaction offers, by currency (settings.PAYSTACK_CHANNELS).

The setting maps a currency to the channels Paystack offers in that market (NGN: card,
bank, ussd, qr, bank_transfer; GHS and KES: card, mobile_money; ZAR: card, eft; USD:
card). A currency without an entry gets no channels, so Paystack's checkout shows what
the dashboard enables for it. The older form, one list for every currency, still works.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings


def paystack_channels(currency: str | None) -> list[str]:
    """The `channels` to send when initializing a transaction in `currency` ([]: none).

    `None` asks for the channels that do not depend on the currency (the older list
    form only)."""
    configured = settings.PAYSTACK_CHANNELS or {}
    if isinstance(configured, Mapping):
        if not currency:
            return []
        return [str(channel) for channel in configured.get(currency.upper(), ())]
    return [str(channel) for channel in configured]
