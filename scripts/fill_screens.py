"""Vietnamese for the screens engineer's new messages (issue 16 items 1-6, issue 14.7).

Keys are msgids, or (msgctxt, msgid) tuples for messages with a gettext context."""

VI = {
    "✖ Cancel": "✖ Hủy",
    "Cancelled. Nothing more was changed. Send /start or use the menu to begin again.": "Đã hủy. Không thay đổi gì thêm. Bấm /start hoặc dùng menu để bắt đầu lại.",
    "There is nothing to cancel. Send /start or use the menu.": "Không có việc gì để hủy. Bấm /start hoặc dùng menu.",
}
