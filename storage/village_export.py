"""One village's data as a portable archive an operator can hand over.

A zip of JSON Lines files, one per table, each row as the database holds it (dates
and times in ISO 8601, UTC), plus ``manifest.json`` naming the village, the time of
the export and the row count of every file. JSON, not CSV: nothing in it is ever a
spreadsheet formula, and any language reads it.

What a village owns: its row, its branch and roster, households with their visit
plans, assignments, visits and needs, campaigns with goals, pledges and receipts,
residents' questions, criterion statuses and saved answers, and its group chats.
Telegram accounts (``users``) are not exported; rows keep the user ids they refer to.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from storage.db import Session
from storage.models import (
    Branch,
    Campaign,
    CampaignGoal,
    Chat,
    CriterionStatus,
    Household,
    HouseholdVisitPlan,
    Member,
    Pledge,
    Question,
    Receipt,
    SavedFaq,
    Village,
    Visit,
    VisitAssignment,
    VisitNeed,
)


class UnknownVillage(LookupError):
    pass


@dataclass(frozen=True)
class ExportResult:
    village_code: str
    counts: dict[str, int]


def _queries(village_id: int) -> dict[str, Select[Any]]:
    households = select(Household.id).where(Household.village_id == village_id)
    campaigns = select(Campaign.id).where(Campaign.village_id == village_id)
    pledges = select(Pledge.id).where(Pledge.campaign_id.in_(campaigns))
    visits = select(Visit.id).where(Visit.household_id.in_(households))
    branch = select(Branch.id).where(Branch.village_id == village_id)
    tables: list[tuple[Any, Any]] = [
        (Village, Village.id == village_id),
        (Branch, Branch.village_id == village_id),
        (Member, Member.branch_id.in_(branch)),
        (Household, Household.village_id == village_id),
        (HouseholdVisitPlan, HouseholdVisitPlan.household_id.in_(households)),
        (VisitAssignment, VisitAssignment.household_id.in_(households)),
        (Visit, Visit.household_id.in_(households)),
        (VisitNeed, VisitNeed.visit_id.in_(visits)),
        (Campaign, Campaign.village_id == village_id),
        (CampaignGoal, CampaignGoal.campaign_id.in_(campaigns)),
        (Pledge, Pledge.campaign_id.in_(campaigns)),
        (Receipt, Receipt.pledge_id.in_(pledges)),
        (Question, Question.village_id == village_id),
        (CriterionStatus, CriterionStatus.village_id == village_id),
        (SavedFaq, SavedFaq.village_id == village_id),
        (Chat, Chat.village_id == village_id),
    ]
    queries = {}
    for model, where in tables:
        table = model.__table__
        queries[table.name] = select(table).where(where).order_by(*table.primary_key.columns)
    return queries


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


async def export_village(session: Session, code: str, target: Path, *, now: datetime) -> ExportResult:
    village_id = (await session.execute(select(Village.id).where(Village.code == code))).scalar()
    if village_id is None:
        raise UnknownVillage(code)
    counts: dict[str, int] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, query in _queries(village_id).items():
            rows = (await session.execute(query)).mappings().all()
            lines = [json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
            archive.writestr(f"{name}.jsonl", "".join(line + "\n" for line in lines))
            counts[name] = len(rows)
        manifest = {"village": code, "exported_at": now.astimezone(UTC).isoformat(),
                    "format": "villagebot-village-export/1", "files": counts}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    partial.replace(target)
    return ExportResult(code, counts)
