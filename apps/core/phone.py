import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError


def normalize_phone(value: str) -> str:
    """A phone number in E.164; national numbers are read in PHONE_DEFAULT_REGION.

    `08031234567` becomes `+2348031234567`. Raises ValidationError when the number is
    not a possible, valid number.
    """
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a valid phone number, such as +2348031234567 or 08031234567.",
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            "Enter a valid phone number, such as +2348031234567 or 08031234567.",
            code="invalid_phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
