"""Vietnamese for the harden branch's new messages (issue 14 and issue 16 #7)."""

VI = {
    "Pledged {pledged}%, received {received}% of the goal {goal}": "Đã cam kết {pledged}%, đã nhận {received}% mục tiêu {goal}",
    "Pledged {pledged}, received {received} (no goal set)": "Đã cam kết {pledged}, đã nhận {received} (chưa đặt mục tiêu)",
    "⚠️ This is {times} times the usual pledge of this campaign. Please check the number before confirming.": "⚠️ Số này gấp {times} lần mức cam kết thường gặp của cuộc vận động. Xin kiểm tra lại con số trước khi xác nhận.",
    "A pledge recorded for a household can be at most {cap}. Please check the number.": "Mỗi lần ghi nhận cam kết thay cho một hộ chỉ được tối đa {cap}. Xin kiểm tra lại con số.",
    "You can record pledges only for the households on your visiting list. For other households, please ask the treasurer or the secretary.": "Đồng chí chỉ ghi nhận cam kết được cho các hộ mình phụ trách thăm. Với các hộ khác, xin nhờ thủ quỹ hoặc bí thư.",
    "Please give the reason, like this: <code>/huycamket 42 ghi nhầm số tiền</code>.": "Xin ghi rõ lý do, ví dụ: <code>/huycamket 42 ghi nhầm số tiền</code>.",
    "That pledge is already cancelled.": "Cam kết này đã được hủy rồi.",
    "Void a pledge like this: {example} (the pledge's number, then the reason).": "Hủy một cam kết như sau: {example} (số cam kết, rồi lý do).",
    "Pledge #{id} ({amount}, {name}) is void. The reason is kept in the log: {reason}": "Đã hủy cam kết #{id} ({amount}, {name}). Lý do được lưu trong nhật ký: {reason}",
    "Void a wrong pledge, with the reason": "Hủy cam kết ghi sai, kèm lý do",
}
