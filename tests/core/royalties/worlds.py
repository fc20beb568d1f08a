"""Hypothesis strategies for small, valid rights worlds and the plays in them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import strategies as st

from core.catalog.shares import validate_shares
from core.model import RightType, Share, SubjectKind, Transformation, UsageType
from core.royalties.allocation import ClipClass, Escrow, GroupKey, ShareBook, UsageCount
from core.royalties.rules import DEFAULT_BUCKETS_V1

PARTIES = ("party-a", "party-b", "party-c", "party-d", "party-e")
TERRITORIES = ("WW", "DE", "FR")
DAY0 = date(2026, 11, 1)
PERIOD = "2026-11"


@dataclass(frozen=True)
class World:
    classes: dict[str, ClipClass]
    book: ShareBook
    shares: list[Share]


@st.composite
def fractions_summing_to_one(draw: st.DrawFn, n: int) -> list[Fraction]:
    cuts = sorted(draw(st.lists(st.integers(0, 60), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 60]
    return [Fraction(b - a, 60) for a, b in itertools.pairwise(bounds)]


@st.composite
def subject_shares(
    draw: st.DrawFn, kind: SubjectKind, subject: str, rights: tuple[RightType, ...]
) -> list[Share]:
    out: list[Share] = []
    for right in rights:
        owners = draw(st.lists(st.sampled_from(PARTIES), min_size=1, max_size=3, unique=True))
        parts = draw(fractions_summing_to_one(len(owners)))
        # sometimes leave a gap: validate_shares fills it with UNCLAIMED
        if draw(st.booleans()) and parts[0] > 0:
            parts[0] = parts[0] / 2
        for party, part in zip(owners, parts, strict=True):
            if part:
                out.append(Share(kind, subject, party, right, part))
        if draw(st.booleans()):
            local = draw(st.sampled_from(TERRITORIES[1:]))
            start = DAY0 + timedelta(days=draw(st.integers(0, 20)))
            owner = draw(st.sampled_from(PARTIES))
            out.append(Share(kind, subject, owner, right, Fraction(1), local, start, None))
    return out


@st.composite
def worlds(draw: st.DrawFn, recordings: int = 3) -> World:
    classes: dict[str, ClipClass] = {}
    shares: list[Share] = []
    for index in range(recordings):
        rec, work, voice = f"rec-{index}", f"work-{index}", f"voice-{index}"
        shares += draw(subject_shares(SubjectKind.WORK, work, (RightType.PERF, RightType.MECH)))
        shares += draw(subject_shares(SubjectKind.RECORDING, rec, (RightType.MASTER,)))
        shares += draw(subject_shares(SubjectKind.VOICE_MODEL, voice, (RightType.LIKENESS,)))
        for kind in draw(st.sets(st.sampled_from(list(Transformation)), min_size=1)):
            buckets = tuple(sorted(DEFAULT_BUCKETS_V1[kind].items(), key=lambda x: x[0].value))
            cid = f"{rec}:{kind.value}"
            classes[cid] = ClipClass(
                cid,
                rec,
                work,
                kind,
                voice if kind is Transformation.VOICE_SWAP else None,
                buckets,
                artist=f"artist-{index % 2}",
            )
    shares = validate_shares(shares, fill_unclaimed=True)
    book: dict[tuple[SubjectKind, str], list[Share]] = {}
    for share in shares:
        book.setdefault((share.subject_kind, share.subject_id), []).append(share)
    return World(classes, book, shares)


@st.composite
def usage_counts(draw: st.DrawFn, world: World, max_rows: int = 12) -> list[UsageCount]:
    rows = []
    for _ in range(draw(st.integers(1, max_rows))):
        group = GroupKey(
            draw(st.sampled_from(sorted(world.classes))),
            DAY0 + timedelta(days=draw(st.integers(0, 29))),
            draw(st.sampled_from(TERRITORIES)),
            PERIOD,
            Escrow(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
        )
        rows.append(
            UsageCount(
                group,
                draw(st.sampled_from(list(UsageType))),
                draw(st.booleans()),
                draw(st.integers(1, 500)),
                draw(st.sampled_from(("l1", "l2", "l3", "l4"))),
            )
        )
    return rows
