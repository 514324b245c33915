"""All tables. Each feature keeps its models in a module of its own; importing this
package registers every table on ``Base.metadata`` (Alembic relies on that)."""

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

__all__ = [
    "AuditLog",
    "Base",
    "Branch",
    "Chat",
    "Commune",
    "Household",
    "Invite",
    "Member",
    "Platform",
    "ProcessedUpdate",
    "Province",
    "Role",
    "User",
    "Village",
    "VisitAssignment",
]
