"""Error codes: bank accounts and withdrawal requests. Meanings: docs/errors.md."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_ACCOUNT_NUMBER = "invalid_account_number"
    ACCOUNT_UNRESOLVABLE = "account_unresolvable"
    BANK_ACCOUNT_EXISTS = "bank_account_exists"
    BANK_ACCOUNT_NOT_FOUND = "bank_account_not_found"
    BANK_ACCOUNT_CURRENCY_MISMATCH = "bank_account_currency_mismatch"
    NOT_ORGANIZER = "not_organizer"
    CAMPAIGN_NOT_WITHDRAWABLE = "campaign_not_withdrawable"
    AMOUNT_ABOVE_CAP = "amount_above_cap"
    WITHDRAWAL_NOT_CANCELLABLE = "withdrawal_not_cancellable"
