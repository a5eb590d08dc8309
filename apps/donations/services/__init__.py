"""Every write to donations, by section: initialize, settlement, refunds, offline
import.

`common` holds what they share: the `Outcome` enum, the donation timeline
(`DonationEvent`, written in the transaction of every change), review flags and the
leaderboard aggregate. Row locks come from `apps.core.locks`, in its global order.
Import from this package, not from its modules.
"""

from .common import Outcome, donation_event_record
from .initialize import DonationPrice, donation_initialize, donation_price
from .offline import (
    OfflineImportResult,
    OfflineRow,
    OfflineRowResult,
    donations_import_offline,
    offline_rows_from_csv,
)
from .refunds import (
    RefundPlan,
    donation_refund,
    donation_refund_apply_event,
    donation_refund_plan,
    donation_refund_settle,
)
from .settlement import (
    SettlementDeferred,
    donation_abandon,
    donation_apply_charge_failed,
    donation_apply_charge_success,
    donation_check_with_paystack,
    donation_mark_failed,
    donation_refresh,
    donation_settle_charge,
    donations_reconcile,
)

__all__ = [
    "DonationPrice",
    "OfflineImportResult",
    "OfflineRow",
    "OfflineRowResult",
    "Outcome",
    "RefundPlan",
    "SettlementDeferred",
    "donation_abandon",
    "donation_apply_charge_failed",
    "donation_apply_charge_success",
    "donation_check_with_paystack",
    "donation_event_record",
    "donation_initialize",
    "donation_mark_failed",
    "donation_price",
    "donation_refresh",
    "donation_refund",
    "donation_refund_apply_event",
    "donation_refund_plan",
    "donation_refund_settle",
    "donation_settle_charge",
    "donations_import_offline",
    "donations_reconcile",
    "offline_rows_from_csv",
]
