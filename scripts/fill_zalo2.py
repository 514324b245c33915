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
    # Channel-neutral wording (issue 17): "chọn" (choose) works for a button on Telegram
    # and for a numbered line on Zalo; "bấm" (press) only for a button.
    "Ask for “Got it”": "Đề nghị xác nhận “Đã nắm”",
    "At what time? Press one, or type it as HH:mm.": "Lúc mấy giờ? Chọn một giờ, hoặc gõ theo dạng HH:mm.",
    "Cancelled. Nothing more was changed. Send /start or use the menu to begin again.": (
        "Đã hủy. Không thay đổi gì thêm. Gửi /start hoặc dùng menu để bắt đầu lại."
    ),
    "Did the household raise any needs? Press all that apply, then Next.": (
        "Hộ có nêu nhu cầu gì không? Chọn các mục phù hợp rồi chọn Tiếp."
    ),
    "How much? Tap an amount or type it, {example}.": "Bao nhiêu ạ? Chọn một số tiền hoặc gõ vào, {example}.",
    "I can only read text for now. Please type your question or use the buttons.": (
        "Hiện tôi chỉ đọc được chữ. Bạn vui lòng gõ câu hỏi hoặc chọn một mục."
    ),
    "I did not understand that date. Type it like 25/12, or press a button.": (
        "Tôi chưa hiểu ngày này. Hãy gõ như 25/12, hoặc chọn một ngày."
    ),
    "Is it one of these? Press your village:": "Có phải một trong các thôn này không? Chọn thôn của bạn:",
    (
        "No household in your village matches “{query}”. Type at least two letters of the code or of the "
        "head's name, or press Cancel."
    ): (
        "Không có hộ nào trong thôn khớp với “{query}”. Bà con gõ ít nhất hai chữ của mã hộ hoặc tên chủ hộ, "
        "hoặc chọn Hủy."
    ),
    "Noted. The visit is still due: press “📅 Later” to choose another day.": (
        "Đã ghi nhận. Hộ này vẫn cần thăm: chọn “📅 Hẹn lại” để hẹn ngày khác."
    ),
    "Nothing changes until you press “Accept”.": "Chưa có gì thay đổi cho đến khi đồng chí chọn “Đồng ý”.",
    "Open until {time}. Answer in private with the button below; only verified answers are counted.": (
        "Nhận ý kiến đến {time}. Chọn nút dưới đây để trả lời riêng với tôi; chỉ tính ý kiến đã xác minh."
    ),
    "Party member? Press “📱 I am a party member: share my phone” below to link your account.": (
        "Bạn là đảng viên? Chọn “📱 Tôi là đảng viên: chia sẻ số điện thoại” bên dưới để liên kết tài khoản."
    ),
    "Please send a photo, or press “Finish without a photo”.": "Hãy gửi một ảnh, hoặc chọn “Hoàn tất không cần ảnh”.",
    "Please use the buttons above, or type <i>hủy</i> to stop.": (
        "Xin chọn một mục ở trên, hoặc gõ <i>hủy</i> để thôi."
    ),
    "Press one to see its details and who acknowledged it.": "Chọn một thông báo để xem chi tiết và ai đã nắm.",
    "Send a short note (for example: “3 km of road finished”), or press Skip.": (
        "Gửi một ghi chú ngắn (ví dụ: “đã xong 3 km đường”), hoặc chọn Bỏ qua."
    ),
    "There is nothing to cancel. Send /start or use the menu.": "Không có việc gì để hủy. Gửi /start hoặc dùng menu.",
    (
        "To count your answer I need to know your household. Share your phone with the 📱 button: it must be "
        "the phone on your household's entry in the village list. If it is not, ask the branch secretary to add it."
    ): (
        "Để tính ý kiến, tôi cần biết hộ của bạn. Xin chọn nút 📱 để gửi số điện thoại: số này phải trùng với "
        "số của hộ trong danh sách của thôn. Nếu chưa có, xin nhờ bí thư chi bộ bổ sung."
    ),
    "What did you see? Press an item to mark it 🟢 fine or 🔴 a concern, then Next.": (
        "Đồng chí thấy tình hình thế nào? Chọn từng mục để đánh dấu 🟢 ổn hoặc 🔴 cần quan tâm, rồi chọn Tiếp."
    ),
    (
        "When? Type it the way you would say it, for example “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” "
        "or “thứ 7 này 19h”, or press a button."
    ): (
        "Gửi lúc nào? Hãy gõ như khi nói, ví dụ “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” hoặc "
        "“thứ 7 này 19h”, hoặc chọn một mục."
    ),
    "Who should receive it? Press to choose, then “Next”.": "Gửi cho ai? Chọn người nhận, rồi chọn “Tiếp”.",
    "You are pressing too fast. Please wait a moment, then try again.": (
        "Bạn chọn nhanh quá. Bạn vui lòng chờ một lát rồi thử lại."
    ),
    "{n} criteria. Press one to read it.": "{n} tiêu chí. Chọn một tiêu chí để xem.",
    (
        "• {name} is left out this time: {total} households make {groups} groups of 4–5, and {reason}. "
        "Move a household to {name} to change this."
    ): (
        "• Lần này đồng chí {name} chưa được giao hộ: {total} hộ chia được {groups} nhóm, mỗi nhóm 4–5 hộ, "
        "và {reason}. Muốn giao hộ cho đồng chí {name}, chọn “Chuyển hộ sang người khác”."
    ),
    "⚠ Lines need checking one by one: press each only if you are sure.": (
        "⚠ Các dòng có dấu cảnh báo cần kiểm tra từng dòng: chỉ chọn khi đồng chí chắc chắn."
    ),
    "✋ Asks for “Got it”": "✋ Đề nghị xác nhận “Đã nắm”",
    (
        "Zalo: {sent} of the {quota} messages of this month's plan are used. Announcements "
        "to Zalo now wait (nothing is dropped); replies and reminders still go. Raise "
        "ZALO_MONTHLY_QUOTA after upgrading the plan, or wait for next month. See `villagebot status`."
    ): (
        "Zalo: đã dùng {sent} trong {quota} tin nhắn của gói tháng này. Thông báo gửi qua Zalo "
        "giờ phải chờ (không tin nào bị bỏ); tin trả lời và tin nhắc vẫn được gửi. Nâng "
        "ZALO_MONTHLY_QUOTA sau khi nâng gói, hoặc chờ sang tháng. Xem `villagebot status`."
    ),
}
