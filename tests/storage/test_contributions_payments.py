"""Issue 14 item 5 on both databases: a 1 đ transfer carrying a neighbour's memo is
flagged (never confirmed with "confirm all"), and a wrong receipt is taken back by the
treasurer, with an audit entry, unlocking the pledge."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.services.contributions import service, statements
from bot.services.contributions.vietqr import pledge_memo
from bot.services.errors import NotAllowed, NotFound
from storage.models import AuditLog, PledgeStatus
from storage.repo import Repo
from tests.storage.test_contributions_repo import NOW, make_campaign, pledge, seed


async def test_a_forged_one_dong_transfer_is_flagged_and_can_be_taken_back(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    victim, _created = await pledge(repo, world, campaign.id, "2tr", "u3001:c1:1")
    await repo.session.commit()
    assert len(victim.memo_check) == 5 and victim.memo_check.isalpha()
    real_memo = pledge_memo(campaign.code, victim.id, victim.memo_check)
    assert real_memo.endswith(victim.memo_check) and len(real_memo) <= 25

    statement = (
        "Ngày giao dịch,Số tiền ghi nợ,Số tiền ghi có,Nội dung\n"
        f"05/03/2026,,1,DG {campaign.code} {victim.id}\n"  # the attack: no check letters, 1 đ
        f"06/03/2026,,2000000,{real_memo}\n"  # the real payment
    ).encode()
    matches = await service.statement_matches(repo, world.treasurer, campaign, statement, "s.csv")
    assert [(m.line.amount, m.flags) for m in matches] == [(1, ("check", "low")), (2_000_000, ())]
    stored = [{"pledge": m.pledge_id, "flags": list(m.flags)} for m in matches]
    assert [m.get("flags") for m in statements.chosen(stored, -1)] == [[]]  # "confirm all"
    assert statements.chosen(stored, 0) == stored[:1]  # pressed on its own, deliberately

    wrong = await service.record_receipt(
        repo, world.treasurer, victim.id, amount=1, received_on=date(2026, 3, 5),
        number="", method="transfer", now=NOW, source_ref=matches[0].source_ref,
    )  # fmt: skip
    assert wrong is not None and victim.status == PledgeStatus.PARTLY_RECEIVED
    with pytest.raises(service.CampaignInvalid):  # locked for its owner
        await service.cancel_pledge(repo, world.resident, victim.id, NOW)

    with pytest.raises(NotAllowed):
        await service.reverse_receipt(repo, world.resident, wrong.id, "mine", NOW)
    with pytest.raises(NotFound):
        await service.reverse_receipt(repo, world.treasurer, 999_999, "", NOW)
    receipt, after = await service.reverse_receipt(
        repo, world.treasurer, wrong.id, "1 đ with a forged memo", NOW
    )
    assert receipt.id == wrong.id and after.received == 0 and after.status == PledgeStatus.PLEDGED
    await repo.session.commit()
    entry = await repo.session.scalar(select(AuditLog).where(AuditLog.action == "receipt_reversed"))
    assert entry is not None and entry.actor_user_id == world.treasurer.user_id
    assert entry.details["amount"] == 1 and entry.details["reason"] == "1 đ with a forged memo"
    await service.change_pledge(repo, world.resident, victim.id, "3tr", NOW)  # unlocked
    assert victim.amount == 3_000_000
