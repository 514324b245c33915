"""Vietnamese for the criteria round 2 messages (issue 11, issue 8 item 4)."""

VI = {
    "Saved. Residents of this village asking the same will get this answer.": "Đã lưu. Người dân trong thôn hỏi giống vậy sẽ nhận được câu trả lời này.",
    "🏘 Share with the whole commune": "🏘 Chia sẻ cho cả xã",
    "Sorry, this answer cannot be shared.": "Xin lỗi, không chia sẻ được câu trả lời này.",
    "Shared: residents of every village of the commune asking the same will get this answer.": "Đã chia sẻ: người dân các thôn trong xã hỏi giống vậy sẽ nhận được câu trả lời này.",
    "From the set “{name}”.": "Theo bộ “{name}”.",
    "In the commune's national set this is {criterion}.": "Trong bộ tiêu chí quốc gia của xã, nội dung này thuộc {criterion}.",
    "📏 <b>Levels to reach</b>": "📏 <b>Mức cần đạt</b>",
    "The criteria are published in Vietnamese: their text below is the original Vietnamese.": "Bộ tiêu chí được ban hành bằng tiếng Việt: nội dung dưới đây là nguyên văn tiếng Việt.",
}
