"""Domain errors; handlers turn each into a localized answer."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a user can cause; never a bug."""


class NotAllowed(DomainError):
    """The actor's role does not allow the action in that village."""


class NotFound(DomainError):
    pass


class InviteInvalid(DomainError):
    """Unknown, expired or already used invite."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "expired" | "used"


class NotOwnContact(DomainError):
    """A shared contact that is not the sender's own."""


class PhoneNotOnRoster(DomainError):
    pass


class MemberAlreadyLinked(DomainError):
    """The roster entry already belongs to an account: no invite may hand it to another."""


class NotGroupAdmin(DomainError):
    """Only an administrator of the group chat may link it (or unlink it)."""


class GroupLinkedElsewhere(DomainError):
    """The group belongs to another village until that village's secretary unlinks it."""


class GroupNotLinked(DomainError):
    pass


class OperatorError(Exception):
    """A mistake at the command line (a bad file, an unknown phone): one line, exit code 2."""


class BroadcastInvalid(DomainError):
    """A broadcast that cannot be sent as composed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        # "empty" | "too_long" | "no_audience" | "no_recipients" | "bad_datetime"
        # | "in_past" | "bad_recurrence" | "not_cancellable"
        self.reason = reason
