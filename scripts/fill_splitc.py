"""Vietnamese for the splitc branch's new messages: none (the branch only moves the
contributions handlers and service into smaller modules; every msgid is unchanged)."""

VI: dict[str, str] = {}
