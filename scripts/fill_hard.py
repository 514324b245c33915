"""Vietnamese for the hardening branch (issue 8): ``update_locales.py --fill scripts/fill_hard.py``."""

VI = {
    "{weekday}, {date} at {time}": "{weekday}, {date} lúc {time}",
    "Sorry, only an administrator of this group can link it. Ask the group's owner to make you an administrator, then send /lienket again.": (
        "Xin lỗi, chỉ quản trị viên của nhóm mới liên kết được nhóm này. Hãy nhờ người tạo nhóm "
        "đặt bạn làm quản trị viên rồi gửi lại /lienket."
    ),
    "This group is already linked to another village. It stays linked until that village's secretary sends /huylienket here, or an operator moves it.": (
        "Nhóm này đã được liên kết với một thôn khác. Nhóm giữ liên kết đó cho đến khi bí thư "
        "của thôn ấy gửi /huylienket tại đây, hoặc quản trị hệ thống chuyển nhóm."
    ),
    "⚠️ I cannot pin announcements here yet. Please make me an administrator with the right to pin messages: open the group's info → Administrators → Add administrator → choose me → turn on “Pin messages”.": (
        "⚠️ Tôi chưa ghim được thông báo trong nhóm này. Hãy đặt tôi làm quản trị viên có quyền "
        "ghim tin nhắn: mở thông tin nhóm → Quản trị viên → Thêm quản trị viên → chọn tôi → bật "
        "“Ghim tin nhắn”."
    ),
    "This group is not linked to any village.": "Nhóm này chưa liên kết với thôn nào.",
    "Sorry, only the secretary or deputy secretary of the village this group is linked to can unlink it.": (
        "Xin lỗi, chỉ bí thư hoặc phó bí thư của thôn đang liên kết với nhóm mới huỷ được liên kết."
    ),
    "Sorry, only an administrator of this group can unlink it.": (
        "Xin lỗi, chỉ quản trị viên của nhóm mới huỷ được liên kết."
    ),
    "This group is no longer linked to <b>{village}</b>. Village announcements will not arrive here any more.": (
        "Nhóm này không còn liên kết với <b>{village}</b>. Thông báo của thôn sẽ không gửi vào đây nữa."
    ),
    "Unlink this group from your village (secretary)": "Huỷ liên kết nhóm với thôn (bí thư)",
    "This member has already linked their account, so no invite is needed.": (
        "Người này đã liên kết tài khoản rồi, không cần lời mời nữa."
    ),
    "This announcement did not ask you for a confirmation.": "Thông báo này không yêu cầu bạn xác nhận.",
    "Sorry, this button is not valid. Please start again from the menu.": (
        "Xin lỗi, nút này không hợp lệ. Bạn vui lòng bắt đầu lại từ menu."
    ),
    "This session has ended. Send /start or use the menu to start again.": (
        "Phiên thao tác này đã kết thúc. Bạn hãy gửi /start hoặc dùng menu để bắt đầu lại."
    ),
    "Questions waiting for an answer: {total} (page {page}/{pages})": (
        "Câu hỏi đang chờ trả lời: {total} (trang {page}/{pages})"
    ),
    "a resident": "một người dân",
    "<b>#{id}</b> · {who} · {when}": "<b>#{id}</b> · {who} · {when}",
    "◀ Previous": "◀ Trang trước",
    "Next ▶": "Trang sau ▶",
    "📥 Residents sent {count} new question(s) to the branch; {waiting} in all are waiting for an answer.": (
        "📥 Người dân vừa gửi {count} câu hỏi mới cho chi bộ; tổng cộng {waiting} câu đang chờ trả lời."
    ),
    "… and {more} more.": "… và {more} câu khác.",
    "Send /cauhoi to answer them.": "Gửi /cauhoi để trả lời.",
    "You are linked as {role}.": "Bạn đã liên kết với vai trò {role}.",
    "In the village group chat (add me to it first):": "Trong nhóm chat của thôn (hãy thêm tôi vào nhóm trước):",
    "As a party member you also get the branch's announcements here, in private.": (
        "Là đảng viên, bạn còn nhận thông báo của chi bộ tại đây, trong tin nhắn riêng."
    ),
    "Party member? Press “📱 I am a party member: share my phone” below to link your account.": (
        "Bạn là đảng viên? Bấm “📱 Tôi là đảng viên: chia sẻ số điện thoại” bên dưới để liên kết tài khoản."
    ),
    "Wrong village? Send /doithon to change it.": "Sai thôn? Gửi /doithon để đổi.",
    "I am the village assistant. In this group I post the branch's announcements.": (
        "Tôi là trợ lý của thôn. Trong nhóm này tôi đăng thông báo của chi bộ."
    ),
    "For questions about the criteria and everything else, message me privately.": (
        "Muốn hỏi về tiêu chí và mọi việc khác, hãy nhắn riêng cho tôi."
    ),
    "Your village comes from your branch's roster. If it is wrong, please ask your branch secretary.": (
        "Thôn của bạn lấy theo danh sách chi bộ. Nếu sai, bạn vui lòng báo bí thư chi bộ."
    ),
    "That looks like a question. 🙂 I will answer it once I know your village, because the answer depends on it. Please type just the name of your village, for example: <i>Nam Bắc Thành</i>.": (
        "Có vẻ đây là một câu hỏi. 🙂 Tôi sẽ trả lời khi biết thôn của bạn, vì câu trả lời tuỳ theo thôn. "
        "Bạn vui lòng chỉ gõ tên thôn, ví dụ: <i>Nam Bắc Thành</i>."
    ),
    "🏘 My village is not listed": "🏘 Không có thôn của tôi",
    "Sorry, your village is not with us yet. Type its name, the commune and the province (for example: <i>Thôn Đông, xã Cẩm Bình, Hà Tĩnh</i>) and I will pass it on to the people who run this assistant.": (
        "Xin lỗi, thôn của bạn chưa có ở đây. Hãy gõ tên thôn, xã và tỉnh (ví dụ: <i>Thôn Đông, xã Cẩm Bình, "
        "Hà Tĩnh</i>), tôi sẽ chuyển cho người quản lý trợ lý này."
    ),
    "Thank you! I have passed it on. Meanwhile you can read the criteria with /tieuchi. When your village is added, send /doithon to choose it.": (
        "Cảm ơn bạn! Tôi đã chuyển đi. Trong lúc chờ, bạn có thể xem tiêu chí bằng /tieuchi. "
        "Khi thôn của bạn được thêm, hãy gửi /doithon để chọn."
    ),
    "Change your village": "Đổi thôn",
    "◀ Back": "◀ Quay lại",
    "✖ Close without sending": "✖ Đóng, không gửi",
    "I could not read that. Type the day and time the way you would say them, for example “3/12 7h30”, “sáng mai 7 giờ”, “thứ 7 này 19h” or “25/12 19:00”.": (
        "Tôi chưa hiểu thời gian này. Hãy gõ ngày giờ như khi nói, ví dụ “3/12 7h30”, “sáng mai 7 giờ”, "
        "“thứ 7 này 19h” hoặc “25/12 19:00”."
    ),
    "When? Type it the way you would say it, for example “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” or “thứ 7 này 19h”, or press a button.": (
        "Gửi lúc nào? Hãy gõ như khi nói, ví dụ “3/12 7h30”, “sáng mai 7 giờ”, “tối nay 19h” hoặc "
        "“thứ 7 này 19h”, hoặc bấm một nút."
    ),
    "📅 It will be sent on <b>{when}</b>.": "📅 Thông báo sẽ được gửi vào <b>{when}</b>.",
    "Send me the announcement again: a text, or a photo or file with a caption.": (
        "Bạn gửi lại nội dung thông báo: chữ, hoặc ảnh hay tệp kèm chú thích."
    ),
    "Send me the corrected announcement. The audience and the time stay as they are.": (
        "Bạn gửi nội dung đã sửa. Người nhận và thời gian giữ nguyên."
    ),
    "✏️ Edit the text": "✏️ Sửa nội dung",
    "Delete the announcement “{snippet}” that repeats {rule}? It will not be sent again.": (
        "Xoá thông báo “{snippet}” lặp lại {rule}? Thông báo sẽ không được gửi nữa."
    ),
    "Delete the scheduled announcement “{snippet}”? It will not be sent.": (
        "Xoá thông báo đã hẹn giờ “{snippet}”? Thông báo sẽ không được gửi."
    ),
    "🗑 Yes, delete it": "🗑 Đúng, xoá thông báo",
    "◀ No, keep it": "◀ Không, giữ lại",
    "⚠️ Not pinned in {count} group(s): I am not an administrator there. Make me an administrator with the right to pin messages, then /lienket tells you if it worked.": (
        "⚠️ Không ghim được ở {count} nhóm: tôi chưa là quản trị viên ở đó. Hãy đặt tôi làm quản trị viên "
        "có quyền ghim tin nhắn, rồi gửi /lienket trong nhóm để kiểm tra."
    ),
}
