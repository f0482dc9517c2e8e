"""CUIT (Argentine tax id) validation and normalisation, backed by python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ar import cuit as stdnum_cuit
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError


def normalize_cuit(value):
    """Return the CUIT as `XX-XXXXXXXX-X`, or raise ValidationError with a Spanish message."""
    try:
        return stdnum_cuit.format(stdnum_cuit.validate(value or ""))
    except InvalidChecksum:
        raise ValidationError(
            _("El CUIT no es válido: el dígito verificador no corresponde."), code="cuit_checksum"
        ) from None
    except StdnumError:
        raise ValidationError(
            _("Ingresá un CUIT de 11 dígitos, por ejemplo 30-71234567-1."), code="cuit_format"
        ) from None


def validate_cuit(value):
    normalize_cuit(value)
