"""Legal identifiers, checked with python-stdnum (never by hand)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siret as fr_siret


def normalize_siret(value: str) -> str:
    return fr_siret.compact(value or "")


def validate_siret(value: str) -> None:
    try:
        fr_siret.validate(value)
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(_("A SIRET has exactly 14 digits."), code="invalid_length") from exc
    except stdnum_errors.InvalidFormat as exc:
        raise ValidationError(_("A SIRET contains only digits."), code="invalid_format") from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("This SIRET fails its check digit (Luhn): check for a typing error."), code="invalid_checksum"
        ) from exc


def siren_of(siret: str) -> str:
    return fr_siret.to_siren(siret) if siret else ""


def normalize_vat(value: str) -> str:
    """The compact form of a VAT number; a malformed one (an unknown country prefix such
    as "XX!!") comes back as typed, without spaces, for `validate_vat` to name its fault."""
    if not value:
        return ""
    try:
        return eu_vat.compact(value)
    except stdnum_errors.ValidationError:
        return "".join(value.split()).upper()


def validate_vat(value: str) -> None:
    try:
        eu_vat.validate(value)
    except stdnum_errors.InvalidComponent as exc:
        raise ValidationError(
            _("Unknown country prefix: an EU VAT number starts with its country code (e.g. FR)."),
            code="invalid_country",
        ) from exc
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(_("This VAT number has the wrong length for its country."), code="invalid_length") from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(_("This VAT number fails its check digits."), code="invalid_checksum") from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(_("This is not a valid EU VAT number."), code="invalid") from exc
