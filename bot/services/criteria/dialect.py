"""Regional words (Nghệ Tĩnh, Nam Bộ, the northern mountains) in standard Vietnamese."""

from __future__ import annotations

import re
import unicodedata

# Regional words (Nghệ Tĩnh, Nam Bộ) typed with their marks, in standard words: most are
# function words that would otherwise count as unknown words and lower the confidence.
_DIALECT: dict[str, str] = {
    "răng": "sao",
    "rứa": "vậy",
    "ri": "vậy",
    "nỏ": "không",
    "ni": "này",
    "mô": "đâu",
    "tê": "kia",
    "chừ": "giờ",
    "bựa": "hôm",
    "hè": "nhé",
    "nác": "nước",
    "tau": "tôi",
    "hắn": "nó",
    "chộ": "thấy",
    "mần": "làm",
    "hổng": "không",
    "hông": "không",
    "dzậy": "vậy",
    "dzô": "vào",
    "bịnh": "bệnh",
    "xài": "dùng",
    "ổng": "ông",
    "bả": "bà",
    "đal": "bê tông",
    "nhen": "nhé",
    "nghen": "nhé",
    # round 6: more Nam Bộ and Nghệ Tĩnh words, and the Nam Bộ hamlet
    "ấp": "thôn",
    "vô": "vào",
    "hoài": "mãi",
    "tụi nhỏ": "trẻ em",
    "con nít": "trẻ em",
    "mấy ổng": "cán bộ",
    "nớ": "đó",
    "ngái": "xa",
    "nhởi": "chơi",
    "dẫy": "vậy",
    "bển": "bên đó",
    "quá trời": "lắm",
    "hết trơn": "hết",
    "rớt": "trượt",
    "mệ": "bà",
    "trạm xá": "trạm y tế",
    # round 10: more Nam Bộ words
    "xỉn": "say",
    "đánh lộn": "đánh nhau",
    "thúi": "thối",
    "dìa": "về",
    "dùm": "giúp",
    "thiệt": "thật",
    "lẹ": "nhanh",
    "dô": "vào",
    "bữa nay": "hôm nay",
    "hổm rày": "mấy hôm nay",
    "trển": "trên đó",
}
_DIALECT_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(_DIALECT, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE
)
# "lộ" (Nam Bộ: the road) but not "lộ giới"; "cất nhà" (to build a house); "cúp điện".
_DIALECT_PHRASES = (
    # "ni lông" (nylon) is not "này"
    (re.compile(r"(?<!\w)ni\s+lông(?!\w)", re.IGNORECASE), "nilông"),
    (re.compile(r"(?<!\w)lộ(?!\w)(?!\s+giới)", re.IGNORECASE), "đường"),
    (re.compile(r"(?<!\w)cất(?=\s+(?:nhà|lại|thêm|bằng|tạm|mới)(?!\w))", re.IGNORECASE), "xây"),
    (re.compile(r"(?<!\w)cúp(?=\s+điện(?!\w))", re.IGNORECASE), "mất"),
    # "chuyển đổi nghề" is a change of trade, not "chuyển đổi số"
    (re.compile(r"(?<!\w)chuyển\s+đổi(?=\s+(?:nghề|việc|công việc)(?!\w))", re.IGNORECASE), "đổi"),
    # Nam Bộ "coi" (to look at) before what is looked at; a bare "coi" folds like "còi", "cói"
    (
        re.compile(
            r"(?<!\w)coi(?=\s+(?:ở|thử|giùm|dùm|giúp|lại|chỗ|quy|bản|cái|được|với|đâu|mấy)(?!\w))"
        ),
        "xem",
    ),
    # Nghệ Tĩnh "cấy" (cái: "cấy nhà", "cấy ni"), but not the rice planted by hand or machine
    # ("cấy tay", "máy cấy", "cấy lúa", "đi cấy", "cấy thuê")
    (
        re.compile(
            r"(?<!\w)(?<!máy )(?<!đi )(?<!gieo )(?<!vụ )(?<!mùa )(?<!việc )(?<!thợ )cấy"
            r"(?!\s+(?:tay|lúa|mạ|máy|thuê|gặt|cày|hái|trồng|xong|được|lúa|sạ)(?!\w))(?!\w)",
            re.IGNORECASE,
        ),
        "cái",
    ),
    # "khóa học" (a course) typed with its marks is no "khoa học" (science, technology)
    (re.compile(r"(?<!\w)kh(?:óa|oá)\s+học(?!\w)", re.IGNORECASE), "khóa đào tạo"),
    # round 16: the mountain "người bản" (a village's people) typed with its marks is no
    # seller ("người bán", the market); "người bản địa" stays
    (
        re.compile(r"(?<=người )bản(?!\w)(?!\s+(?:địa|sắc|thân|xứ|lĩnh|năng))", re.IGNORECASE),
        "thôn",
    ),
    # "a lô" (hello on the phone) is no "lô đề"
    (re.compile(r"(?<!\w)a\s+l[ôo](?!\w)", re.IGNORECASE), "alo"),
)


def standard_words(text: str) -> str:
    """``text`` with regional words (typed with their marks) in standard Vietnamese."""
    text = unicodedata.normalize("NFC", text)
    for pattern, word in _DIALECT_PHRASES:
        text = pattern.sub(word, text)
    return _DIALECT_RE.sub(lambda m: _DIALECT[m.group(0).lower()], text)
