"""Vietnamese for the demo engineer's new messages (issue 16, items 8 and 10)."""

VI = {
    "✅ Visited {code}": "✅ Đã thăm {code}",
    "📅 Later {code}": "📅 Hẹn lại {code}",
    "🚫 Could not visit {code}": "🚫 Không thăm được {code}",
}
