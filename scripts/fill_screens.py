"""Vietnamese for the screens engineer's new messages (issue 16 items 1-6, issue 14.7).

Keys are msgids, or (msgctxt, msgid) tuples for messages with a gettext context."""

VI = {
    "✖ Cancel": "✖ Hủy",
    "Cancelled. Nothing more was changed. Send /start or use the menu to begin again.": "Đã hủy. Không thay đổi gì thêm. Bấm /start hoặc dùng menu để bắt đầu lại.",
    "There is nothing to cancel. Send /start or use the menu.": "Không có việc gì để hủy. Bấm /start hoặc dùng menu.",
    "Which one is your household?": "Hộ nào là hộ của bà con?",
    "Saved: your pledge is for the household {code} · {name}.": "Đã lưu: đóng góp của bà con được ghi cho hộ {code} · {name}.",
    "To say which household you give for, first confirm that you live in this village: send /doithon and choose your village.": "Để ghi đóng góp cho hộ gia đình, trước hết bà con xác nhận mình ở thôn này: gửi /doithon rồi chọn thôn của mình.",
    "Type your household's code or part of the head's name, for example <code>NBT-004</code> or <code>Giang</code>.": "Bà con gõ mã hộ hoặc một phần tên chủ hộ, ví dụ <code>NBT-004</code> hoặc <code>Giang</code>.",
    "No household in your village matches “{query}”. Type at least two letters of the code or of the head's name, or press Cancel.": "Không có hộ nào trong thôn khớp với “{query}”. Bà con gõ ít nhất hai chữ của mã hộ hoặc tên chủ hộ, hoặc bấm Hủy.",
}
