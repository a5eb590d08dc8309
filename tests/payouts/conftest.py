# Payout tests share the withdrawal tests' fakes and fixtures.
from tests.withdrawals.conftest import (  # noqa: F401
    approver,
    bank_account,
    campaign,
    code,
    organizer,
    owner_api,
    request_withdrawal,
    staff_api,
    transfers,
)
