"""Vietnamese for the wire branch's new messages: none (every text it shows was
already translated: the branch only wires existing features to the engine)."""

VI: dict[str, str] = {}
