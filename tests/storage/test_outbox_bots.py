"""Several bots (``BOT_TOKENS``): which bot's sender takes an outbox row, on both stores.

A row names its bot (``bot_key``): a reply the bot the update came to, anything else
for a person the bot they last wrote to, else their commune's (the org file's ``bot``),
else the default bot. Each sender claims only its own bot's rows; the default bot also
takes rows naming no bot, or a bot no longer configured.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.delivery.contract import Delivery, Recipient
from bot.delivery.kinds import call_row
from bot.delivery.queue import enqueue
from bot.multibot import outbox_lanes
from bot.services import broadcasts as service
from bot.services.authz import Actor
from bot.services.org_import import apply_org, parse_org
from storage.models import Chat, OutboxMessage, Role, User
from storage.repo import Repo

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)

ORG = """\
communes:
  - code: xa-a
    name: Xã A
    province: Tỉnh A
    bot: tinh-a
    villages:
      - code: thon-a
        name: Thôn A
        members:
          - {name: Bí thư A, role: secretary, phone: "0912000001", telegram_id: 1001}
        groups:
          - {telegram_chat_id: -1001000000001, title: "Nhóm thôn A"}
  - code: xa-b
    name: Xã B
    province: Tỉnh B
    bot: tinh-b
    villages:
      - code: thon-b
        name: Thôn B
  - code: xa-c
    name: Xã C
    province: Tỉnh C
    villages:
      - code: thon-c
        name: Thôn C
"""


async def _places(repo: Repo) -> dict[str, int]:
    await apply_org(repo, parse_org(ORG))
    out = {}
    for code in ("thon-a", "thon-b", "thon-c"):
        village = await repo.places.village_by_code(code)
        assert village is not None
        out[code] = village.id
    return out


async def _keys(repo: Repo) -> dict[str, str | None]:
    rows = (await repo.session.execute(select(OutboxMessage.ref, OutboxMessage.bot_key))).all()
    return dict(rows)


async def test_a_row_goes_through_the_recipients_bot(repo: Repo) -> None:
    villages = await _places(repo)
    in_a = User(platform_user_id=5001, full_name="Dân A", village_id=villages["thon-a"])
    in_b_wrote_a = User(platform_user_id=5002, full_name="Dân B", village_id=villages["thon-b"], bot_key="tinh-a")
    in_c = User(platform_user_id=5003, full_name="Dân C", village_id=villages["thon-c"])
    repo.session.add_all([in_a, in_b_wrote_a, in_c])
    await repo.session.flush()
    group = await repo.session.scalar(select(Chat).where(Chat.platform_chat_id == -1001000000001))
    assert group is not None
    for ref, recipient in (
        ("a", Recipient(user_id=in_a.id)),
        ("b-wrote-a", Recipient(user_id=in_b_wrote_a.id)),
        ("c", Recipient(user_id=in_c.id)),
        ("group-a", Recipient(chat_id=group.id)),
    ):
        await enqueue(repo, Delivery(kind="reply", recipient=recipient, payload={"text": ref}, ref=ref,
                                     dedupe_key=None, not_before=NOW, respect_quiet_hours=False))
    # A reply names the bot that answers; with one bot it names none.
    await repo.outbox.enqueue(call_row(5003, {"method": "SendMessage", "params": {}}, now=NOW, ref="reply-b",
                                       dedupe_key=None, bot_key="tinh-b"))
    await repo.outbox.enqueue(call_row(5003, {"method": "SendMessage", "params": {}}, now=NOW, ref="reply-one",
                                       dedupe_key=None))
    await repo.session.commit()
    assert await _keys(repo) == {
        "a": "tinh-a",  # never wrote: their commune's bot
        "b-wrote-a": "tinh-a",  # wrote to bot A: bot A can reach them, whatever their commune
        "c": None,  # a commune bound to no bot: the default bot
        "group-a": "tinh-a",
        "reply-b": "tinh-b",
        "reply-one": None,
    }


async def test_rows_queued_set_wise_go_through_the_same_bots(repo: Repo) -> None:
    """``enqueue_many`` (the planners' set-wise path) names the bots ``enqueue`` names,
    keeps the order and skips a dedupe key already taken."""
    from bot.delivery.queue import enqueue_many

    villages = await _places(repo)
    in_a = User(platform_user_id=5001, full_name="Dân A", village_id=villages["thon-a"])
    in_b_wrote_a = User(platform_user_id=5002, full_name="Dân B", village_id=villages["thon-b"], bot_key="tinh-a")
    in_b = User(platform_user_id=5004, full_name="Dân B2", village_id=villages["thon-b"])
    in_c = User(platform_user_id=5003, full_name="Dân C", village_id=villages["thon-c"])
    repo.session.add_all([in_a, in_b_wrote_a, in_b, in_c])
    await repo.session.flush()
    group = await repo.session.scalar(select(Chat).where(Chat.platform_chat_id == -1001000000001))
    assert group is not None
    deliveries = [
        Delivery(kind="reply", recipient=recipient, payload={"text": ref}, ref=ref, dedupe_key=f"k-{ref}",
                 not_before=NOW, respect_quiet_hours=False)
        for ref, recipient in (
            ("c", Recipient(user_id=in_c.id)),
            ("a", Recipient(user_id=in_a.id)),
            ("b-wrote-a", Recipient(user_id=in_b_wrote_a.id)),
            ("group-a", Recipient(chat_id=group.id)),
            ("b", Recipient(user_id=in_b.id)),
        )
    ]
    assert await enqueue_many(repo, deliveries[:2]) == 2
    assert await enqueue_many(repo, deliveries) == 3  # "c" and "a" were queued already
    await repo.session.commit()
    assert await _keys(repo) == {"c": None, "a": "tinh-a", "b-wrote-a": "tinh-a", "group-a": "tinh-a", "b": "tinh-b"}
    order = (await repo.session.execute(select(OutboxMessage.ref).order_by(OutboxMessage.id))).scalars().all()
    assert order == ["c", "a", "b-wrote-a", "group-a", "b"]


async def test_each_sender_claims_only_its_bots_rows(repo: Repo) -> None:
    for ref, key in (("none", None), ("a", "tinh-a"), ("b", "tinh-b"), ("gone", "removed-bot")):
        await repo.outbox.enqueue(call_row(7000, {"method": "SendMessage", "params": {}}, now=NOW, ref=ref,
                                           dedupe_key=None, bot_key=key))
    await repo.session.commit()
    lane_a, lane_b = outbox_lanes(["tinh-a", "tinh-b"])
    later = NOW + timedelta(seconds=1)
    refs = {}
    for lane in (lane_a, lane_b, None):
        ids = [c.id for c in await repo.outbox.candidates(later, lane=lane)]
        rows = (await repo.session.execute(select(OutboxMessage.ref).where(OutboxMessage.id.in_(ids)))).scalars()
        refs[lane.key if lane else "all"] = sorted(rows)
    assert refs == {"tinh-a": ["a", "gone", "none"], "tinh-b": ["b"], "all": ["a", "b", "gone", "none"]}


async def test_a_broadcast_run_is_sent_by_its_communes_bot(repo: Repo) -> None:
    villages = await _places(repo)
    author = User(platform_user_id=1001, full_name="Bí thư A", village_id=villages["thon-a"], bot_key="tinh-a")
    repo.session.add(author)
    repo.session.add_all(User(platform_user_id=8000 + i, full_name=f"Dân {i}", village_id=villages["thon-a"])
                         for i in range(5))
    await repo.session.flush()
    actor = Actor(user_id=author.id, platform_user_id=1001, village_id=villages["thon-a"], member_id=1,
                  role=Role.SECRETARY)
    created = await service.create_broadcast(
        repo, actor, service.Draft("text", "Họp", service.Audience(all_groups=True, residents=True)),
        author_chat_id=1001, author_locale="vi", now=NOW, tz=UTC, default_locale="vi",
    )
    await repo.session.commit()
    assert created.run is not None
    keys = (await repo.session.execute(
        select(OutboxMessage.bot_key).where(OutboxMessage.run_id == created.run.id)
    )).scalars().all()
    assert len(keys) == 7 and set(keys) == {"tinh-a"}  # 5 residents, the author, the group


async def test_a_person_is_answered_by_the_bot_they_last_wrote_to(repo: Repo) -> None:
    await repo.users.ensure(9001, full_name="Lan", username=None)
    await repo.users.ensure(9002, full_name="Hoa", username=None, bot_key="tinh-a")
    await repo.session.commit()
    await repo.users.ensure(9002, full_name="Hoa", username=None, bot_key="tinh-b")
    await repo.session.commit()
    keys = dict((await repo.session.execute(select(User.platform_user_id, User.bot_key))).all())
    assert keys == {9001: None, 9002: "tinh-b"}


async def test_a_communes_plaques_name_its_own_bot(repo: Repo) -> None:
    from bot.multibot import bot_username_for
    from bot.settings import load_settings

    await _places(repo)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    await repo.bot_identity.remember(111, "tinh_a_bot", now)
    await repo.bot_identity.remember(222, "tinh_b_bot", now + timedelta(seconds=1))  # started last
    await repo.session.commit()
    several = load_settings(bot_tokens="tinh-a=111:aa,tinh-b=222:bb", _env_file=None)
    one = load_settings(bot_token="111:aa", _env_file=None)
    names = {}
    for code in ("thon-a", "thon-b", "thon-c"):
        village = await repo.places.village_by_code(code)
        names[code] = (await bot_username_for(repo, several, village), await bot_username_for(repo, one, village))
    # thon-c's commune names no bot: the default bot serves it, not whichever bot started last
    assert names == {"thon-a": ("tinh_a_bot", None), "thon-b": ("tinh_b_bot", None),
                     "thon-c": ("tinh_a_bot", None)}  # fmt: skip
    assert await repo.bot_identity.last_username() == "tinh_b_bot"
    # a third bot that never ran: no other bot's name on its commune's plaques
    three = load_settings(bot_tokens="tinh-a=111:aa,tinh-c=333:cc", _env_file=None)
    village_b = await repo.places.village_by_code("thon-b")  # its key tinh-b is gone: the default
    assert await bot_username_for(repo, three, village_b) == "tinh_a_bot"
    fresh = load_settings(bot_tokens="tinh-c=333:cc,tinh-b=222:bb", _env_file=None)
    village_a = await repo.places.village_by_code("thon-a")  # the default (tinh-c) never ran
    assert await bot_username_for(repo, fresh, village_a) is None


async def test_a_group_is_written_to_by_the_bot_seen_in_it(repo: Repo) -> None:
    await _places(repo)
    group = await repo.session.scalar(select(Chat).where(Chat.platform_chat_id == -1001000000001))
    assert group is not None
    await enqueue(repo, Delivery(kind="reply", recipient=Recipient(chat_id=group.id), payload={}, ref="before",
                                 dedupe_key=None, not_before=NOW, respect_quiet_hours=False))
    await repo.chats.seen_by(-1001000000001, "tinh-b")  # bot B, not the commune's bot A, is in the group
    await enqueue(repo, Delivery(kind="reply", recipient=Recipient(chat_id=group.id), payload={}, ref="after",
                                 dedupe_key=None, not_before=NOW, respect_quiet_hours=False))
    await repo.session.commit()
    assert await _keys(repo) == {"before": "tinh-a", "after": "tinh-b"}
