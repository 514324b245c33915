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
    "Assign {household}": "Phân công hộ {household}",
    "🔁 Move a household": "🔁 Chuyển hộ sang người khác",
    "Who visits the household <b>{household}</b>?": "Ai phụ trách hộ <b>{household}</b>?",
    "Now: {name}.": "Hiện nay: {name}.",
    "Before: {name}.": "Trước đây: {name}.",
    "No household matches “{query}”. Type at least two letters of the code or of the head's name.": "Không có hộ nào khớp với “{query}”. Đồng chí gõ ít nhất hai chữ của mã hộ hoặc tên chủ hộ.",
    "Which household?": "Hộ nào?",
    "✅ Accepted: {count} households changed hands.": "✅ Đã đồng ý: đổi người phụ trách cho {count} hộ.",
    "✖ Cancelled: nothing was changed.": "✖ Đã hủy: không thay đổi gì.",
    "Type the household's code or part of the head's name, for example <code>NBT-004</code> or <code>Giang</code>.": "Đồng chí gõ mã hộ hoặc một phần tên chủ hộ, ví dụ <code>NBT-004</code> hoặc <code>Giang</code>.",
    "✅ The household <b>{household}</b> is now visited by {name}.": "✅ Hộ <b>{household}</b> từ nay do đồng chí {name} phụ trách.",
    "Nothing changes until you press “Accept”.": "Chưa có gì thay đổi cho đến khi đồng chí bấm “Đồng ý”.",
    "ordinary members are given households before the secretary and deputy": "đảng viên được giao hộ trước bí thư và phó bí thư",
    "members who use the bot (and get its reminders) come first": "đảng viên đang dùng bot (và nhận được nhắc lịch) được giao trước",
    "there are not enough households for everyone": "không đủ hộ để chia cho tất cả",
    "• {name} is left out this time: {total} households make {groups} groups of 4–5, and {reason}. Move a household to {name} to change this.": "• Lần này đồng chí {name} chưa được giao hộ: {total} hộ chia được {groups} nhóm, mỗi nhóm 4–5 hộ, và {reason}. Muốn giao hộ cho đồng chí {name}, bấm “Chuyển hộ sang người khác”.",
}
