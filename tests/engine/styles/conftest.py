"""A small synthetic song shared by the style tests (built once per session)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from engine.analysis import Analysis, analyse
from tests.support.stems import A_MINOR, song

Stems = dict[str, npt.NDArray[np.float32]]


@pytest.fixture(scope="session")
def stems() -> Stems:
    return song(120.0, 12.0, A_MINOR, seed=7)


@pytest.fixture(scope="session")
def analysis(stems: Stems) -> Analysis:
    return analyse(stems)
