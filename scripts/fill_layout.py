"""Vietnamese translations added by the layout branch (issue 7): none. The handler and
module splits moved code without adding or changing any message."""

VI: dict[str, str] = {}
