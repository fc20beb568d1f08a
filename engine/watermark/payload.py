"""The 80-bit payload (64-bit token + CRC-16) and its error-correcting code.

Why a convolutional code: the detector's raw bit decisions after a lossy
encode are wrong 10-30 % of the time, but it knows *how sure* it is of each
bit, and a soft-decision Viterbi decoder turns that into a clean payload far
more cheaply than a block code could. The code is the well-known K=7,
rate-1/3 code with generators 133, 171, 165 (octal), made tail-biting (the
encoder starts in the state its last six bits leave it in), so all 240 coded
bits carry payload and none are spent on a flushing tail.

The CRC (CRC-16/CCITT-FALSE) is the last line of defence against a false
accusation: a token is only ever reported when it holds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

TOKEN_BITS = 64
CRC_BITS = 16
INFO_BITS = TOKEN_BITS + CRC_BITS
RATE_INVERSE = 3
CODED_BITS = INFO_BITS * RATE_INVERSE
_CONSTRAINT = 7
_MEMORY = _CONSTRAINT - 1
_STATES = 1 << _MEMORY
_GENERATORS = (0o133, 0o171, 0o165)
_WRAP_STEPS = 5 * _CONSTRAINT  # wrap-around Viterbi: decisions settle within ~5K steps

FloatArray = npt.NDArray[np.float64]
BitArray = npt.NDArray[np.uint8]


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _int_bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def token_bits(token: int) -> BitArray:
    """The 80 information bits for ``token``: the token MSB first, then its CRC."""
    if not 0 <= token < 1 << TOKEN_BITS:
        raise ValueError(f"a watermark token is a 64-bit unsigned integer, not {token}")
    crc = crc16(token.to_bytes(8, "big"))
    return np.array(_int_bits(token, TOKEN_BITS) + _int_bits(crc, CRC_BITS), dtype=np.uint8)


def bits_token(bits: BitArray) -> int | None:
    """The token carried by 80 information bits, or None when the CRC fails."""
    token = int("".join(str(int(b)) for b in bits[:TOKEN_BITS]), 2)
    crc = int("".join(str(int(b)) for b in bits[TOKEN_BITS:INFO_BITS]), 2)
    return token if crc16(token.to_bytes(8, "big")) == crc else None


def _parity(x: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    x = x ^ (x >> 4)
    x = x ^ (x >> 2)
    x = x ^ (x >> 1)
    return x & 1


# Trellis: a state is the last six input bits, the newest in bit 5. Next state
# ns comes from (ns & 31) << 1 | b for b in {0, 1}, its input bit is ns >> 5.
_NEXT = np.arange(_STATES, dtype=np.int64)
_PREV = np.stack([((_NEXT & 31) << 1), ((_NEXT & 31) << 1) | 1], axis=1)  # (64, 2)
_REG = ((_NEXT >> 5) << 6)[:, None] | _PREV  # (64, 2): the 7-bit register of each branch
_OUT = np.stack([_parity(_REG & g) for g in _GENERATORS], axis=-1)  # (64, 2, 3) bits
_SYMBOLS = (2.0 * _OUT - 1.0).astype(np.float64)  # bit 1 → +1, bit 0 → −1


def conv_encode(info: BitArray) -> BitArray:
    """Tail-biting encode: 80 info bits → 240 coded bits (3 per info bit, in order)."""
    n = info.shape[0]
    state = 0
    for i in range(_MEMORY):  # start in the state the last six bits leave behind
        state = (int(info[n - _MEMORY + i]) << 5) | (state >> 1)
    out = np.empty((n, RATE_INVERSE), dtype=np.uint8)
    for i in range(n):
        u = int(info[i])
        reg = (u << 6) | state
        out[i] = [bin(reg & g).count("1") & 1 for g in _GENERATORS]
        state = (u << 5) | (state >> 1)
    return out.reshape(-1)


def viterbi_decode(soft: FloatArray) -> BitArray:
    """Soft-decision tail-biting decode (wrap-around Viterbi).

    ``soft`` holds one value per coded bit, positive meaning "1 is likelier",
    scaled like a log-likelihood (any common scale works: the metric is a
    correlation). The received block is extended circularly by 5K steps on
    both sides, decoded from an all-equal start, and the middle kept: the
    standard way to decode a tail-biting code without trying all 64 starts.
    """
    steps = soft.reshape(-1, RATE_INVERSE).astype(np.float64)
    n = steps.shape[0]
    wrap = min(_WRAP_STEPS, n)
    ext = np.concatenate([steps[n - wrap :], steps, steps[:wrap]])
    branch = np.einsum("sbk,tk->tsb", _SYMBOLS, ext)  # (T, 64, 2)
    metric = np.zeros(_STATES)
    decisions = np.empty((ext.shape[0], _STATES), dtype=np.uint8)
    for t in range(ext.shape[0]):
        cand = metric[_PREV] + branch[t]
        choice = np.argmax(cand, axis=1)
        decisions[t] = choice
        metric = cand[_NEXT, choice]
        metric -= metric.max()
    state = int(np.argmax(metric))
    bits = np.empty(ext.shape[0], dtype=np.uint8)
    for t in range(ext.shape[0] - 1, -1, -1):
        bits[t] = state >> 5
        state = int(_PREV[state, decisions[t, state]])
    return bits[wrap : wrap + n]
