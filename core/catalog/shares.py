"""Share validation: every right of every subject is owned exactly once, everywhere, always.

Royalties split each right type of a work, recording or voice model by the
shares valid on the play date in the listener's territory. If those shares
summed to less than 1 money would vanish, more than 1 and it would be paid
twice, so a catalog is only accepted when every (right, day, territory) sums
to exactly ``Fraction(1)`` — or, with ``fill_unclaimed``, when the gaps are
given to :data:`~core.model.UNCLAIMED_PARTY_ID` explicitly.

Territory semantics (the most specific territory wins): in territory ``DE``
on a given day, if any share of that right names ``DE`` and is valid that
day, exactly those shares apply; otherwise the ``WW`` shares apply. A
territory set therefore *replaces* the worldwide set there instead of adding
to it. Additive semantics cannot work with the invariant "sums to 1 in every
territory including WW": the WW shares alone would already sum to 1, so any
territory share would push its territory above 1. :func:`shares_on` is the
one place that applies this rule; royalties must use it rather than
filtering with ``Share.applies_in`` alone.

Shares only change at their ``valid_from``/``valid_to`` dates, so checking
one day per interval between those critical dates checks every day.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from core.errors import UserFacing
from core.model import UNCLAIMED_PARTY_ID, WORLDWIDE, RightType, Share, SubjectKind

SubjectLabel = str | Mapping[str, str] | Callable[[SubjectKind, str], str]
"""How errors name a subject: one label, labels by subject id, or a function of kind and id."""

_ONE = Fraction(1)


@dataclass(frozen=True)
class ShareImbalance:
    """Where the shares of one right do not sum to 1: a territory over a date range."""

    subject_kind: SubjectKind
    subject_id: str
    right: RightType
    territory: str
    valid_from: date | None  # None: since always
    valid_to: date | None  # exclusive; None: for ever
    total: Fraction

    @property
    def missing(self) -> Fraction:
        """What nobody claims (negative when the shares sum to more than 1)."""
        return _ONE - self.total

    def describe(self, label: str) -> str:
        """User-facing sentence with the next step, e.g. for the CLI import."""
        where = "worldwide" if self.territory == WORLDWIDE else f"in {self.territory}"
        when = _date_range(self.valid_from, self.valid_to)
        head = f"{label} {self.right.value} shares {where}{when} sum to {self.total}"
        if self.missing > 0:
            return (
                f"{head}; {self.missing} unclaimed — add the missing holder "
                "or import with --fill-unclaimed"
            )
        return f"{head}; {-self.missing} too much — lower the fractions so they sum to 1"


def _date_range(start: date | None, end: date | None) -> str:
    parts = []
    if start is not None:
        parts.append(f" from {start.isoformat()}")
    if end is not None:
        parts.append(f" until {end.isoformat()}")
    return "".join(parts)


class ShareSumError(UserFacing, ValueError):
    """The shares of a right do not sum to exactly 1 somewhere, some time."""

    def __init__(self, imbalance: ShareImbalance, label: str) -> None:
        super().__init__(imbalance.describe(label))
        self.imbalance = imbalance
        self.label = label


def shares_on(shares: Iterable[Share], right: RightType, day: date, territory: str) -> list[Share]:
    """The shares of ``right`` that pay for a use on ``day`` in ``territory``.

    Per subject, the shares naming ``territory`` win over the worldwide ones
    (see the module docstring); ``territory`` ``WW`` (unknown) gets the
    worldwide shares. Order is preserved.
    """
    valid = [s for s in shares if s.right is right and s.valid_on(day)]
    local_subjects = {
        (s.subject_kind, s.subject_id)
        for s in valid
        if territory != WORLDWIDE and s.territory == territory
    }
    wanted = []
    for share in valid:
        local = (share.subject_kind, share.subject_id) in local_subjects
        if (local and share.territory == territory) or (not local and share.territory == WORLDWIDE):
            wanted.append(share)
    return wanted


def find_imbalances(shares: Iterable[Share]) -> list[ShareImbalance]:
    """Every (subject, right, territory, interval) whose shares do not sum to 1.

    Consecutive intervals with the same total are merged, so a gap shows once
    with its whole date range. The result is sorted for stable messages.
    """
    groups: dict[tuple[SubjectKind, str, RightType], list[Share]] = defaultdict(list)
    for share in shares:
        _check_share(share)
        groups[(share.subject_kind, share.subject_id, share.right)].append(share)
    found: list[ShareImbalance] = []
    for (kind, subject_id, right), group in groups.items():
        for territory, start, end, total in _group_sums(group):
            found.append(ShareImbalance(kind, subject_id, right, territory, start, end, total))
    return sorted(found, key=_imbalance_order)


def _imbalance_order(x: ShareImbalance) -> tuple[str, str, str, int, str, date]:
    return (
        x.subject_kind.value,
        x.subject_id,
        x.right.value,
        x.territory != WORLDWIDE,
        x.territory,
        x.valid_from or date.min,
    )


def _check_share(share: Share) -> None:
    if not 0 <= share.fraction <= 1:
        raise ValueError(f"share fraction {share.fraction} is outside [0, 1]: {share}")
    if (
        share.valid_from is not None
        and share.valid_to is not None
        and share.valid_from >= share.valid_to
    ):
        raise ValueError(f"share is valid from {share.valid_from} to {share.valid_to}: {share}")


def _intervals(group: Sequence[Share]) -> list[tuple[date | None, date | None]]:
    """Half-open intervals between the group's critical dates, covering all time."""
    cuts = sorted({d for s in group for d in (s.valid_from, s.valid_to) if d is not None})
    bounds: list[date | None] = [None, *cuts, None]
    # A share starting on date.min would leave an empty first interval.
    return [(a, b) for a, b in itertools.pairwise(bounds) if b != date.min]


def _probe(start: date | None, end: date | None) -> date:
    """A day inside the interval: its first day, or the day before an open start's end."""
    if start is not None:
        return start
    return end - timedelta(days=1) if end is not None and end > date.min else date.min


def _group_sums(
    group: Sequence[Share],
) -> list[tuple[str, date | None, date | None, Fraction]]:
    """(territory, start, end, total) runs where one right of one subject is not 1."""
    right = group[0].right
    territories = [WORLDWIDE, *sorted({s.territory for s in group} - {WORLDWIDE})]
    out = []
    for territory in territories:
        run: tuple[date | None, date | None, Fraction] | None = None
        for start, end in _intervals(group):
            day = _probe(start, end)
            if territory != WORLDWIDE and not any(
                s.territory == territory and s.valid_on(day) for s in group
            ):
                total = None  # falls back to WW there, which is checked on its own
            else:
                total = sum(
                    (s.fraction for s in shares_on(group, right, day, territory)), Fraction(0)
                )
            if run is not None and (total is None or total != run[2] or run[1] != start):
                out.append((territory, *run))
                run = None
            if total is not None and total != _ONE:
                run = (run[0], end, total) if run is not None else (start, end, total)
        if run is not None:
            out.append((territory, *run))
    return out


def fill_gaps(imbalances: Iterable[ShareImbalance]) -> list[Share]:
    """UNCLAIMED shares that close every gap (imbalances above 1 are left alone)."""
    return [
        Share(
            subject_kind=x.subject_kind,
            subject_id=x.subject_id,
            party_id=UNCLAIMED_PARTY_ID,
            right=x.right,
            fraction=x.missing,
            territory=x.territory,
            valid_from=x.valid_from,
            valid_to=x.valid_to,
        )
        for x in imbalances
        if x.missing > 0
    ]


def _label_of(label: SubjectLabel | None, imbalance: ShareImbalance) -> str:
    kind, subject_id = imbalance.subject_kind, imbalance.subject_id
    fallback = f"{kind.value.capitalize().replace('_', ' ')} {subject_id}"
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    if isinstance(label, Mapping):
        return label.get(subject_id, fallback)
    return label(kind, subject_id)


def validate_shares(
    shares: Iterable[Share],
    *,
    fill_unclaimed: bool,
    subject_label: SubjectLabel | None = None,
    subject_labels: Mapping[str, str] | None = None,
) -> list[Share]:
    """Check that every right sums to exactly 1 on every day in every territory.

    Args:
        shares: shares of one or more subjects.
        fill_unclaimed: give every gap to the UNCLAIMED party instead of failing.
        subject_label: how the error names the subject (``"Work 'Golden Hour'
            (T-034.524.680-1)"``), a mapping of subject id to label, or a
            function of kind and id giving it; unnamed subjects show as
            ``"Work <id>"``.
        subject_labels: the mapping form under its plural name, for callers
            that validate several subjects at once.

    Returns:
        The shares, followed by the UNCLAIMED shares added (if any).

    Raises:
        ShareSumError: for the first imbalance (in a stable order) that cannot
            be fixed: a gap without ``fill_unclaimed``, or a sum above 1.
        ValueError: for a share whose fraction is outside [0, 1] or whose
            validity is empty — programming errors, the importer reports them.
    """
    shares = list(shares)
    imbalances = find_imbalances(shares)
    for imbalance in imbalances:
        if imbalance.missing < 0 or not fill_unclaimed:
            label = subject_labels if subject_labels is not None else subject_label
            raise ShareSumError(imbalance, _label_of(label, imbalance))
    return shares + fill_gaps(imbalances)
