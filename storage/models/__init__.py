"""All tables. Each feature keeps its models in a module of its own; importing this
package registers every table on ``Base.metadata`` (Alembic relies on that)."""

from storage.models.broadcast import (
    Broadcast,
    BroadcastAck,
    BroadcastRun,
    BroadcastStatus,
    OutboxMessage,
    OutboxStatus,
    RunStatus,
    SenderWorker,
)
from storage.models.core import (
    AuditLog,
    Base,
    Branch,
    Chat,
    Commune,
    Household,
    Invite,
    Member,
    Platform,
    ProcessedUpdate,
    Province,
    Role,
    User,
    Village,
    VisitAssignment,
)
from storage.models.criteria import CriterionStatus, Question, SavedFaq
from storage.models.inbox import InboxStatus, InboxUpdate

__all__ = [
    "InboxStatus",
    "InboxUpdate",
    "CriterionStatus",
    "Question",
    "SavedFaq",
    "AuditLog",
    "Base",
    "Branch",
    "Broadcast",
    "BroadcastAck",
    "BroadcastRun",
    "BroadcastStatus",
    "Chat",
    "Commune",
    "Household",
    "Invite",
    "Member",
    "OutboxMessage",
    "OutboxStatus",
    "Platform",
    "ProcessedUpdate",
    "Province",
    "Role",
    "RunStatus",
    "SenderWorker",
    "User",
    "Village",
    "VisitAssignment",
]
