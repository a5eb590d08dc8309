"""Error codes: payout approval, rejection and transfer OTPs. Meanings: docs/errors.md."""

from enum import StrEnum


class ErrorCode(StrEnum):
    WITHDRAWAL_NOT_FOUND = "withdrawal_not_found"
    WITHDRAWAL_NOT_REQUESTED = "withdrawal_not_requested"
    OWN_WITHDRAWAL = "own_withdrawal"
    CAMPAIGN_SUSPENDED = "campaign_suspended"
    OTP_THROTTLED = "otp_throttled"
    TRANSFER_NOT_AWAITING_OTP = "transfer_not_awaiting_otp"
    TRANSFER_OTP_REJECTED = "transfer_otp_rejected"
