"""Vietnamese for the core's new messages (delivery engine, fair share)."""

VI = {
    "You are sending messages too fast. Please wait a minute, then ask again: messages sent meanwhile are not read.": (
        "Bạn gửi nhanh quá. Bạn vui lòng chờ một phút rồi hỏi lại: các tin gửi trong lúc này sẽ không được đọc."
    ),
}
