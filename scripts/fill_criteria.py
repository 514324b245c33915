"""Vietnamese for the messages added by the criteria round of issue 19 (numbers, English)."""

VI = {
    "The number for {what} is set for each commune group or region by the national "
    "decision, and the province's guidance makes it concrete for each commune; no confirmed "
    "number is known here yet. Ask the commune office. Once the office enters its level, "
    "I will show it here.": (
        "Mức cần đạt của {what} do quyết định của Trung ương quy định theo từng nhóm xã hoặc "
        "vùng, hướng dẫn của tỉnh quy định cụ thể cho từng xã; hiện chưa có con số được xác "
        "nhận. Bạn vui lòng hỏi văn phòng UBND xã. Khi văn phòng nhập mức cần đạt, tôi sẽ báo "
        "tại đây."
    ),
    "this criterion": "tiêu chí này",
    "Your commune is in group {n}.": "Xã của bạn thuộc nhóm {n}.",
    "Your commune is in the region {region}.": "Xã của bạn thuộc vùng {region}.",
    "The criteria are published in Vietnamese: the official name and summary are the "
    "original Vietnamese, with English where the meaning is clear.": (
        "Bộ tiêu chí được ban hành bằng tiếng Việt: tên chính thức và phần tóm tắt là nguyên "
        "văn tiếng Việt, kèm bản tiếng Anh khi nghĩa rõ ràng."
    ),
}
