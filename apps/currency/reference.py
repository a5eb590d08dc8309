"""The currencies the platform starts with. Seeded by a data migration and `manage.py seed`."""

from typing import Any

CURRENCIES: list[dict[str, Any]] = [
    {
        "code": "NGN",
        "name": "Nigerian naira",
        "exponent": 2,
        "symbol": "₦",
        "minimum_donation": 10_000,
    },
    {"code": "USD", "name": "US dollar", "exponent": 2, "symbol": "$", "minimum_donation": 100},
    {
        "code": "GHS",
        "name": "Ghanaian cedi",
        "exponent": 2,
        "symbol": "GH₵",
        "minimum_donation": 1_000,
    },
    {
        "code": "KES",
        "name": "Kenyan shilling",
        "exponent": 2,
        "symbol": "KSh",
        "minimum_donation": 10_000,
    },
    {
        "code": "ZAR",
        "name": "South African rand",
        "exponent": 2,
        "symbol": "R",
        "minimum_donation": 1_000,
    },
]


def seed_currencies(currency_model=None) -> str:
    """Create missing currencies; never overwrites what staff changed."""
    if currency_model is None:
        from .models import Currency as currency_model
    created = 0
    for row in CURRENCIES:
        _, was_created = currency_model.objects.get_or_create(
            code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
        created += was_created
    return f"{len(CURRENCIES)} currencies ({created} new)"
