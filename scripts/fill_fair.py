"""Vietnamese for the fair-share messages (issue 21)."""

VI = {
    "You are pressing too fast. Please wait a moment, then try again.": (
        "Bạn bấm nhanh quá. Bạn vui lòng chờ một lát rồi bấm lại."
    ),
    "Received {count} question(s) in the group. Please message me privately, everyone.": (
        "Đã nhận {count} câu hỏi trong nhóm, mời bà con nhắn riêng cho bot."
    ),
}
