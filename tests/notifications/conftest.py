import pytest
import responses

TERMII_URL = "https://api.ng.termii.com/api/sms/send"
TELNYX_URL = "https://api.telnyx.com/v2/messages"
SENDGRID_URL = "https://api.sendgrid.com/v3/mail/send"
TERMII_KEY = "TL-test-key-0001"
TELNYX_TOKEN = "KEY-telnyx-test-0002"


@pytest.fixture
def http():
    """Fakes outbound HTTP; a request to anything not registered fails the call."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def termii(settings):
    settings.TERMII_API_KEY = TERMII_KEY
    settings.TERMII_SENDER_ID = "KROGiving"
    settings.TERMII_BASE_URL = "https://api.ng.termii.com"
    settings.TERMII_CHANNEL = "generic"


@pytest.fixture
def telnyx(settings):
    settings.TELNYX_AUTH_TOKEN = TELNYX_TOKEN
    settings.TELNYX_FROM = "+15550001111"
    settings.TELNYX_BASE_URL = "https://api.telnyx.com"
