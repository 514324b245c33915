"""One person, one user: linking a person's accounts on two channels with a short code.

The code is shown on one channel (valid :data:`CODE_TTL`, one use) and typed on the
other; the typing account must then confirm. Confirming merges the typing account
into the one that showed the code (``AccountRepository.merge``): village, household,
pledges, votes and the roster place stay with one user, reached on the channel used
last. Wrong codes are counted per account (:data:`MAX_WRONG` an hour) so a code
cannot be guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.accounts_repo import CODE_ALPHABET, CODE_LENGTH, AccountsConflict
from storage.channels_repo import platform_of
from storage.models import LinkCode, User
from storage.repo import Repo

CODE_TTL = timedelta(minutes=15)
MAX_WRONG = 5
WRONG_WINDOW = timedelta(hours=1)
WRONG = "account_link_wrong_code"

_SHAPE = re.compile(rf"\s*([{CODE_ALPHABET}{CODE_ALPHABET.lower()}]{{{CODE_LENGTH}}})\s*")


def looks_like_code(text: str | None) -> bool:
    """Six code characters with a letter and a digit: a typed link code."""
    match = _SHAPE.fullmatch(text or "")
    if match is None:
        return False
    code = match.group(1)
    return any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


class LinkRefused(Exception):
    """Why a code cannot link: ``wrong`` (unknown or expired), ``own`` (this account's
    own code), ``same_channel`` (typed on the channel it was shown on), ``too_many``
    (too many wrong codes lately), ``conflict`` (two roster places)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Offer:
    code_id: int
    other_name: str


async def show_code(repo: Repo, user: User, *, now: datetime) -> LinkCode:
    return await repo.accounts.new_code(user.id, now=now, expires_at=now + CODE_TTL)


async def take_code(repo: Repo, user: User, typed: str, *, now: datetime) -> Offer:
    """Check a typed code and hold it for this account until it confirms. A code another
    account has typed already is refused like a wrong one (and counted): whoever saw it over
    a shoulder cannot take it over before its owner's other account confirms."""
    if await repo.accounts.failures_since(user.id, WRONG, now - WRONG_WINDOW) >= MAX_WRONG:
        raise LinkRefused("too_many")
    code = await repo.accounts.code(typed.strip())
    taken = code is not None and code.claimed_by_user_id not in (None, user.id)  # first to type it keeps it
    if code is None or code.used_at is not None or code.expires_at <= now or taken:
        repo.audit.add(WRONG, actor_user_id=user.id, village_id=user.village_id)
        raise LinkRefused("wrong")
    if code.user_id == user.id:
        raise LinkRefused("own")
    owner = await repo.users.get(code.user_id)
    if owner is None:
        raise LinkRefused("wrong")
    theirs = {platform_of(a) for a in await repo.accounts.addresses(owner.id)}
    mine = {platform_of(a) for a in await repo.accounts.addresses(user.id)}
    if theirs & mine:  # one account per app and person
        raise LinkRefused("same_channel")
    code.claimed_by_user_id = user.id
    return Offer(code.id, owner.full_name)


async def confirm(repo: Repo, user: User, code_id: int, *, now: datetime) -> int:
    """Merge this account into the one that showed the code; the kept user's id."""
    code = await repo.accounts.code_by_id(code_id)
    if code is None or code.claimed_by_user_id != user.id or code.used_at is not None or code.expires_at <= now:
        raise LinkRefused("wrong")
    keep_id = code.user_id
    village_id = user.village_id
    try:
        await repo.accounts.merge(keep_id, user.id, now=now)
    except AccountsConflict:
        raise LinkRefused("conflict") from None
    repo.audit.add("accounts_linked", actor_user_id=keep_id, village_id=village_id, details={"merged": user.id})
    return keep_id
