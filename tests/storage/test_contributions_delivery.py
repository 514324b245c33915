"""Contributions' planners and renderers against the delivery contract: a fake
PlanContext collects deliveries, time moves through the injected ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.delivery.contract import Delivery, PlanContext, RenderContext, SentContext
from bot.services.contributions import delivery as contrib
from bot.services.contributions import delivery_kinds, planners, service
from storage.repo import Repo
from tests.storage.test_contributions_repo import NOW, make_campaign, pledge, seed

TZ = "Asia/Ho_Chi_Minh"


class Collector:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.keys: set[str] = set()

    async def enqueue(self, delivery: Delivery) -> bool:
        if delivery.dedupe_key in self.keys:
            return False
        self.keys.add(delivery.dedupe_key or "")
        self.deliveries.append(delivery)
        return True


async def run(planner, repo: Repo, collector: Collector, now: datetime) -> list[Delivery]:  # type: ignore[no-untyped-def]
    before = len(collector.deliveries)
    await planner(PlanContext(repo=repo, now=now, timezone=TZ, enqueue=collector.enqueue))
    return collector.deliveries[before:]


def render_ctx(repo: Repo, now: datetime) -> RenderContext:
    return RenderContext(locale="vi", repo=repo, now=now, timezone=TZ, gettext=lambda s: s)


def test_kinds_and_planners_are_exported() -> None:
    assert {k.kind for k in delivery_kinds()} == {
        contrib.REMINDER,
        contrib.WEEKLY,
        contrib.OVERDUE,
        contrib.BOARD,
        contrib.ANNOUNCE,
    }
    assert {p.name for p in planners()} == {
        "contrib.reminders",
        "contrib.weekly",
        "contrib.overdue",
        "contrib.board",
    }
    board = next(k for k in delivery_kinds() if k.kind == contrib.BOARD)
    assert board.on_sent is not None and board.quiet_hours is None
    reminder = next(k for k in delivery_kinds() if k.kind == contrib.REMINDER)
    assert reminder.quiet_hours is not None  # never in quiet hours


async def test_reminders_n_days_before_the_end_once(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world, ends_on=date(2026, 3, 20), reminder_days=3)
    owed, _ = await pledge(repo, world, campaign.id, "1tr", "r1")
    stopped, _ = await pledge(repo, world, campaign.id, "2tr", "r2")
    paid, _ = await pledge(repo, world, campaign.id, "3tr", "r3")
    await service.stop_reminders(repo, world.resident, stopped.id, NOW)
    await service.record_receipt(
        repo,
        world.treasurer,
        paid.id,
        amount=3_000_000,
        received_on=date(2026, 3, 2),
        number="",
        method="cash",
        now=NOW,
    )
    await repo.session.commit()
    collector = Collector()
    assert (
        await run(contrib.plan_reminders, repo, collector, datetime(2026, 3, 16, 10, tzinfo=UTC))
        == []
    )  # 4 days before
    queued = await run(
        contrib.plan_reminders, repo, collector, datetime(2026, 3, 17, 1, tzinfo=UTC)
    )  # 3 days before
    assert [(d.recipient.user_id, d.dedupe_key) for d in queued] == [
        (world.resident.user_id, f"pledge.reminder:{owed.id}:2026-03-20")
    ]
    assert queued[0].respect_quiet_hours
    assert (
        await run(contrib.plan_reminders, repo, collector, datetime(2026, 3, 18, 1, tzinfo=UTC))
        == []
    )  # run again: nothing new

    message = await contrib.render_reminder(render_ctx(repo, NOW), queued[0].payload)
    assert message is not None and "1.000.000" in message.text
    assert message.choices[0][0].data == f"dgp:stop:{owed.id}"
    await service.record_receipt(
        repo,
        world.treasurer,
        owed.id,
        amount=1_000_000,
        received_on=date(2026, 3, 17),
        number="",
        method="cash",
        now=NOW,
    )
    assert (
        await contrib.render_reminder(render_ctx(repo, NOW), queued[0].payload) is None
    )  # paid meanwhile: skipped


async def test_weekly_summary_to_treasurers_on_mondays(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    await pledge(repo, world, campaign.id, "1tr", "w1")
    await repo.session.commit()
    collector = Collector()
    assert (
        await run(
            contrib.plan_weekly_summaries, repo, collector, datetime(2026, 3, 3, 2, tzinfo=UTC)
        )
        == []
    )  # Tuesday
    monday = datetime(2026, 3, 9, 1, tzinfo=UTC)
    queued = await run(contrib.plan_weekly_summaries, repo, collector, monday)
    assert [d.recipient.user_id for d in queued] == [world.treasurer.user_id]
    assert (
        await run(contrib.plan_weekly_summaries, repo, collector, monday + timedelta(hours=5)) == []
    )
    message = await contrib.render_weekly(render_ctx(repo, monday), queued[0].payload)
    assert message is not None and "1.000.000" in message.text


async def test_overdue_pledges_go_to_the_secretary(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world, ends_on=date(2026, 3, 5))
    owed, _ = await pledge(repo, world, campaign.id, "1tr", "o1")
    await repo.session.commit()
    collector = Collector()
    assert (
        await run(contrib.plan_overdue, repo, collector, datetime(2026, 3, 5, 10, tzinfo=UTC)) == []
    )
    queued = await run(contrib.plan_overdue, repo, collector, datetime(2026, 3, 6, 2, tzinfo=UTC))
    assert [d.recipient.user_id for d in queued] == [world.secretary.user_id]
    assert (
        await run(contrib.plan_overdue, repo, collector, datetime(2026, 3, 7, 2, tzinfo=UTC)) == []
    )
    message = await contrib.render_overdue(render_ctx(repo, NOW), queued[0].payload)
    assert message is not None and f"#{owed.id}" in message.text


async def test_board_is_edited_in_place_at_most_every_ten_minutes(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    chat = await repo.chats.upsert(-100500, "Thôn")
    chat.village_id = world.village_id
    await repo.contributions.set_board(campaign.id, chat_id=chat.id)
    await repo.session.commit()
    first = contrib.board_delivery(campaign.id, chat.id, NOW)
    await repo.session.refresh(campaign)
    message = await contrib.render_board(render_ctx(repo, NOW), first.payload)
    assert (
        message is not None and message.edit_message_id is None
    )  # the first board is a new message
    await contrib.board_sent(
        SentContext(repo=repo, now=NOW, message_id=777, ref=first.ref), first.payload
    )
    await repo.session.commit()

    collector = Collector()
    assert (
        await run(contrib.plan_board_updates, repo, collector, NOW + timedelta(minutes=1)) == []
    )  # nothing changed
    later = NOW + timedelta(minutes=3)
    await service.confirm_pledge(
        repo,
        world.resident,
        campaign_id=campaign.id,
        parsed=service.parse_amount("money", "1tr"),
        idempotency_key="bd1",
        contributor_name="x",
        now=later,
    )
    await repo.session.commit()
    queued = await run(contrib.plan_board_updates, repo, collector, later + timedelta(minutes=1))
    assert len(queued) == 1 and queued[0].not_before == NOW + timedelta(minutes=10)
    assert (
        await run(contrib.plan_board_updates, repo, collector, later + timedelta(minutes=2)) == []
    )  # same slot
    # The edit is due but the sender has not got to it yet (a busy queue): a planner
    # run past its time queues no second edit of the same drawing.
    assert (
        await run(contrib.plan_board_updates, repo, collector, NOW + timedelta(minutes=14)) == []
    )
    await repo.session.refresh(campaign)
    edit = await contrib.render_board(
        render_ctx(repo, NOW + timedelta(minutes=10)), queued[0].payload
    )
    assert edit is not None and edit.edit_message_id == 777 and "1.000.000" in edit.text


async def test_announcement_has_the_contribute_button(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    await repo.session.commit()
    [announcement] = contrib.announcement_deliveries(campaign.id, [5], "villagebot", NOW)
    message = await contrib.render_announcement(render_ctx(repo, NOW), announcement.payload)
    assert message is not None
    assert message.choices[0][0].url == f"https://t.me/villagebot?start=dg_{campaign.code}"


async def test_statement_and_receipts_import_through_the_service(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    first, _ = await pledge(repo, world, campaign.id, "1tr", "s1")
    second, _ = await pledge(repo, world, campaign.id, "2tr", "s2")
    statement = (
        f"Ngày;Nội dung;Ghi có\n02/03/2026;CK DG {campaign.code} {first.id};1.000.000\n".encode()
    )
    [match] = await service.statement_matches(repo, world.treasurer, campaign, statement, "s.csv")
    assert match.pledge_id == first.id
    await service.record_receipt(
        repo,
        world.treasurer,
        first.id,
        amount=match.line.amount,
        received_on=date(2026, 3, 2),
        number="",
        method="transfer",
        now=NOW,
        source_ref=match.source_ref,
    )
    assert (
        await service.statement_matches(repo, world.treasurer, campaign, statement, "s.csv") == []
    )

    bad = f"Mã cam kết;Số tiền\n{second.id};500k\n999;1tr\n".encode()
    report = await service.import_receipts(repo, world.treasurer, campaign, bad, "r.csv", NOW, TZ)
    assert report.recorded == 0 and report.refused == [(3, "pledge")]
    await repo.session.refresh(second)
    assert second.received == 0  # nothing half-imported
    good = f"Mã cam kết;Số tiền\n{second.id};500k\n{second.id};1tr5\n".encode()
    report = await service.import_receipts(repo, world.treasurer, campaign, good, "r.csv", NOW, TZ)
    assert report.recorded == 2
    await repo.session.refresh(second)
    assert second.received == 2_000_000 and second.status == "received"
