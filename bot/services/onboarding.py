"""Onboarding: choosing a village, linking an account to the roster, linking group chats."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process

from bot.services.authz import Action, Actor, may_hand_on
from bot.services.errors import (
    GroupLinkedElsewhere,
    GroupNotLinked,
    InviteInvalid,
    MemberAlreadyLinked,
    NotAllowed,
    NotFound,
    NotGroupAdmin,
    NotOwnContact,
    PhoneNotOnRoster,
)
from bot.services.phone import normalize_phone
from bot.services.vntext import fold
from storage.models import Chat, Invite, Member, Role, User, Village
from storage.repo import Repo

INVITE_TTL = timedelta(days=7)
VILLAGE_PAYLOAD = re.compile(r"^v_([a-z0-9-]{1,60})$")
INVITE_PAYLOAD = re.compile(r"^inv_([A-Za-z0-9_-]{8,40})$")
_PLACE_WORDS = re.compile(
    r"^(thon|xom|ban|ap|lang|khu pho|to dan pho|tdp|khu|to|village)\s+", re.IGNORECASE
)
MIN_VILLAGE_SCORE = 60.0


@dataclass(frozen=True, slots=True)
class VillageChoice:
    village_id: int
    code: str
    name: str
    commune_name: str
    score: float


@dataclass(frozen=True, slots=True)
class ContactLink:
    """What a shared phone number matched: a roster member, a household, or both."""

    member: Member | None
    household_id: int | None
    village_id: int | None


def _search_key(name: str) -> str:
    return _PLACE_WORDS.sub("", fold(name))


async def search_villages(repo: Repo, query: str, limit: int = 5) -> list[VillageChoice]:
    """Villages whose name is close to ``query``, forgiving typos and missing diacritics."""
    key = _search_key(query)
    if not key:
        return []
    villages = await repo.places.all_villages()
    choices = {v.id: _search_key(v.name) for v in villages}
    by_id = {v.id: v for v in villages}
    found = process.extract(
        key, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=MIN_VILLAGE_SCORE
    )
    results = [
        VillageChoice(
            village_id=vid,
            code=by_id[vid].code,
            name=by_id[vid].name,
            commune_name=by_id[vid].commune.name,
            score=score,
        )
        for _, score, vid in found
    ]
    results.sort(key=lambda c: (-c.score, c.name))
    return results


_QUESTION_WORDS = frozenset(
    "gi sao nao bao nhieu khong chua the lam can duoc phai o dau ai khi nao tai vi what how why".split()
)
MAX_VILLAGE_NAME_WORDS = 6


def looks_like_question(text: str) -> bool:
    """Whether text typed at the village prompt is a question rather than a place name
    ("đường thôn cần đạt gì"): a question mark, a question word, or too many words."""
    if "?" in text:
        return True
    words = fold(text).split()
    return len(words) > MAX_VILLAGE_NAME_WORDS or any(w in _QUESTION_WORDS for w in words)


async def request_missing_village(repo: Repo, user: User, text: str) -> None:
    """A newcomer's village is not listed: their words are kept for the operators
    (``villagebot`` audit log, action ``village_requested``)."""
    repo.audit.add(
        "village_requested",
        actor_user_id=user.id,
        village_id=None,
        details={"text": text[:500], "platform_user_id": user.platform_user_id},
    )


async def choose_village(repo: Repo, user: User, village_id: int) -> Village:
    village = await repo.places.village(village_id)
    if village is None:
        raise NotFound("village")
    user.village_id = village.id
    repo.audit.add(
        "village_chosen", actor_user_id=user.id, village_id=village.id, details={"via": "onboarding"}
    )
    return village


async def village_from_payload(repo: Repo, payload: str) -> Village | None:
    """The village of a ``v_<code>`` deep link, or None for an unknown code."""
    match = VILLAGE_PAYLOAD.match(payload)
    if match is None:
        return None
    return await repo.places.village_by_code(match.group(1))


async def load_actor(repo: Repo, user: User, *, admins: frozenset[int] | set[int]) -> Actor:
    member = await repo.members.of_user(user.id)
    if member is None:
        # The org file may name a member's Telegram id: they need not share their phone.
        listed = await repo.members.by_telegram_id(user.platform_user_id)
        if listed is not None and listed.user_id is None:
            member = await _link_member(repo, user, listed, "org_file")
    village_id = member.branch.village_id if member else user.village_id
    return Actor(
        user_id=user.id,
        platform_user_id=user.platform_user_id,
        village_id=village_id,
        member_id=member.id if member else None,
        role=Role(member.role) if member else None,
        is_admin=user.platform_user_id in admins,
    )


async def _link_member(repo: Repo, user: User, member: Member, how: str) -> Member:
    previous = await repo.members.of_user(user.id)
    if previous is not None and previous.id != member.id:
        previous.user_id = None
    member.user_id = user.id
    member.telegram_id = user.platform_user_id
    user.village_id = member.branch.village_id
    repo.audit.add(
        "member_linked",
        actor_user_id=user.id,
        village_id=user.village_id,
        details={"member_id": member.id, "how": how},
    )
    await repo.session.flush()
    return member


async def link_by_contact(
    repo: Repo, user: User, *, contact_user_id: int | None, phone: str
) -> ContactLink:
    """Link the sender to the roster member (or household) with that phone.

    Only the sender's own contact counts: Telegram fills ``contact.user_id`` for a
    contact shared with the request_contact button, and it must be the sender.
    """
    if contact_user_id is None or contact_user_id != user.platform_user_id:
        raise NotOwnContact()
    normalized = normalize_phone(phone)
    if normalized is None:
        raise PhoneNotOnRoster()
    member = await repo.members.by_phone(normalized)
    household = await repo.households.by_phone(normalized)
    if member is None and household is None:
        raise PhoneNotOnRoster()
    if member is not None:
        if member.user_id not in (None, user.id):
            # The same phone was linked to an older account (a new phone, a reinstall).
            member.user_id = None
            await repo.session.flush()
        await _link_member(repo, user, member, "contact")
    if household is not None and (
        member is None or household.village_id == member.branch.village_id
    ):
        user.household_id = household.id
        user.village_id = household.village_id if member is None else user.village_id
    return ContactLink(
        member=member,
        household_id=household.id if household else None,
        village_id=user.village_id,
    )


async def create_invite(
    repo: Repo, actor: Actor, member_id: int, *, now: datetime, ttl: timedelta = INVITE_TTL
) -> Invite:
    member = await repo.members.get(member_id)
    if member is None:
        raise NotFound("member")
    actor.require(Action.CREATE_INVITE, member.branch.village_id)
    if not may_hand_on(actor.role, member.role, is_admin=actor.is_admin):
        raise NotAllowed("role_above_creator")
    if member.user_id is not None:
        raise MemberAlreadyLinked()
    invite = Invite(
        token=secrets.token_urlsafe(12),
        member_id=member.id,
        created_by_user_id=actor.user_id,
        created_at=now,
        expires_at=now + ttl,
    )
    repo.invites.add(invite)
    repo.audit.add(
        "invite_created",
        actor_user_id=actor.user_id,
        village_id=member.branch.village_id,
        details={"member_id": member.id},
    )
    await repo.session.flush()
    return invite


async def accept_invite(repo: Repo, user: User, payload: str, *, now: datetime) -> Member:
    match = INVITE_PAYLOAD.match(payload)
    invite = await repo.invites.by_token(match.group(1)) if match else None
    if invite is None:
        raise InviteInvalid("unknown")
    if invite.used_at is not None:
        if invite.used_by_user_id == user.id:
            member = await repo.members.get(invite.member_id)
            if member is not None and member.user_id == user.id:
                return member
        raise InviteInvalid("used")
    if invite.expires_at <= now:
        raise InviteInvalid("expired")
    if not await repo.invites.claim(invite.id, user.id, now):
        raise InviteInvalid("used")
    member = await repo.members.get(invite.member_id)
    if member is None:
        raise InviteInvalid("unknown")
    if member.user_id not in (None, user.id):
        # The entry was linked after the invite was made: an invite never takes an
        # account away from the person who holds it (issue 8).
        raise InviteInvalid("used")
    return await _link_member(repo, user, member, "invite")


async def link_group(
    repo: Repo, actor: Actor, *, chat_id: int, title: str, sender_is_group_admin: bool
) -> Village:
    """Link a group chat to the actor's village.

    Only a secretary or deputy who is also an administrator of the group may; a group
    linked to another village stays there until that village unlinks it (/huylienket) or
    an operator moves it. Otherwise any member of any village's committee could join a
    group and redirect its announcements (issue 8)."""
    actor.require(Action.LINK_GROUP, actor.village_id)
    assert actor.village_id is not None  # require() refused otherwise
    if not sender_is_group_admin and not actor.is_admin:
        raise NotGroupAdmin()
    village = await repo.places.village(actor.village_id)
    if village is None:
        raise NotFound("village")
    chat = await repo.chats.upsert(chat_id, title)
    if chat.village_id is not None and chat.village_id != village.id and not actor.is_admin:
        repo.audit.add(
            "group_link_refused",
            actor_user_id=actor.user_id,
            village_id=village.id,
            details={"chat_id": chat_id, "linked_to": chat.village_id},
        )
        raise GroupLinkedElsewhere()
    chat.village_id = village.id
    chat.active = True
    chat.linked_by_user_id = actor.user_id
    chat.linked_at = datetime.now(UTC)
    repo.audit.add(
        "group_linked",
        actor_user_id=actor.user_id,
        village_id=village.id,
        details={"chat_id": chat_id, "title": title},
    )
    return village


async def unlink_group(repo: Repo, actor: Actor, *, chat_id: int, sender_is_group_admin: bool) -> Village:
    """/huylienket: the linked village's secretary or deputy (a group admin) frees the group."""
    chat = await repo.chats.by_platform_id(chat_id)
    if chat is None or chat.village_id is None:
        raise GroupNotLinked()
    actor.require(Action.UNLINK_GROUP, chat.village_id)
    if not sender_is_group_admin and not actor.is_admin:
        raise NotGroupAdmin()
    village = await repo.places.village(chat.village_id)
    if village is None:
        raise NotFound("village")
    chat.village_id = None
    repo.audit.add(
        "group_unlinked", actor_user_id=actor.user_id, village_id=village.id, details={"chat_id": chat_id}
    )
    return village


async def bot_joined_group(repo: Repo, *, chat_id: int, title: str) -> Chat:
    chat = await repo.chats.upsert(chat_id, title)
    chat.active = True
    return chat


async def bot_left_group(repo: Repo, *, chat_id: int) -> Chat | None:
    chat = await repo.chats.by_platform_id(chat_id)
    if chat is not None and chat.active:
        chat.active = False
        repo.audit.add(
            "group_inactive",
            actor_user_id=None,
            village_id=chat.village_id,
            details={"chat_id": chat_id},
        )
    return chat


async def group_migrated(repo: Repo, *, old_chat_id: int, new_chat_id: int) -> Chat | None:
    """A group became a supergroup: the stored chat follows the new id (idempotent)."""
    old = await repo.chats.by_platform_id(old_chat_id)
    new = await repo.chats.by_platform_id(new_chat_id)
    if old is None:
        return new
    if new is not None and new.id != old.id:
        # Telegram sent the supergroup's first message before the migration notice.
        new.village_id = new.village_id or old.village_id
        new.active = True
        old.active = False
        target = new
    else:
        old.platform_chat_id = new_chat_id
        target = old
    repo.audit.add(
        "group_migrated",
        actor_user_id=None,
        village_id=target.village_id,
        details={"from": old_chat_id, "to": new_chat_id},
    )
    await repo.session.flush()
    return target
