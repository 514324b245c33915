"""Vietnamese for the splitv branch's new messages: none (it only moves the visits
handlers into modules; every msgid is unchanged)."""

VI: dict[str, str] = {}
