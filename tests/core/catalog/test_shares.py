"""Shares of a right must sum to exactly 1 on every day, in every territory.

The property tests compare ``find_imbalances``/``validate_shares`` against a
brute-force oracle: ``shares_on`` evaluated on every day around every
critical date, in every territory mentioned plus one that is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.catalog.shares import (
    ShareSumError,
    find_imbalances,
    shares_on,
    validate_shares,
)
from core.model import UNCLAIMED_PARTY_ID, WORLDWIDE, RightType, Share, SubjectKind

WORK = SubjectKind.WORK
PERF = RightType.PERF
LABEL = "Work 'Golden Hour' (T-034.524.680-1)"
JAN = date(2026, 1, 1)
JUL = date(2026, 7, 1)


def share(
    party: str,
    fraction: str,
    territory: str = WORLDWIDE,
    valid_from: date | None = None,
    valid_to: date | None = None,
    *,
    right: RightType = PERF,
    subject: str = "work-gh",
) -> Share:
    return Share(WORK, subject, party, right, Fraction(fraction), territory, valid_from, valid_to)


def total(shares: Iterable[Share], day: date, territory: str, right: RightType = PERF) -> Fraction:
    return sum((s.fraction for s in shares_on(shares, right, day, territory)), Fraction(0))


# --- examples -------------------------------------------------------------------


def test_complete_worldwide_split_is_returned_unchanged() -> None:
    shares = [share("a", "1/2"), share("b", "1/3"), share("c", "1/6")]
    assert validate_shares(shares, subject_label=LABEL, fill_unclaimed=False) == shares


def test_gap_in_a_territory_names_subject_right_territory_dates_and_gap() -> None:
    shares = [share("a", "1"), share("sub-de", "3/4", "DE", valid_from=JAN)]
    with pytest.raises(ShareSumError) as caught:
        validate_shares(shares, subject_label=LABEL, fill_unclaimed=False)
    assert str(caught.value) == (
        "Work 'Golden Hour' (T-034.524.680-1) PERF shares in DE from 2026-01-01 sum to 3/4; "
        "1/4 unclaimed — add the missing holder or import with --fill-unclaimed"
    )
    gap = caught.value.imbalance
    assert (gap.territory, gap.valid_from, gap.valid_to, gap.missing) == (
        "DE",
        JAN,
        None,
        Fraction(1, 4),
    )


def test_fill_gives_the_gap_to_unclaimed_over_exactly_that_range() -> None:
    shares = [share("a", "1"), share("sub-de", "3/4", "DE", valid_from=JAN, valid_to=JUL)]
    filled = validate_shares(shares, subject_label=LABEL, fill_unclaimed=True)
    assert filled[:2] == shares
    assert filled[2:] == [
        Share(WORK, "work-gh", UNCLAIMED_PARTY_ID, PERF, Fraction(1, 4), "DE", JAN, JUL)
    ]
    assert total(filled, JAN, "DE") == 1
    assert total(filled, JUL, "DE") == 1  # the WW split takes over again


def test_worldwide_gap_is_reported_as_worldwide_and_filled_worldwide() -> None:
    shares = [share("a", "2/5", valid_to=JUL), share("b", "3/5")]
    with pytest.raises(ShareSumError, match=r"PERF shares worldwide from 2026-07-01 sum to 3/5"):
        validate_shares(shares, subject_label=LABEL, fill_unclaimed=False)
    filled = validate_shares(shares, subject_label=LABEL, fill_unclaimed=True)
    assert filled[-1] == Share(
        WORK, "work-gh", UNCLAIMED_PARTY_ID, PERF, Fraction(2, 5), WORLDWIDE, JUL, None
    )


def test_more_than_one_is_refused_even_with_fill() -> None:
    shares = [share("a", "1/2"), share("b", "3/4", valid_from=JAN, valid_to=JUL)]
    with pytest.raises(ShareSumError) as caught:
        validate_shares(shares, subject_label=LABEL, fill_unclaimed=True)
    message = str(caught.value)
    assert "worldwide from 2026-01-01 until 2026-07-01 sum to 5/4; 1/4 too much" in message
    # before January the same shares leave a gap, reported separately
    gaps = find_imbalances(shares)
    assert [(g.valid_from, g.valid_to, g.total) for g in gaps] == [
        (None, JAN, Fraction(1, 2)),
        (JAN, JUL, Fraction(5, 4)),
        (JUL, None, Fraction(1, 2)),
    ]


def test_consecutive_intervals_with_the_same_gap_are_reported_once() -> None:
    # b hands over to c on 2026-07-01, both at 1/2: the gap is one range.
    shares = [share("b", "1/2", valid_from=JAN, valid_to=JUL), share("c", "1/2", valid_from=JUL)]
    gaps = find_imbalances(shares)
    assert [(g.valid_from, g.valid_to, g.total) for g in gaps] == [
        (None, JAN, Fraction(0)),
        (JAN, None, Fraction(1, 2)),
    ]


def test_each_subject_and_right_is_checked_on_its_own_with_its_own_label() -> None:
    shares = [
        share("a", "1"),
        share("a", "1", right=RightType.MECH),
        share("r", "1/2", right=RightType.MASTER, subject="rec-x"),
    ]
    labels = {"work-gh": LABEL, "rec-x": "Recording 'X'"}
    with pytest.raises(ShareSumError, match=r"^Recording 'X' MASTER shares worldwide sum to 1/2"):
        validate_shares(shares, subject_label=lambda _, sid: labels[sid], fill_unclaimed=False)


def test_labels_can_come_as_a_mapping_and_default_to_kind_and_id() -> None:
    shares = [share("r", "1/2", right=RightType.MASTER, subject="rec-x")]
    with pytest.raises(ShareSumError, match=r"^Recording 'X' MASTER"):
        validate_shares(shares, subject_labels={"rec-x": "Recording 'X'"}, fill_unclaimed=False)
    with pytest.raises(ShareSumError, match=r"^Work rec-x MASTER shares worldwide sum to 1/2"):
        validate_shares(shares, subject_label={}, fill_unclaimed=False)


def test_fraction_outside_zero_one_or_empty_validity_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        validate_shares([share("a", "3/2")], subject_label=LABEL, fill_unclaimed=True)
    with pytest.raises(ValueError, match="valid from"):
        validate_shares(
            [share("a", "1", valid_from=JUL, valid_to=JAN)],
            subject_label=LABEL,
            fill_unclaimed=True,
        )


def test_shares_on_territory_shares_replace_worldwide_ones_there() -> None:
    ww_a, ww_b = share("a", "1/2"), share("b", "1/2")
    de = share("sub-de", "1", "DE", valid_from=JAN, valid_to=JUL)
    shares = [ww_a, ww_b, de]
    assert shares_on(shares, PERF, JAN, "DE") == [de]
    assert shares_on(shares, PERF, JAN - timedelta(days=1), "DE") == [ww_a, ww_b]
    assert shares_on(shares, PERF, JUL, "DE") == [ww_a, ww_b]  # valid_to is exclusive
    assert shares_on(shares, PERF, JAN, "FR") == [ww_a, ww_b]
    assert shares_on(shares, PERF, JAN, WORLDWIDE) == [ww_a, ww_b]
    assert shares_on(shares, RightType.MECH, JAN, "DE") == []


def test_shares_on_keeps_subjects_apart() -> None:
    work_de = share("w-de", "1", "DE")
    work_ww = share("w", "1")
    rec_ww = share("r", "1", subject="rec")
    # the work has a DE share, the recording does not: the recording keeps WW
    assert shares_on([work_de, work_ww, rec_ww], PERF, JAN, "DE") == [work_de, rec_ww]


# --- properties -----------------------------------------------------------------

DAYS = [date(2026, 1, 1), date(2026, 3, 1), date(2026, 6, 15), date(2027, 1, 1)]
TERRITORIES = [WORLDWIDE, "DE", "US"]
UNMENTIONED = "JP"


@st.composite
def validity(draw: st.DrawFn) -> tuple[date | None, date | None]:
    start = draw(st.none() | st.sampled_from(DAYS))
    later = [d for d in DAYS if start is None or d > start]
    end = draw(st.none() | st.sampled_from(later)) if later else None
    return start, end


@st.composite
def random_share(draw: st.DrawFn) -> Share:
    start, end = draw(validity())
    return Share(
        WORK,
        "work-gh",
        draw(st.sampled_from(["a", "b", "c"])),
        PERF,
        draw(st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=8)),
        draw(st.sampled_from(TERRITORIES)),
        start,
        end,
    )


def probe_days(shares: Iterable[Share]) -> list[date]:
    """Every critical date, the day before it, and days far before and after."""
    cuts = {d for s in shares for d in (s.valid_from, s.valid_to) if d is not None}
    return sorted(
        cuts | {d - timedelta(days=1) for d in cuts} | {date(1990, 1, 1), date(2090, 1, 1)}
    )


def oracle_bad_points(shares: list[Share]) -> list[tuple[date, str, Fraction]]:
    """Brute force: (day, territory, sum) wherever the sum is not exactly 1."""
    return [
        (day, territory, total(shares, day, territory))
        for day in probe_days(shares)
        for territory in [*TERRITORIES, UNMENTIONED]
        if total(shares, day, territory) != 1
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(random_share(), min_size=1, max_size=6))
def test_imbalances_agree_with_a_brute_force_oracle(shares: list[Share]) -> None:
    imbalances = find_imbalances(shares)
    bad = oracle_bad_points(shares)
    assert (not imbalances) == (not bad)
    for x in imbalances:  # every reported imbalance is real
        day = x.valid_from or (x.valid_to or date(2090, 1, 1)) - timedelta(days=1)
        assert x.total != 1
        assert total(shares, day, x.territory) == x.total
    for day, territory, found in bad:
        # every bad point lies in a reported imbalance of that total
        effective = (
            territory
            if any(s.territory == territory and s.valid_on(day) for s in shares)
            else WORLDWIDE
        )
        assert any(
            x.territory == effective
            and x.total == found
            and (x.valid_from is None or x.valid_from <= day)
            and (x.valid_to is None or day < x.valid_to)
            for x in imbalances
        ), (day, territory, found, imbalances)


@settings(max_examples=300, deadline=None)
@given(st.lists(random_share(), min_size=1, max_size=6))
def test_after_fill_every_day_and_territory_sums_to_exactly_one(shares: list[Share]) -> None:
    try:
        filled = validate_shares(shares, subject_label=LABEL, fill_unclaimed=True)
    except ShareSumError as error:
        # only an excess can survive filling, and it is real
        excess = error.imbalance
        assert excess.total > 1
        day = excess.valid_from or (excess.valid_to or date(2090, 1, 1)) - timedelta(days=1)
        assert total(shares, day, excess.territory) == excess.total
        return
    assert oracle_bad_points(filled) == []
    assert all(s.party_id == UNCLAIMED_PARTY_ID for s in filled[len(shares) :])
    assert validate_shares(filled, subject_label=LABEL, fill_unclaimed=False) == filled


@st.composite
def split_of_one(draw: st.DrawFn, parties: str) -> list[tuple[str, Fraction]]:
    """1 cut into 1–3 positive parts for the given parties."""
    count = draw(st.integers(1, 3))
    weights = [draw(st.integers(1, 6)) for _ in range(count)]
    return [(parties[i], Fraction(w, sum(weights))) for i, w in enumerate(weights)]


@st.composite
def complete_shares(draw: st.DrawFn) -> list[Share]:
    """A valid share set: WW splits that hand over on a date, and a DE override."""
    handover = draw(st.sampled_from(DAYS))
    shares = [
        Share(WORK, "work-gh", p, PERF, f, WORLDWIDE, None, handover)
        for p, f in draw(split_of_one("abc"))
    ]
    shares += [
        Share(WORK, "work-gh", p, PERF, f, WORLDWIDE, handover, None)
        for p, f in draw(split_of_one("def"))
    ]
    if draw(st.booleans()):
        start, end = draw(validity())
        shares += [
            Share(WORK, "work-gh", p, PERF, f, "DE", start, end)
            for p, f in draw(split_of_one("xyz"))
        ]
    return shares


@settings(max_examples=200, deadline=None)
@given(complete_shares(), st.data())
def test_without_fill_any_removed_or_shrunk_share_is_detected(
    shares: list[Share], data: st.DataObject
) -> None:
    assert validate_shares(shares, subject_label=LABEL, fill_unclaimed=False) == shares
    victim = data.draw(st.integers(0, len(shares) - 1))
    shrink = data.draw(st.sampled_from([Fraction(0), Fraction(1, 2)]))
    broken = list(shares)
    if shrink == 0:
        del broken[victim]
    else:
        old = broken[victim]
        broken[victim] = Share(
            old.subject_kind,
            old.subject_id,
            old.party_id,
            old.right,
            old.fraction * shrink,
            old.territory,
            old.valid_from,
            old.valid_to,
        )
    only_local_share = (
        shares[victim].territory == "DE" and sum(s.territory == "DE" for s in shares) == 1
    )
    if shrink == 0 and only_local_share:
        # Without its own shares DE simply falls back to the complete WW split.
        assert validate_shares(broken, subject_label=LABEL, fill_unclaimed=False) == broken
        return
    with pytest.raises(ShareSumError) as caught:
        validate_shares(broken, subject_label=LABEL, fill_unclaimed=False)
    gap = caught.value.imbalance
    assert 0 < gap.missing <= 1
    assert "unclaimed — add the missing holder" in str(caught.value)
