"""Legal identifiers: SIRET and EU VAT numbers (contracts.validators), and the
Organization.clean rule that ties a French VAT number to the SIREN."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contracts import validators
from contracts.models import Organization
from tests.factories import make_siret, vat_for_siret

VALID_SIRET = "73282932000074"  # INSEE's published example
VALID_VAT = "FR44732829320"  # its VAT number: FR + key + SIREN 732829320


def _org(**overrides) -> Organization:
    fields = dict(
        kind="client", legal_name="Dupont SARL", siret=VALID_SIRET, vat_number=VALID_VAT,
        address_line1="1 rue de Rivoli", postal_code="75001", city="Paris", country="FR",
    )
    fields.update(overrides)
    return Organization(**fields)


def _error(func, value) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(value)
    return info.value


# --------------------------------------------------------------------------- SIRET


def test_it_accepts_a_valid_siret():
    validators.validate_siret(VALID_SIRET)


def test_it_accepts_the_sirets_the_test_factories_make():
    for n in range(50):
        validators.validate_siret(make_siret(n))


def test_it_refuses_a_siret_of_the_wrong_length():
    error = _error(validators.validate_siret, VALID_SIRET[:-1])
    assert error.code == "invalid_length"
    assert "14 digits" in error.messages[0]


def test_it_refuses_a_siret_with_non_digits():
    error = _error(validators.validate_siret, VALID_SIRET[:-1] + "A")
    assert error.code == "invalid_format"
    assert "only digits" in error.messages[0]


def test_it_refuses_a_siret_with_a_bad_luhn_check_digit():
    error = _error(validators.validate_siret, VALID_SIRET[:-1] + "5")
    assert error.code == "invalid_checksum"
    assert "check digit" in error.messages[0]


@pytest.mark.parametrize("raw", ["732 829 320 00074", " 73282932000074 ", "732.829.320.00074"])
def test_it_normalizes_a_siret_typed_with_separators(raw):
    assert validators.normalize_siret(raw) == VALID_SIRET


def test_it_gives_the_siren_of_a_siret():
    assert validators.siren_of(VALID_SIRET) == "732829320"


def test_it_gives_no_siren_without_a_siret():
    assert validators.siren_of("") == ""


# --------------------------------------------------------------------------- VAT


def test_it_accepts_a_valid_vat_number():
    validators.validate_vat(VALID_VAT)


def test_it_accepts_the_vat_numbers_the_test_factories_make():
    for n in range(50):
        validators.validate_vat(vat_for_siret(make_siret(n)))


def test_it_refuses_a_vat_number_with_an_unknown_country():
    error = _error(validators.validate_vat, "XX123456789")
    assert error.code == "invalid_country"
    assert "country" in error.messages[0]


def test_it_refuses_a_vat_number_with_bad_check_digits():
    error = _error(validators.validate_vat, "FR00732829320")
    assert error.code == "invalid_checksum"
    assert "check digits" in error.messages[0]


def test_it_refuses_a_vat_number_of_the_wrong_length():
    error = _error(validators.validate_vat, "FR4473282932")
    assert error.code == "invalid_length"
    assert "length" in error.messages[0]


def test_it_normalizes_a_vat_number_typed_with_spaces_and_lowercase():
    assert validators.normalize_vat("fr 44 732 829 320") == VALID_VAT


# --------------------------------------------------------------------------- Organization.clean


def test_it_accepts_an_organization_whose_vat_number_matches_its_siren():
    _org().clean()


def test_it_refuses_a_vat_number_that_does_not_match_the_siren():
    other = make_siret(1)
    org = _org(siret=other, vat_number=VALID_VAT)
    with pytest.raises(ValidationError) as info:
        org.clean()
    assert list(info.value.message_dict) == ["vat_number"]
    assert "SIREN" in info.value.message_dict["vat_number"][0]


def test_it_requires_a_siret_for_a_french_company():
    with pytest.raises(ValidationError) as info:
        _org(siret="", vat_number="").clean()
    assert "SIRET" in info.value.message_dict["siret"][0]


def test_it_does_not_require_a_siret_for_a_foreign_company():
    _org(siret="", vat_number="", country="be").clean()


def test_it_names_the_siret_field_for_a_bad_siret():
    with pytest.raises(ValidationError) as info:
        _org(siret=VALID_SIRET[:-1] + "5").clean()
    assert "check digit" in info.value.message_dict["siret"][0]


def test_it_names_the_vat_field_for_a_bad_vat_number():
    with pytest.raises(ValidationError) as info:
        _org(vat_number="FR00732829320").clean()
    assert "check digits" in info.value.message_dict["vat_number"][0]


def test_it_stores_the_siret_and_vat_number_compact_and_the_country_upper_case():
    org = _org(siret="732 829 320 00074", vat_number="fr 44 732829320", country="fr")
    org.clean()
    assert (org.siret, org.vat_number, org.country) == (VALID_SIRET, VALID_VAT, "FR")


@pytest.mark.parametrize("value", ["XX!!", "!!", "ZZ123", "FR!!"])
def test_it_normalizes_a_malformed_vat_number_without_raising(value):
    assert validators.normalize_vat(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize("value", ["XX!!", "ZZ123"])
def test_it_names_the_vat_number_of_an_organization_with_a_malformed_one(value):
    with pytest.raises(ValidationError) as info:
        _org(vat_number=value).full_clean(exclude=["tenant", "reference"])
    assert "vat_number" in info.value.message_dict
