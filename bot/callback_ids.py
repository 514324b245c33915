"""The numbers a button may carry, bounded where its data is unpacked.

Button data comes back from the client, and a tampered client sends any digits
(``dgo:+99999999999999999999``). Every ``CallbackData`` field that holds a number uses
one of these types, so an impossible value fails at unpacking (pydantic raises a
``ValueError``) and never reaches the database; ``handlers.fallback`` answers such a
press politely. Row ids are ``INTEGER`` columns: 32-bit on PostgreSQL.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ROW_ID_MAX = 2**31 - 1  # an INTEGER primary key
INT64_MAX = 2**63 - 1  # a BIGINT column (amounts of money)

RowId = Annotated[int, Field(ge=1, le=ROW_ID_MAX)]
"""A database row's id: positive."""

OptionalRowId = Annotated[int, Field(ge=0, le=ROW_ID_MAX)]
"""A row id, or 0 for "none" (a button's default)."""

Amount = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""An amount (đồng, days, m²), or 0 for "type another"."""

SmallInt = Annotated[int, Field(ge=-1, le=10_000)]
"""A page, an index (-1: all), a number of days, an hour or a minute."""
