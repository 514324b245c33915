"""Vietnamese for branch zalo2: linking accounts on two apps, channel-neutral wording,
Zalo's quota priority (applied with scripts/update_locales.py --fill)."""

VI = {
    "Link your accounts on two apps": "Liên kết tài khoản trên hai ứng dụng",
    "This code is not valid or has expired. Choose /ketnoi on your other app to get a new one.": (
        "Mã này không đúng hoặc đã hết hạn. Bạn chọn /ketnoi ở ứng dụng kia để lấy mã mới."
    ),
    "This code was made for this account. Type it in the other app, where you use the bot too.": (
        "Mã này được tạo cho chính tài khoản này. Bạn hãy gõ mã ở ứng dụng kia, nơi bạn cũng dùng bot."
    ),
    "Both accounts are on the same app. The code links an account on Telegram with one on Zalo.": (
        "Hai tài khoản cùng một ứng dụng. Mã này dùng để liên kết một tài khoản Telegram với một tài khoản Zalo."
    ),
    "Too many wrong codes. Please wait an hour, then try again.": (
        "Đã gõ sai mã quá nhiều lần. Bạn vui lòng đợi một giờ rồi thử lại."
    ),
    (
        "Both accounts are linked to a party member on the roster, so they cannot become one. "
        "Please ask the branch secretary."
    ): (
        "Cả hai tài khoản đều đã gắn với một đảng viên trong danh sách nên không thể gộp làm một. "
        "Đồng chí vui lòng hỏi bí thư chi bộ."
    ),
    (
        "Your link code: <b>{code}</b> (valid {minutes} minutes, one use).\n"
        "Do you also use this bot on another app (Telegram or Zalo)? Send this code to the bot "
        "there: both accounts become one, and your village, pledges and role stay together."
    ): (
        "Mã liên kết của bạn: <b>{code}</b> (dùng được {minutes} phút, một lần).\n"
        "Bạn cũng dùng bot này trên ứng dụng khác (Telegram hoặc Zalo)? Hãy gửi mã này cho bot "
        "ở đó: hai tài khoản sẽ là một, thôn, các khoản đóng góp và vai trò được giữ chung."
    ),
    "✅ Yes, link them": "✅ Có, liên kết",
    "✖ No": "✖ Không",
    (
        "Link this account with the account of <b>{name}</b>? They become one: you get your "
        "messages in one place, on the app you used last."
    ): (
        "Liên kết tài khoản này với tài khoản của <b>{name}</b>? Hai tài khoản sẽ là một: bạn "
        "nhận tin ở một nơi, trên ứng dụng dùng gần nhất."
    ),
    "Done: your two accounts are one. Messages now come to the app you used last.": (
        "Xong: hai tài khoản của bạn giờ là một. Tin nhắn sẽ đến ứng dụng bạn dùng gần nhất."
    ),
    "Not linked. Nothing was changed.": "Chưa liên kết. Không có gì thay đổi.",
}
