from django.apps import AppConfig


class WithdrawalsConfig(AppConfig):
    """Organisers' bank accounts and withdrawal requests (funds held in the ledger)."""

    name = "apps.withdrawals"
    label = "withdrawals"
    verbose_name = "Withdrawals"
