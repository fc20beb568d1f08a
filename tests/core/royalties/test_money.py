"""Exact money: parsing, formatting and largest-remainder splits (invariants 1, 2, 10)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.royalties.money import (
    AmountError,
    format_micros,
    largest_remainder,
    parse_amount,
    split_exact,
)


@pytest.mark.parametrize(
    ("text", "micros"),
    [("1000", 1_000_000_000), ("1234.56", 1_234_560_000), ("0.000001", 1), ("1_000.5", 1_000_500_000)],
)
def test_parse_amount(text: str, micros: int) -> None:
    assert parse_amount(text) == micros


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ten", "not an amount"),
        ("NaN", "not an amount"),
        ("1.0000001", "more than 6 decimals"),
        ("0", "must be positive"),
        ("-5", "must be positive"),
        ("1e13", "too large"),
    ],
)
def test_parse_amount_refuses_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_format_micros() -> None:
    assert format_micros(1_234_560_000, "EUR") == "1234.560000 EUR"
    assert format_micros(-1) == "-0.000001"


@given(
    total=st.integers(0, 10**15),
    weights=st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 10**9), min_size=1),
    seed=st.text(max_size=8),
)
def test_largest_remainder_sums_exactly_and_is_never_off_by_a_unit(
    total: int, weights: dict[str, int], seed: str
) -> None:
    if sum(weights.values()) == 0:
        weights[next(iter(weights))] = 1
    parts = largest_remainder(total, weights, seed=seed)
    assert sum(parts.values()) == total
    denominator = sum(weights.values())
    for key, weight in weights.items():
        exact = Fraction(total * weight, denominator)
        assert abs(parts[key] - exact) < 1
    assert parts == largest_remainder(total, dict(reversed(list(weights.items()))), seed=seed)


@given(
    total=st.integers(0, 10**9),
    fractions=st.lists(st.fractions(0, 1, max_denominator=1000), min_size=1, max_size=8),
)
def test_split_exact_sums_to_the_total(total: int, fractions: list[Fraction]) -> None:
    mapping = {f"k{i}": f for i, f in enumerate(fractions)}
    if not any(mapping.values()):
        mapping["k0"] = Fraction(1)
    assert sum(split_exact(total, mapping, seed="s").values()) == total


def test_zero_weights_cannot_take_money() -> None:
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder(5, {"a": 0}, seed="s")
    assert largest_remainder(0, {"a": 0}, seed="s") == {"a": 0}


def test_ties_are_deterministic_per_seed_and_unbiased_across_seeds() -> None:
    """Invariant 10: three equal thirds of one unit — who gets it depends on the run, evenly."""
    wins = {"a": 0, "b": 0, "c": 0}
    for run in range(3000):
        seed = f"run-{run}"
        parts = largest_remainder(1, {"a": 1, "b": 1, "c": 1}, seed=seed)
        assert parts == largest_remainder(1, {"c": 1, "a": 1, "b": 1}, seed=seed)
        winner = next(k for k, v in parts.items() if v)
        wins[winner] += 1
    for count in wins.values():
        assert 850 < count < 1150  # 1000 expected; ±4.7 standard deviations
