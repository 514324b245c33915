"""Vietnamese for the Zalo channel's messages (applied with scripts/update_locales.py --fill)."""

VI = {
    "Reply with a number from 1 to {count}.": "Trả lời bằng một số từ 1 đến {count}.",
    "Party member? Type the invite code your branch secretary gave you.": (
        "Là đảng viên? Đồng chí hãy gõ mã mời do bí thư chi bộ gửi."
    ),
    "Please reply with a number from 1 to {count}.": "Bà con vui lòng trả lời bằng một số từ 1 đến {count}.",
    "That list has expired. Please send /start to see what I can do.": (
        "Danh sách này đã hết hạn. Bà con gửi /start để xem bot giúp được những gì."
    ),
    "I can only read text messages. Please type your question.": (
        "Bot chỉ đọc được tin nhắn chữ. Bà con vui lòng gõ câu hỏi."
    ),
    "Or they send the bot this code: {code}": "Hoặc gửi cho bot mã này: {code}",
    (
        "Zalo says our message quota is exceeded. Zalo messages now wait and are retried; "
        "nothing is dropped. Telegram is not affected. See `villagebot status`."
    ): (
        "Zalo báo đã hết hạn mức tin nhắn. Tin nhắn qua Zalo đang chờ và sẽ được gửi lại, "
        "không tin nào bị bỏ. Telegram vẫn chạy bình thường. Xem `villagebot status`."
    ),
}
