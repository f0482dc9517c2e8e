"""Argentine phone numbers, backed by phonenumbers: stored as E.164, shown in national format."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REGION = "AR"


def normalize_phone(value):
    """Return the number as E.164 (`+541143215678`), or raise ValidationError with a Spanish message."""
    try:
        number = phonenumbers.parse(value or "", REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Ingresá un teléfono válido con su código de área, por ejemplo 011 4321-5678 o 11 5555-1234."),
            code="phone_invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164):
    """How an Argentine reads the number (`011 4321-5678`); other countries keep their international form."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def whatsapp_url(e164):
    """The wa.me link that opens a WhatsApp chat with the number (`https://wa.me/5491155551234`), or "".

    WhatsApp wants the international number in digits only, which is E.164 without its "+"."""
    return f"https://wa.me/{e164.lstrip('+')}" if e164 else ""
