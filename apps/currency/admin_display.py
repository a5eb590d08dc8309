"""Money in the staff console: formatted (`₦5,000,000.00`), never raw minor units, except
in the fields where staff type an amount."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin

from .money import format_money


def money_column(
    amount: str, currency: str = "currency_id", *, label: str | None = None
) -> Callable[[Any, Any], str]:
    """A list/detail column showing `obj.<amount>` formatted in `obj.<currency>`.

    Use it as a ModelAdmin attribute: `goal = money_column("goal_amount")`, then name
    `goal` in `list_display` or `readonly_fields`.
    """

    @admin.display(description=label or amount.replace("_", " ").capitalize(), ordering=amount)
    def show(_admin: Any, obj: Any) -> str:
        value = getattr(obj, amount, None)
        code = getattr(obj, currency, None)
        if value is None or not code:
            return "—"
        return format_money(int(value), str(code))

    return show
