from __future__ import annotations

import pytest

from bot.services.criteria import Catalog, CriteriaIndex


@pytest.fixture(scope="module")
def index() -> CriteriaIndex:
    """The criteria index on the built-in catalog, built once per test module."""
    return CriteriaIndex(Catalog.builtin())
