"""The values a new platform starts with. Staff change them in the console afterwards.

Fees (percentage + flat, capped), in each currency's minor unit:

| currency | fee                     | fee cap     | min. withdrawal | withdrawal cap / request |
|----------|-------------------------|-------------|-----------------|--------------------------|
| NGN      | 5% + ₦50                | ₦10,000     | ₦1,000          | ₦5,000,000               |
| USD      | 5% + $0.30              | $50         | $10             | $10,000                  |
| GHS      | 5% + GH₵1               | GH₵500      | GH₵50           | GH₵50,000                |
| KES      | 5% + KSh 10             | KSh 5,000   | KSh 500         | KSh 1,000,000            |
| ZAR      | 5% + R2                 | R800        | R100            | R100,000                 |

FX margin 1.5% (150 bps); an exchange rate older than 6 hours is refused.
"""

from typing import Any

PLATFORM_DEFAULTS: dict[str, int] = {
    "fx_margin_bps": 150,
    "max_rate_age_seconds": 6 * 3600,
}

CURRENCY_DEFAULTS: dict[str, dict[str, Any]] = {
    "NGN": {
        "fee_percent_bps": 500,
        "fee_flat": 5_000,
        "fee_cap": 1_000_000,
        "minimum_withdrawal": 100_000,
        "withdrawal_cap": 500_000_000,
    },
    "USD": {
        "fee_percent_bps": 500,
        "fee_flat": 30,
        "fee_cap": 5_000,
        "minimum_withdrawal": 1_000,
        "withdrawal_cap": 1_000_000,
    },
    "GHS": {
        "fee_percent_bps": 500,
        "fee_flat": 100,
        "fee_cap": 50_000,
        "minimum_withdrawal": 5_000,
        "withdrawal_cap": 5_000_000,
    },
    "KES": {
        "fee_percent_bps": 500,
        "fee_flat": 1_000,
        "fee_cap": 500_000,
        "minimum_withdrawal": 50_000,
        "withdrawal_cap": 100_000_000,
    },
    "ZAR": {
        "fee_percent_bps": 500,
        "fee_flat": 200,
        "fee_cap": 80_000,
        "minimum_withdrawal": 10_000,
        "withdrawal_cap": 10_000_000,
    },
}


def seed_platform_settings(
    settings_model: Any = None, currency_settings_model: Any = None, currency_model: Any = None
) -> str:
    """Create the settings record and the rows of known currencies; never overwrites.

    Takes historical models from a data migration; defaults to the current ones.
    """
    if settings_model is None:
        from apps.currency.models import Currency as currency_model
        from apps.platform_settings.models import CurrencySettings as currency_settings_model
        from apps.platform_settings.models import PlatformSettings as settings_model
    _, created = settings_model.objects.get_or_create(pk=1, defaults=PLATFORM_DEFAULTS)
    existing = set(currency_model.objects.values_list("code", flat=True))
    rows = [
        currency_settings_model(currency_id=code, **values)
        for code, values in CURRENCY_DEFAULTS.items()
        if code in existing
    ]
    currency_settings_model.objects.bulk_create(rows, ignore_conflicts=True)
    return f"platform settings ({'new' if created else 'kept'}), {len(rows)} currencies"
