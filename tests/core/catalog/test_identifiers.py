"""ISRC, ISWC and IPI: accepted spellings, canonical forms, and the messages users see."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalog.identifiers import (
    IdentifierKind,
    InvalidIdentifier,
    format_isrc,
    ipi_check_digits,
    iswc_check_digit,
    validate_ipi,
    validate_isrc,
    validate_iswc,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


# --- ISRC -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["US-S1Z-99-00001", "USS1Z9900001", "us-s1z-99-00001", " US S1Z 99 00001 ", "us.s1z.99.00001"],
)
def test_isrc_spellings_normalise_to_twelve_characters(written: str) -> None:
    assert validate_isrc(written) == "USS1Z9900001"


def test_isrc_display_form_is_hyphenated() -> None:
    assert format_isrc("gbaye6500001") == "GB-AYE-65-00001"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("US-S1Z-99-0001", "has 11 characters; an ISRC has 12 (like US-S1Z-99-00001)"),
        ("U1-S1Z-99-00001", "has country code 'U1'; it must be two letters"),
        ("US-S_Z-99-00001", "has registrant code 'S_Z'; it must be three letters or digits"),
        ("US-S1Z-9A-00001", "has year '9A'; it must be two digits"),
        ("US-S1Z-99-0000X", "has designation code '0000X'; it must be five digits"),
    ],
)
def test_isrc_errors_name_the_wrong_part(written: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_isrc(written)
    assert caught.value.kind is IdentifierKind.ISRC
    assert caught.value.value == written
    assert caught.value.reason == reason
    assert str(caught.value) == f"ISRC {written} {reason}"


# --- ISWC -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["T-034.524.680-1", "T0345246801", "t-034524680-1", "T 034 524 680 1"]
)
def test_iswc_spellings_normalise_to_the_dotted_form(written: str) -> None:
    assert validate_iswc(written) == "T-034.524.680-1"


def test_iswc_check_digit_follows_the_standard_formula() -> None:
    # 1 + 1·1 + 2·2 + … + 9·9 = 286 → (10 - 6) % 10 = 4
    assert iswc_check_digit("123456789") == 4
    assert iswc_check_digit("034524680") == 1


def test_iswc_wrong_check_digit_says_which_one_is_expected() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_iswc("T-123.456.789-0")
    assert str(caught.value) == "ISWC T-123.456.789-0 has a wrong check digit: expected 4"


@pytest.mark.parametrize(
    "written", ["123456789-4", "T-123.456.789", "T-123.456.78X-4", "W1234567894"]
)
def test_iswc_of_the_wrong_shape_is_refused(written: str) -> None:
    with pytest.raises(InvalidIdentifier, match="it must be T followed by ten digits"):
        validate_iswc(written)


@given(nine_digits)
def test_iswc_with_its_check_digit_round_trips(digits: str) -> None:
    check = iswc_check_digit(digits)
    formatted = validate_iswc(f"T{digits}{check}")
    assert formatted == f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{check}"
    assert validate_iswc(formatted) == formatted


@given(nine_digits, st.integers(1, 9))
def test_iswc_any_other_check_digit_is_refused(digits: str, shift: int) -> None:
    wrong = (iswc_check_digit(digits) + shift) % 10
    with pytest.raises(InvalidIdentifier, match="wrong check digit"):
        validate_iswc(f"T{digits}{wrong}")


# --- IPI name number -----------------------------------------------------------


def test_ipi_check_digits_weight_nine_digits_ten_to_two_modulo_101() -> None:
    # 0·10 + 0·9 + 0·8 + 1·7 + 4·6 + 1·5 + 0·4 + 7·3 + 3·2 = 63 → 101 - 63 = 38
    assert ipi_check_digits("000141073") == 38
    assert ipi_check_digits("000000001") == 99  # 1·2 = 2 → 101 - 2 = 99
    assert ipi_check_digits("000000000") == 0


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("00014107338", "00014107338"),
        ("000-141-073-38", "00014107338"),
        ("14107338", None),  # 8 digits: too short even for a CAE number
        ("0000000199", "00000000199"),  # CAE number written without its leading zeros
        ("000000199", "00000000199"),
    ],
)
def test_ipi_spellings(written: str, canonical: str | None) -> None:
    if canonical is None:
        with pytest.raises(InvalidIdentifier, match="must be 11 digits"):
            validate_ipi(written)
    else:
        assert validate_ipi(written) == canonical


def test_ipi_wrong_check_digits_say_which_are_expected() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_ipi("00014107339")
    assert caught.value.kind is IdentifierKind.IPI
    assert str(caught.value) == "IPI 00014107339 has wrong check digits: expected 38"


@pytest.mark.parametrize("written", ["0001410733A", "000141073380", ""])
def test_ipi_that_is_not_9_to_11_digits_is_refused(written: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is not an IPI name number"):
        validate_ipi(written)


@given(nine_digits)
def test_ipi_with_its_check_digits_round_trips(base: str) -> None:
    number = f"{base}{ipi_check_digits(base):02d}"
    assert validate_ipi(number) == number


@given(nine_digits, st.integers(0, 8), st.integers(1, 9))
def test_ipi_single_digit_typos_are_caught(base: str, position: int, shift: int) -> None:
    number = f"{base}{ipi_check_digits(base):02d}"
    typo_digit = (int(base[position]) + shift) % 10
    typo = number[:position] + str(typo_digit) + number[position + 1 :]
    # The weights 10..2 are all below the prime 101, so a changed digit always
    # changes the remainder; only remainders 0 and 1 share the check "00".
    original_r = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True)) % 101
    new_base = typo[:9]
    new_r = sum(int(d) * w for d, w in zip(new_base, range(10, 1, -1), strict=True)) % 101
    if {original_r, new_r} == {0, 1}:
        assert validate_ipi(typo) == typo
    else:
        with pytest.raises(InvalidIdentifier, match="wrong check digits"):
            validate_ipi(typo)
