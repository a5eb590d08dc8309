# The sandbox is tested with the payments app's fixtures (isolated handlers, signing).
from tests.payments.conftest import _isolated_handlers, handlers, http, paystack  # noqa: F401
