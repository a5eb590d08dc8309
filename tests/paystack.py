"""The Paystack account the tests pretend to have (see the `paystack_settings` fixture)."""

PAYSTACK_URL = "https://api.paystack.co"
PAYSTACK_SECRET = "sk_test_4d1b6c0e9f2a7b3c5d8e0f1a2b3c4d5e6f7a8b9c"
