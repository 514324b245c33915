"""Vietnamese for branch zalo3: English msgids that said "Press"/"tap"/"buttons" now say
"Choose" (they are shown on Telegram and on Zalo, where a button is a numbered line); the
Vietnamese had already been reworded in fill_zalo2.py and is kept as it was (applied with
scripts/update_locales.py --fill)."""

VI = {
    "At what time? Choose one, or type it as HH:mm.": (
        "Lúc mấy giờ? Chọn một giờ, hoặc gõ theo dạng HH:mm."
    ),
    "Did the household raise any needs? Choose all that apply, then Next.": (
        "Hộ có nêu nhu cầu gì không? Chọn các mục phù hợp rồi chọn Tiếp."
    ),
    "How much? Choose an amount or type it, {example}.": (
        "Bao nhiêu ạ? Chọn một số tiền hoặc gõ vào, {example}."
    ),
    "I can only read text for now. Please type your question or choose an item.": (
        "Hiện tôi chỉ đọc được chữ. Bạn vui lòng gõ câu hỏi hoặc chọn một mục."
    ),
    "I did not understand that date. Type it like 25/12, or choose a day.": (
        "Tôi chưa hiểu ngày này. Hãy gõ như 25/12, hoặc chọn một ngày."
    ),
    "Is it one of these? Choose your village:": (
        "Có phải một trong các thôn này không? Chọn thôn của bạn:"
    ),
    "No household in your village matches “{query}”. Type at least two letters of the code or of the head's name, or choose Cancel.": (
        "Không có hộ nào trong thôn khớp với “{query}”. Bà con gõ ít nhất hai chữ của mã hộ hoặc tên chủ hộ, hoặc chọn Hủy."
    ),
    "Noted. The visit is still due: choose “📅 Later” to pick another day.": (
        "Đã ghi nhận. Hộ này vẫn cần thăm: chọn “📅 Hẹn lại” để hẹn ngày khác."
    ),
    "Nothing changes until you choose “Accept”.": (
        "Chưa có gì thay đổi cho đến khi đồng chí chọn “Đồng ý”."
    ),
    "Party member? Choose “📱 I am a party member: share my phone” below to link your account.": (
        "Bạn là đảng viên? Chọn “📱 Tôi là đảng viên: chia sẻ số điện thoại” bên dưới để liên kết tài khoản."
    ),
    "Please send a photo, or choose “Finish without a photo”.": (
        "Hãy gửi một ảnh, hoặc chọn “Hoàn tất không cần ảnh”."
    ),
    "Please choose one of the items above, or type <i>hủy</i> to stop.": (
        "Xin chọn một mục ở trên, hoặc gõ <i>hủy</i> để thôi."
    ),
    "Please choose one of the items above.": ("Xin chọn một mục ở trên."),
    "Choose one to see its details and who acknowledged it.": (
        "Chọn một thông báo để xem chi tiết và ai đã nắm."
    ),
    "Send a short note (for example: “3 km of road finished”), or choose Skip.": (
        "Gửi một ghi chú ngắn (ví dụ: “đã xong 3 km đường”), hoặc chọn Bỏ qua."
    ),
    "Sorry, this choice is not valid. Please start again from the menu.": (
        "Xin lỗi, lựa chọn này không hợp lệ. Bạn vui lòng bắt đầu lại từ menu."
    ),
    "What did you see? Choose an item to mark it 🟢 fine or 🔴 a concern, then Next.": (
        "Đồng chí thấy tình hình thế nào? Chọn từng mục để đánh dấu 🟢 ổn hoặc 🔴 cần quan tâm, rồi chọn Tiếp."
    ),
    "When? Type it the way you would say it, for example “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” or “thứ 7 này 19h”, or choose an item.": (
        "Gửi lúc nào? Hãy gõ như khi nói, ví dụ “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” hoặc “thứ 7 này 19h”, hoặc chọn một mục."
    ),
    "Who should receive it? Choose the recipients, then “Next”.": (
        "Gửi cho ai? Chọn người nhận, rồi chọn “Tiếp”."
    ),
    "You are choosing too fast. Please wait a moment, then try again.": (
        "Bạn chọn nhanh quá. Bạn vui lòng chờ một lát rồi thử lại."
    ),
    "{n} criteria. Choose one to read it.": ("{n} tiêu chí. Chọn một tiêu chí để xem."),
    "⚠ Lines need checking one by one: choose each only if you are sure.": (
        "⚠ Các dòng có dấu cảnh báo cần kiểm tra từng dòng: chỉ chọn khi đồng chí chắc chắn."
    ),
    # The consultation on a channel without the phone button (issue 17).
    (
        "To count your answer I need to know your household, and this app cannot share your phone with me. "
        "A party member of the branch can record your household's answer: they type its code, for example "
        "<code>NBT-001</code>. If you also use the bot on an app where you can share your phone, share it "
        "there and link the two apps with /ketnoi."
    ): (
        "Để tính ý kiến, tôi cần biết hộ của bạn, nhưng ứng dụng này không gửi được số điện thoại cho tôi. "
        "Một đảng viên của chi bộ có thể ghi ý kiến cho hộ bạn: đảng viên gõ mã hộ, ví dụ "
        "<code>NBT-001</code>. Nếu bạn cũng dùng bot trên một ứng dụng chia sẻ được số điện thoại, hãy chia sẻ "
        "ở đó rồi liên kết hai ứng dụng bằng /ketnoi."
    ),
    # A mention in a Zalo group (groups are not served there).
    "I cannot answer in Zalo groups yet. Please write to me in a private chat: open “{name}” and send your question there.": (
        "Tôi chưa trả lời được trong nhóm Zalo. Bạn vui lòng nhắn riêng cho tôi: mở “{name}” rồi gửi câu hỏi ở đó."
    ),
}
