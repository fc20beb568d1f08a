"""The payload code: CRC, tail-biting convolutional code and soft Viterbi."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.watermark.payload import (
    CODED_BITS,
    INFO_BITS,
    bits_token,
    conv_encode,
    crc16,
    token_bits,
    viterbi_decode,
)


def test_crc_matches_the_published_check_value() -> None:
    # CRC-16/CCITT-FALSE of "123456789" is 0x29B1 (the catalogue's check value).
    assert crc16(b"123456789") == 0x29B1


@given(st.integers(min_value=0, max_value=2**64 - 1))
@settings(max_examples=50, deadline=None)
def test_clean_codeword_decodes_to_its_token(token: int) -> None:
    bits = token_bits(token)
    assert bits.shape == (INFO_BITS,)
    coded = conv_encode(bits)
    assert coded.shape == (CODED_BITS,)
    assert bits_token(viterbi_decode(2.0 * coded.astype(np.float64) - 1.0)) == token


def test_soft_viterbi_corrects_noisy_bits() -> None:
    rng = np.random.default_rng(7)
    token = 0xDEADBEEF_CAFEF00D
    chips = 2.0 * conv_encode(token_bits(token)) - 1.0
    decoded = 0
    raw_errors = 0
    for _ in range(40):
        soft = 1.5 * chips + rng.standard_normal(CODED_BITS)
        raw_errors += int(np.sum(np.sign(soft) != chips))
        decoded += bits_token(viterbi_decode(soft)) == token
    assert raw_errors / (40 * CODED_BITS) > 0.05  # the channel really was noisy
    assert decoded == 40


def test_any_flipped_bit_breaks_the_crc() -> None:
    bits = token_bits(123456789)
    for i in range(INFO_BITS):
        bad = bits.copy()
        bad[i] ^= 1
        assert bits_token(bad) is None


@pytest.mark.parametrize("token", [-1, 2**64])
def test_tokens_outside_64_bits_are_refused(token: int) -> None:
    with pytest.raises(ValueError, match="64-bit"):
        token_bits(token)
