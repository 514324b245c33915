"""Vietnamese for the lead's changes of 5 Dec 2026 (evening): the /ketnoi warning
(applied with scripts/update_locales.py --fill)."""

VI = {
    (
        "⚠️ Never give this code to anyone, even someone who says they are from the branch or "
        "the commune: whoever types it gets this account, with its pledges and role."
    ): (
        "⚠️ Không đưa mã này cho bất kỳ ai, kể cả người xưng là của chi bộ hay xã: ai gõ mã này "
        "sẽ nắm tài khoản của bạn, cùng các khoản đóng góp và vai trò của bạn."
    ),
    "Type your answer, or 0 to cancel.": "Gõ câu trả lời, hoặc gõ 0 để hủy.",
    "Reply with a number from 1 to {count}, or 0 to cancel.": "Trả lời bằng một số từ 1 đến {count}, hoặc 0 để hủy.",
}
