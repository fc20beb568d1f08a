"""Validation and normalisation of the music industry's identifiers.

Catalog files come from labels and publishers who write identifiers in many
shapes (``us-s1z-99-00001``, ``T0345246801``, a 9-digit CAE number). Storing
one canonical form means lookups, exports (DSR files carry ISRC/ISWC) and
duplicate checks compare like with like; the check digits catch the typos
that would otherwise send royalties to the wrong work.

- ISRC (ISO 3901): ``CC-XXX-YY-NNNNN`` → stored as 12 characters ``CCXXXYYNNNNN``.
- ISWC (ISO 15707): ``T-123.456.789-C`` with a mod-10 check digit → stored hyphenated.
- IPI name number (CISAC): 11 digits whose last two are a mod-101 check of
  the first nine (weights 10..2); older CAE numbers are written without the
  leading zeros, so 9 and 10 digits are accepted and left-padded.
"""

from __future__ import annotations

import enum
import re

from core.errors import UserFacing


class IdentifierKind(enum.Enum):
    ISRC = "ISRC"
    ISWC = "ISWC"
    IPI = "IPI"


class InvalidIdentifier(UserFacing, ValueError):
    """An identifier that cannot be right; the message tells the user what is wrong."""

    def __init__(self, kind: IdentifierKind, value: str, reason: str) -> None:
        super().__init__(f"{kind.value} {value} {reason}")
        self.kind = kind
        self.value = value
        self.reason = reason


_SEPARATORS = re.compile(r"[\s\-.]")
_ISRC = re.compile(
    r"(?P<country>[A-Z]{2})(?P<registrant>[A-Z0-9]{3})(?P<year>\d{2})(?P<designation>\d{5})"
)
_ISWC = re.compile(r"T(?P<digits>\d{9})(?P<check>\d)")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value.strip()).upper()


def validate_isrc(value: str) -> str:
    """Return the 12-character form of an ISRC, with or without hyphens, any case.

    Raises:
        InvalidIdentifier: when a part has the wrong length or characters.
    """
    compact = _compact(value)
    if len(compact) != 12:
        raise InvalidIdentifier(
            IdentifierKind.ISRC,
            value,
            f"has {len(compact)} characters; an ISRC has 12 (like US-S1Z-99-00001)",
        )
    if _ISRC.fullmatch(compact) is None:
        raise InvalidIdentifier(IdentifierKind.ISRC, value, _isrc_reason(compact))
    return compact


def _isrc_reason(compact: str) -> str:
    country, registrant, year, designation = (
        compact[:2],
        compact[2:5],
        compact[5:7],
        compact[7:],
    )
    if not (country.isascii() and country.isalpha()):
        return f"has country code {country!r}; it must be two letters"
    if not (registrant.isascii() and registrant.isalnum()):
        return f"has registrant code {registrant!r}; it must be three letters or digits"
    if not (year.isascii() and year.isdigit()):
        return f"has year {year!r}; it must be two digits"
    return f"has designation code {designation!r}; it must be five digits"


def format_isrc(value: str) -> str:
    """The hyphenated display form ``CC-XXX-YY-NNNNN`` of a valid ISRC."""
    compact = validate_isrc(value)
    return f"{compact[:2]}-{compact[2:5]}-{compact[5:7]}-{compact[7:]}"


def iswc_check_digit(digits: str) -> int:
    """The ISWC check digit of nine digits: ``(10 - (1 + Σ dᵢ·i) mod 10) mod 10``.

    The leading 1 is the weight of the ``T`` prefix in the standard.
    """
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"expected nine digits, got {digits!r}")
    total = 1 + sum(int(d) * i for i, d in enumerate(digits, start=1))
    return (10 - total % 10) % 10


def validate_iswc(value: str) -> str:
    """Return the ``T-123.456.789-C`` form of an ISWC written with or without separators.

    Raises:
        InvalidIdentifier: on a wrong shape or a wrong check digit.
    """
    compact = _compact(value)
    match = _ISWC.fullmatch(compact)
    if match is None:
        raise InvalidIdentifier(
            IdentifierKind.ISWC,
            value,
            "is not an ISWC: it must be T followed by ten digits (like T-034.524.680-1)",
        )
    digits, check = match["digits"], int(match["check"])
    expected = iswc_check_digit(digits)
    if check != expected:
        raise InvalidIdentifier(
            IdentifierKind.ISWC, value, f"has a wrong check digit: expected {expected}"
        )
    return f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{check}"


def ipi_check_digits(base: str) -> int:
    """The two IPI name-number check digits of the first nine digits.

    CISAC's rule: weight the digits 10, 9, … 2, take the sum modulo 101 and
    the check is ``(101 - r) mod 100`` (``0`` when ``r`` is ``0``).
    """
    if len(base) != 9 or not (base.isascii() and base.isdigit()):
        raise ValueError(f"expected nine digits, got {base!r}")
    remainder = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True)) % 101
    return 0 if remainder == 0 else (101 - remainder) % 100


def validate_ipi(value: str) -> str:
    """Return the 11-digit form of an IPI name number (9 or 10 digits are zero-padded).

    Raises:
        InvalidIdentifier: when it is not 9–11 digits or the check digits differ.
    """
    compact = _compact(value)
    if not (compact.isascii() and compact.isdigit()) or not 9 <= len(compact) <= 11:
        raise InvalidIdentifier(
            IdentifierKind.IPI,
            value,
            "is not an IPI name number: it must be 11 digits (like 00014107338)",
        )
    padded = compact.rjust(11, "0")
    expected = ipi_check_digits(padded[:9])
    if int(padded[9:]) != expected:
        raise InvalidIdentifier(
            IdentifierKind.IPI, value, f"has wrong check digits: expected {expected:02d}"
        )
    return padded
