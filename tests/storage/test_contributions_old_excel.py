"""End to end at the service: a bank statement exported as an old .xls (a real BIFF8
workbook, or the web page some banks name .xls) gives the same matches as its .xlsx
twin, for two banks' layouts (VietinBank eFAST, BIDV; sources in tests/bank_layouts.py);
once one twin's line is recorded, no twin offers it again (the same source reference)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.contributions import service
from storage.repo import Repo
from tests.bank_layouts import (
    _xlsx,
    acb_statement,
    bidv_detail,
    html_xls,
    vietinbank_history,
    xls,
)
from tests.storage.test_contributions_repo import NOW, make_campaign, pledge, seed

LAYOUTS = {"vietinbank": vietinbank_history, "bidv": bidv_detail, "acb": acb_statement}


@pytest.mark.parametrize("bank", sorted(LAYOUTS))
async def test_an_old_excel_statement_is_matched_like_its_xlsx_twin(repo: Repo, bank: str) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    paid, _ = await pledge(repo, world, campaign.id, "1tr5", "x1")
    other, _ = await pledge(repo, world, campaign.id, "500k", "x2")
    await repo.session.commit()
    rows = LAYOUTS[bank](campaign.code, paid.id, paid.memo_check, other.id)
    twins = {
        "SaoKe.xlsx": _xlsx(rows),
        "SaoKe.xls": xls(rows),
        "SaoKe_web.xls": html_xls(rows),
    }

    async def matches(name: str) -> list[tuple[object, ...]]:
        found = await service.statement_matches(
            repo, world.treasurer, campaign, twins[name], name
        )
        return [(m.pledge_id, m.line.amount, m.line.on, m.flags, m.source_ref) for m in found]

    expected = await matches("SaoKe.xlsx")
    assert [m[:3] for m in expected] == [(paid.id, 1_500_000, date(2026, 3, 5))]
    # ACB names the remitter (NGUYEN VAN AN), not the pledger (Bà Tư): flagged in every twin
    assert expected[0][3] == (("payer",) if bank == "acb" else ())
    assert await matches("SaoKe.xls") == expected
    assert await matches("SaoKe_web.xls") == expected

    [match] = await service.statement_matches(
        repo, world.treasurer, campaign, twins["SaoKe.xls"], "SaoKe.xls"
    )
    await service.record_receipt(
        repo, world.treasurer, paid.id, amount=match.line.amount, received_on=date(2026, 3, 5),
        number="", method="transfer", now=NOW, source_ref=match.source_ref,
    )  # fmt: skip
    await repo.session.commit()
    for name in twins:  # the web page and the .xlsx name the same payment: never twice
        assert await matches(name) == [], name
