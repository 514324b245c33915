"""Text normalisation for matching residents' questions against the criteria.

Everything works on folded text (lower case, no diacritics, see :func:`vntext.fold`):
abbreviations are expanded, Telex/VNI leftovers are cleaned, and criterion numbers
written as digits or Vietnamese words are recognised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.services.vntext import fold, strip_diacritics

# Folded abbreviation or chat spelling -> folded expansion. Only unambiguous ones.
ABBREVIATIONS: dict[str, str] = {
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "bh": "bao hiem",
    "htx": "hop tac xa",
    "ntm": "nong thon moi",
    "nt": "nong thon",
    "ntn": "nhu the nao",
    "k": "khong",
    "ko": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "hk": "khong",
    "kh": "khong",
    "vs": "voi",
    "dc": "duoc",
    "dk": "duoc",
    "j": "gi",
    "z": "vay",
    "r": "roi",
    "ns": "noi",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "nhiu": "nhieu",
    "ngeo": "ngheo",
    "ng": "nguoi",
    "nguoi": "nguoi",
    "mng": "moi nguoi",
    "trg": "truong",
    "wa": "qua",
    "nc": "nuoc",
    "ubnd": "uy ban nhan dan",
    "attp": "an toan thuc pham",
    "vsattp": "ve sinh an toan thuc pham",
    "vstp": "ve sinh thuc pham",
    "vsmt": "ve sinh moi truong",
    "bvmt": "bao ve moi truong",
    "gt": "giao thong",
    "gtnt": "giao thong nong thon",
    "tc": "tieu chi",
    "mttq": "mat tran to quoc",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "pccc": "phong chay chua chay",
    "pctt": "phong chong thien tai",
    "csvc": "co so vat chat",
    "nvh": "nha van hoa",
    "dqtv": "dan quan tu ve",
    "antt": "an ninh trat tu",
    "cds": "chuyen doi so",
    "dvc": "dich vu cong",
    "tthc": "thu tuc hanh chinh",
    "bvtv": "bao ve thuc vat",
    "hgd": "ho gia dinh",
    "tnbq": "thu nhap binh quan",
    "kdc": "khu dan cu",
    "kddc": "khu dan cu",
    "vietgap": "vietgap",
    "tmdt": "thuong mai dien tu",
    "cccd": "can cuoc cong dan",
    "vneid": "vneid",
    "ytx": "y te xa",
    "tyt": "tram y te",
    "kcb": "kham chua benh",
    "hn": "ho ngheo",
    "hcn": "ho can ngheo",
    "atvstp": "an toan ve sinh thuc pham",
    "ptnt": "phat trien nong thon",
    "nn": "nong nghiep",
    "ktxh": "kinh te xa hoi",
    "khcn": "khoa hoc cong nghe",
    "khkt": "khoa hoc ky thuat",
    "mk": "minh",
    "mik": "minh",
    "mn": "moi nguoi",
    "e": "em",
    "a": "anh",
    "bq": "binh quan",
    "xkld": "xuat khau lao dong",
    "ld": "lao dong",
    "nvqs": "nghia vu quan su",
    "gd": "giao duc",
    "hs": "hoc sinh",
    "sv": "sinh vien",
    "sp": "san pham",
    "dt": "dien thoai",
    "dthoai": "dien thoai",
    "tk": "tai khoan",
    "xd": "xay dung",
    "sd": "su dung",
    "gp": "giay phep",
    "qg": "quoc gia",
    "clb": "cau lac bo",
    "hd": "hoat dong",
    "tn": "thanh nien",
    "vh": "van hoa",
    "cn": "chu nhat",
    "hnay": "hom nay",
    "hqua": "hom qua",
    "lm": "lam",
    "nhìu": "nhieu",
    "nhju": "nhieu",
    "bik": "biet",
    "bjo": "bay gio",
    "ntnao": "nhu the nao",
    "v": "vay",
    "h": "gio",
    "wc": "ve sinh",
    "dg": "duong",
    "ttkdtm": "thanh toan khong dung tien mat",
    "dvcc": "dich vu cong",
}

# Function words that say nothing about the topic.
STOPWORDS: frozenset[str] = frozenset(
    """
    a ah ak ai anh bac ban be biet bi cac cai can cho chi chiu chua co con cu cua cung
    da dang dau day de den di do duoc em gi giup gium ha hay hoi hoi hom ho hu khi khong kia la lai
    lam luon ma may minh mot nao nay ne neu nghe nhe nhi nhieu nhu nhung noi o oi ong phai qua
    ra rang rat roi sao se so ta tai the thi thoi toi tren tu tui tuc va vay ve vi voi vo
    xin u uh um ok oke okay alo vang da dum nhat
    baonhieu baogio thenao odau lamsao taisao nhuthenao baygio gio luc
    ngaymai homnay homqua toinay toiqua sangnay chieunay demqua tuannay tuantoi thangnay
    namnay namngoai anhhuong moinguoi hangxom canha truonghop
    """.split()
)

# People and forms of address: never a topic ("bác" typed "bac" is not "cờ bạc", which
# is caught as a phrase by the concept map below).
PRONOUNS: frozenset[str] = frozenset(
    """
    toi tui minh mk mik bac chau chu co di anh chi em ong ba ad admin bot mn thua
    con nha ho chung chungtoi bon may tao ny
    """.split()
) - frozenset(("con", "nha", "ho", "ba", "co", "chi", "may"))

STOPWORDS = (
    STOPWORDS
    | PRONOUNS
    | frozenset(
        """
    muon nen thang bi phai vui long cam on xin hoi cho hoi oi a oh uh ah nhe nha
    dum giup gium voi thoi chu hong hem ak ha ho z v chiutrachnhiem
    """.split()
    )
    - frozenset(("nha", "ho", "thang", "cam"))  # "cam" (orange) is a garden product
)

# Question, negation and personal words: an n-gram containing one is boilerplate
# ("bat_buoc_khong", "nha_toi").
QUESTION_WORDS: frozenset[str] = frozenset(
    """
    khong chua gi nao sao duoc co baonhieu baogio thenao odau lamsao taisao nhuthenao baygio gio a ha
    nhi nhe vay ne di ah hong bi phai muon nen toi tui minh bac chau ad thua oi anh thi
    chiutrachnhiem
    """.split()
)

_NUMBER_WORDS: dict[str, int] = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}

# A criterion is named with one of these, then optionally "so"/"thu".
_MARKER_RE = re.compile(r"\b(?:tieu chi|tieuchi|tieu ch|t chi|tc|chi tieu|chitieu|ct)\b")
_CODE_RE = re.compile(r"(?<![\d.,])(\d{1,2})\s*[.,]\s*(\d{1,2})(?![\d.,])")
_GLUED_RE = re.compile(r"\b(tc|tieuchi|ct)(\d{1,2})\b")
_UNIT_WORDS = frozenset("trieu tr k nghin ngan dong d vnd phan tram kg m km ha nam thang".split())

_TELEX_TONE = frozenset("sfrxj")
_TELEX_PAIRS = (
    ("aa", "a"),
    ("aw", "a"),
    ("ee", "e"),
    ("oo", "o"),
    ("ow", "o"),
    ("uw", "u"),
    ("dd", "d"),
)


def fold_keep_dots(text: str) -> str:
    """Like :func:`vntext.fold` but keeps ``.`` and ``,`` between digits (``17.1``)."""
    text = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    text = re.sub(r"(?<=\d)\s*([.,])\s*(?=\d)", r"\1", text)
    text = re.sub(r"[^\w\s.,]", " ", text)
    text = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Abbreviations whose meaning depends on the word before: "nha vs" is "nhà vệ sinh",
# elsewhere "vs" is "với"; "gd" after "gia" ... is handled by the plain table.
_CONTEXT_ABBREVIATIONS: dict[tuple[str, str], str] = {
    ("nha", "vs"): "ve sinh",
    ("nha", "wc"): "ve sinh",
    ("nha", "vsinh"): "ve sinh",
    ("ve", "sinh"): "ve sinh",
    ("nha", "vh"): "van hoa",
    ("tre", "e"): "em",
}


# Abbreviations that mean something else at the very end of a message: "ăn gì bh" is
# "bây giờ", while "bh xe máy", "mua bh" ... keep "bảo hiểm".
_FINAL_ABBREVIATIONS: dict[str, str] = {"bh": "bay gio", "bjo": "bay gio"}


def expand_abbreviations(tokens: list[str]) -> list[str]:
    """Replace chat abbreviations (``bhyt``, ``ko``, ``dc``...) by their words."""
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i == len(tokens) - 1 and i and token in _FINAL_ABBREVIATIONS:
            out.extend(_FINAL_ABBREVIATIONS[token].split())
            continue
        if i and (tokens[i - 1], token) in _CONTEXT_ABBREVIATIONS:
            out.extend(_CONTEXT_ABBREVIATIONS[(tokens[i - 1], token)].split())
            continue
        expansion = ABBREVIATIONS.get(token)
        if expansion is None:
            out.append(token)
        else:
            out.extend(expansion.split())
    return out


def telex_clean(token: str) -> str:
    """Undo Telex keystrokes left in a word: ``truowngf`` -> ``truong``, ``tieeu`` -> ``tieu``."""
    word = token
    if len(word) > 2 and word[-1] in _TELEX_TONE and any(v in word[:-1] for v in "aeiouy"):
        word = word[:-1]
    for pair, single in _TELEX_PAIRS:
        word = word.replace(pair, single)
    return word


def vni_clean(token: str) -> str:
    """Drop VNI tone digits inside a word: ``tie6u`` -> ``tieu``."""
    if token.isdigit() or not any(ch.isdigit() for ch in token):
        return token
    return "".join(ch for ch in token if not ch.isdigit())


def parse_number_words(tokens: list[str], start: int) -> tuple[int | None, int]:
    """Read a number written in Vietnamese words (or digits) from ``tokens[start:]``.

    Returns the number and how many tokens it used; ``(None, 0)`` when there is none.
    Handles ``muoi bay`` (17), ``hai muoi`` (20), ``hai muoi mot`` (21), ``muoi lam`` (15).
    """
    if start >= len(tokens):
        return None, 0
    first = tokens[start]
    if first.isdigit():
        return int(first), 1
    if first not in _NUMBER_WORDS or first == "khong":
        return None, 0
    value = _NUMBER_WORDS[first]
    used = 1
    nxt = tokens[start + 1] if start + 1 < len(tokens) else ""
    if value == 10:
        unit = _NUMBER_WORDS.get(nxt)
        if unit is not None and 0 < unit < 10:
            return 10 + unit, 2
        return 10, 1
    if nxt == "muoi":
        value *= 10
        used = 2
        after = tokens[start + 2] if start + 2 < len(tokens) else ""
        unit = _NUMBER_WORDS.get(after)
        if unit is not None and 0 < unit < 10:
            return value + unit, 3
    return value, used


@dataclass(frozen=True)
class NumberMention:
    """A criterion (and maybe indicator) number the user wrote explicitly."""

    criterion: int
    indicator: str | None = None


def find_number_mentions(text: str) -> list[NumberMention]:
    """Criterion numbers named in ``text``: "tiêu chí 17", "TC 17", "tc17",
    "tiêu chí số mười bảy", "chỉ tiêu 17.1". Plain numbers without a marker are ignored
    (they are usually money, dates or counts)."""
    folded = fold_keep_dots(text)
    folded = _GLUED_RE.sub(r"\1 \2", folded)
    mentions: list[NumberMention] = []
    for match in _MARKER_RE.finditer(folded):
        rest = folded[match.end() :].split()
        i = 0
        while i < len(rest) and rest[i] in ("so", "thu", "muc"):
            i += 1
        if i < len(rest):
            code = re.fullmatch(r"(\d{1,2})[.,](\d{1,2})", rest[i])
            if code:
                mentions.append(
                    NumberMention(int(code.group(1)), f"{int(code.group(1))}.{int(code.group(2))}")
                )
                continue
        value, used = parse_number_words(rest, i)
        if value is not None and used and 0 < value < 100:
            mentions.append(NumberMention(value))
    if not mentions:
        for code in _CODE_RE.finditer(folded):
            after = folded[code.end() :].split()
            if after and after[0] in _UNIT_WORDS:
                continue
            crit, sub = int(code.group(1)), int(code.group(2))
            if 0 < crit < 30 and 0 < sub < 20:
                mentions.append(NumberMention(crit, f"{crit}.{sub}"))
    return mentions


_QUESTION_PHRASES = re.compile(
    r"\b(bao nhieu|bao gio|bay gio|nhu the nao|the nao|o dau|lam sao|tai sao"
    r"|ngay mai|hom nay|hom qua|toi nay|toi qua|sang nay|chieu nay|dem qua|tuan nay|tuan toi"
    r"|thang nay|nam nay|nam ngoai|anh huong|chiu trach nhiem|truong hop)\b"
)
# Compounds whose syllables are function words or pronouns on their own ("bác sĩ",
# "cờ bạc", "trẻ em"): kept as one token in questions and catalogs alike.
_COMPOUNDS = (
    re.compile(r"\b(bac si)\b"),
    re.compile(r"\b(co bac|tre em|danh bac)\b"),
    # "mọi người", "hàng xóm", "cả nhà": people addressed or mentioned, never a topic
    # ("nhà hàng xóm" is not "nhà hàng", "mọi người" is not "mới").
    re.compile(r"\b(moi nguoi|hang xom|ca nha)\b"),
)


def join_compounds(folded: str) -> str:
    """Question phrases and compounds of folded text written as one token each
    (``bao nhieu`` -> ``baonhieu``, ``moi nguoi`` -> ``moinguoi``)."""
    joined = _QUESTION_PHRASES.sub(lambda m: m.group(1).replace(" ", ""), folded)
    for compound in _COMPOUNDS:
        joined = compound.sub(lambda m: m.group(1).replace(" ", ""), joined)
    return joined


def basic_tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` with abbreviations expanded.

    Question phrases become one (stop)word - ``bao nhieu`` -> ``baonhieu`` - so that their
    syllables (``bao`` also means storm, bag, report) do not count as topic words.
    """
    folded = fold(text)
    folded = _GLUED_RE.sub(r"\1 \2", folded)
    tokens = expand_abbreviations(folded.split())
    return join_compounds(" ".join(tokens)).split()


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent pairs joined by ``_``: ``["moi", "truong"]`` -> ``["moi_truong"]``."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


# Phrases (folded) of everyday topics that are not about the criteria: weather, sport,
# market prices, entertainment, lottery, food, greetings and small talk. A message
# built around one of them is off-topic unless it clearly names a criterion.
OFFTOPIC_PHRASES: tuple[str, ...] = tuple(
    phrase.strip()
    for line in """
# weather
thoi tiet, du bao, nhiet do, do am, troi mua, mai co mua, co mua khong
nang hay mua, mua hay nang, mua to khong, troi nang, troi lanh, ret dam
gio mua, nang nong
# sport and games
bong da, da bong, tran dau, ngoai hang, world cup, sea games, aff cup
doi tuyen, ty so, ti so, cau thu, huan luyen vien, bong chuyen nu, game
lien quan mobile, danh bai
# prices and money talk
gia vang, gia lua, gia gao, gia heo, gia lon, gia ca phe, gia tieu
gia xang, gia dien thoai, gia phan bon, gia thit, gia ga, gia ca
ty gia, chung khoan, co phieu, tien ao, bitcoin, lai suat
co luong, tra luong, nhan luong
# lottery
xo so, lo de, xsmb, xsmn, ket qua xo, so de
# entertainment
phim, ca si, bai hat, karaoke, tiktok, youtube, hat hay, ca nhac
truyen hinh truc tiep, kenh nao
# food and cooking
nau canh, nau an, mon an, cong thuc nau, nau com, an gi ngon
# repairs, shopping, travel, property
sua xe, xe may, mua dien thoai, so dien thoai, dat xe, ve xe, ve may bay, bat dong san,
mua ban dat, mua dat, ban dat, nha dat, cho thue nha, tet, nghi le, ket qua tran, da voi
# greetings and small talk
xin chao, chao ban, chao ad, chao anh, chao chi, chao em, chao moi nguoi
hello, hi, alo, cam on, thank, thanks, tam biet, chao buoi sang, chao buoi toi
buoi sang vui ve, buoi toi vui ve, chuc ngu ngon, thank you, thanks ad
ngu ngon, chuc mung, chuc moi nguoi, vui ve, nguoi yeu, an com chua
khoe khong, lam quen, ban ten gi, ban la ai
# more chatter: calendar, shopping, cooking, sleep, jokes, fortune, love, exams, games
am lich, duong lich, ngay bao nhieu, may gio roi, bay gio la may gio, gio la may gio
sinh nhat, mua qua, tang qua, qua gi, nau che, cach nau, nau mon, buon ngu, di ngu, ngu chua
gia xang, gia dau, gia phan, phan dam, phan ure, gia cam, gia bo, gia cho, gia dat, gia sau rieng
chung ket, vo dich, cup c1, champions league, ngoai hang anh, tran dau, doi bong
ke chuyen, chuyen cuoi, truyen cuoi, thay boi, xem boi, tu vi, xem tuoi, phong thuy
nghe nhac, bai hat, link phim, xem phim, lay vo, lay chong, co ny, nguoi yeu, crush
doi qua, doi bung, an gi bay gio, an gi gio, thi toan, thi van, di thi, on thi
ty gia, do la, usd, sjc, vang sjc, haha, hihi, hehe, vui ghe, buon qua, chan qua
nap the, free fire, pubg, muon tien, cho vay tien, vay nong, tin dung den
ve xe, ve tau, xe khach, dat ve, ve may bay, iphone, samsung, oppo, xiaomi
# days, understanding, meals, drinks, lottery results, shopping on credit, repairs
thu may, homnay thu, ngaymai thu, hieu roi, da hieu, em hieu, ro roi, nam duoc roi
an gi, an chua, an sang, an trua, an toi, nhau khong, di nhau, nhau di, uong bia, lai rai
kqxs, ket qua xo so, mua ve so, ban ve so, to ve so, dao ve so, ve con gi, lo to, tra gop, may giat, tu lanh, dieu hoa, tho sua, tho dien
nong qua, nang qua, lanh qua, ret qua, ai mua, ai ban, can ban, can mua, thanh ly, can pass
# chatter that names a topic word: a phone's camera, online "markets", bets, films, class
# reunions, study notes, compliments, directions
camera dien thoai, camera sau, chup anh, chup hinh, cho mang, soi keo, keo nao, keo thom, keo nha cai
phim nay, bo phim, do te, hop lop, quan ca phe, ca phe, de cuong, dep qua, dep the, mat bao lau
di nho, cho di nho, thi do, do dai hoc, dau dai hoc
di cho mua, mua gi nhi, nhat duoc, danh roi, roi mat, mat dien thoai, roi dien thoai, quen dien thoai, mat vi, roi vi
# personal devices and their repairs, vehicle and life insurance, rides and rentals, gossip
sap nguon, sac pin, dien thoai em, dien thoai toi, dien thoai cua, dien thoai iphone, dien thoai samsung, sac khong vao, vo man hinh, thay man hinh, nha mang, wifi nha em, wifi nha toi, mang nha em
bao hiem xe, bao hiem o to, bao hiem nhan tho, thue xe, cho thue xe, xe cho hang, dep trai, dep gai, xinh qua, gi hot, tin hot
cuc sac, cu sac, day sac, cap sac, sac du phong, pin du phong, sac dien thoai, pin dien thoai, het pin, tut pin, thay pin, chai pin, pin yeu, sac xe, cuc pin, sac nhanh, sac qua dem, pin sac, cuc gach sac
# sugar in food and drinks is not a road
duong kinh, duong phen, duong cat, duong mia, duong nau, it duong, nhieu duong, bot duong, them duong, khong duong, cho duong vao, ngot qua, banh ngot, keo ngot
dong y, nhat tri, hay qua, dung roi, tuyet voi, chuc ca nha, chuc moi nguoi, an lanh, binh an, chuyen cuoi, cuoi qua, de thuong, ngu qua, bot ngu, thu hai, thu ba, thu tu, thu nam, thu sau
""".splitlines()
    if not line.startswith("#")
    for phrase in line.split(",")
    if phrase.strip()
)

# Words that say "the criteria in general" and nothing about one topic.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    tieu chi chi tieu nong thon moi xa thon bo gom nhung cac danh sach liet ke toan tat ca
    dat chuan quoc gia giai doan hien nay bao nhieu bay gio gi nao co la hoi cho em minh
    """.split()
)


# English questions about the common topics ("how wide must the village road be", "is the
# tap water clean", "who collects the garbage"): their topic words become the catalog's
# Vietnamese words. Only words no Vietnamese syllable spells the same.
ENGLISH: dict[str, str] = {
    "health insurance": "bao hiem y te",
    "medical insurance": "bao hiem y te",
    "insurance card": "the bao hiem y te",
    "social insurance": "bao hiem xa hoi",
    "clean water": "nuoc sach",
    "tap water": "nuoc may nuoc sach",
    "drinking water": "nuoc sach",
    "waste water": "nuoc thai",
    "wastewater": "nuoc thai",
    "power cut": "mat dien",
    "power outage": "mat dien",
    "street light": "den duong",
    "street lights": "den duong",
    "health station": "tram y te",
    "health centre": "tram y te",
    "health center": "tram y te",
    "cultural house": "nha van hoa",
    "community hall": "nha van hoa",
    "poor household": "ho ngheo",
    "poor households": "ho ngheo",
    "vocational training": "hoc nghe",
    "land use plan": "quy hoach",
    "road": "duong giao thong",
    "roads": "duong giao thong",
    "street": "duong thon",
    "lane": "ngo xom",
    "bridge": "cau",
    "pothole": "o ga",
    "potholes": "o ga",
    "water": "nuoc sach",
    "waste": "rac thai",
    "garbage": "rac thai",
    "trash": "rac thai",
    "rubbish": "rac thai",
    "litter": "rac thai",
    "recycling": "phan loai rac",
    "school": "truong hoc",
    "schools": "truong hoc",
    "kindergarten": "truong mam non",
    "classroom": "phong hoc",
    "electricity": "dien",
    "electric": "dien",
    "blackout": "mat dien",
    "internet": "internet",
    "wifi": "wifi",
    "broadband": "internet cap quang",
    "fibre": "cap quang",
    "fiber": "cap quang",
    "clinic": "tram y te",
    "doctor": "bac si",
    "vaccination": "tiem chung",
    "poverty": "ngheo",
    "income": "thu nhap",
    "jobs": "viec lam",
    "job": "viec lam",
    "housing": "nha o",
    "irrigation": "thuy loi",
    "canal": "kenh muong",
    "flood": "bao lu",
    "floods": "bao lu",
    "market": "cho nong thon",
    "environment": "moi truong",
    "security": "an ninh trat tu",
    "theft": "trom cap",
    "police": "cong an",
    "planning": "quy hoach",
    "criteria": "tieu chi",
    "criterion": "tieu chi",
}
_ENGLISH_HINTS = frozenset(
    "the is are what how who when where which does do my our must should can need needs much many "
    "wide village commune there any about".split()
)
_ENGLISH_RE = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(ENGLISH, key=len, reverse=True)) + r")\b")


def english_topics(text: str) -> str:
    """``text`` with English topic words replaced by the catalog's Vietnamese words, when it
    reads as English (an English function word and a topic word); otherwise unchanged."""
    if not text.isascii():
        return text
    lowered = text.lower()
    words = set(re.findall(r"[a-z]+", lowered))
    if not words & _ENGLISH_HINTS or not _ENGLISH_RE.search(lowered):
        return text
    # Only the topic words: the other English words would be "corrected" into Vietnamese ones.
    return " ".join(ENGLISH[m.group(0)] for m in _ENGLISH_RE.finditer(lowered))
