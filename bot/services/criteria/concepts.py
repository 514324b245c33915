"""A topic map: everyday words residents use -> the words the catalogs use.

Residents name concrete things ("bể phốt", "mất con trâu", "đèn đầu ngõ") rather than
criteria. Each entry is a regular expression over the *folded* query (lower case, no
diacritics, abbreviations expanded) and the catalog words it stands for. A question that
mentions one of these things gets the catalog words added (with a slightly lower weight),
so several different phrasings converge on one topic. The expansions are plain catalog
vocabulary, never criterion numbers: the ranking still decides, per set, which criterion
holds the topic (e.g. "chuồng trại" is environment in the national sets but "vườn hộ và
chăn nuôi" in the Hà Tĩnh model-village set).
"""

from __future__ import annotations

import re

_RAW: tuple[tuple[str, str], ...] = (
    # security, order, defence
    (
        r"co bac|cobac|danhbac|danh bac|sat phat|ca do|danh de",
        "co bac te nan xa hoi an ninh trat tu",
    ),
    (
        r"(?<!do )(?<!xa )(?<!vut )(?<!dung )trom|mat cap|an cap|mat (?:con|xe|trau|bo|cho|ga)|nguoi la|lai vang|kha nghi"
        r"|cuop|giat do",
        "trom cap an ninh trat tu",
    ),
    (
        r"dua xe|xe do|boc dau|lang lach|gay roi|danh nhau|dam nhau|gay go|nhau nhet|tu tap",
        "an ninh trat tu",
    ),
    (r"no po|net po|nep po|ru ga|gay on|on ao", "gay roi an ninh trat tu"),
    (r"ma tuy|hut chich|nghien|thuoc lac|hang da", "ma tuy te nan xa hoi"),
    (
        r"danh (?:vo|vk|con|chong|ck)|bao hanh|bao luc|(?:chong|ck) .{0,20}danh"
        r"|say (?:ruou |xin )?.{0,15}danh|danh .{0,20}(?:khi|moi lan|luc) (?:say|nhau)",
        "bao luc gia dinh binh dang gioi",
    ),
    (r"tranh chap|cai nhau|mau thuan|bat hoa|phan xu|xich mich|kien tung", "hoa giai tranh chap"),
    # someone else's people cutting trees on one's own land or field: a dispute to settle
    (
        r"(?:sang|vao) (?:\w+ )?chat (?:cay|tre|go|keo)"
        r"|chat (?:cay|tre|keo) (?:\w+ ){0,4}(?:cua|nha) (?:toi|minh|em|tui|chau)",
        "tranh chap hoa giai",
    ),
    (r"tam tru|tam vang|khai bao cu tru|o nho|dang ky cu tru", "cu tru tam tru"),
    (
        r"nghia vu quan su|bo doi(?! xuat ngu)|nhap ngu|giao quan|tong quan|kham tuyen|dan quan",
        "nghia vu quan su quoc phong",
    ),
    (
        r"luat su|tro giup phap ly|tu van phap luat|hieu luat|phap luat",
        "tro giup phap ly phap luat",
    ),
    # environment
    (
        r"be phot|ham cau|tu hoai|nha tieu|nha xi|toilet|nha ve sinh|cong trinh ve sinh",
        "nha ve sinh nha tieu",
    ),
    (r"\brac\b|ve chai|xa ban|phe lieu|vut bua|xa rac|do trom", "rac thai thu gom rac"),
    (r"huu co|vo co|tai che|u phan", "phan loai rac"),
    (r"ni long|bao nilon|nilon|nilong|chai nhua|do nhua", "rac thai nhua tui ni long"),
    (
        r"gieng|nuoc may|nuoc phen|nuoc uong|nuoc an|nuoc sinh hoat|loc nuoc",
        "nuoc sach nuoc sinh hoat",
    ),
    (
        r"chuong (?:lon|heo|bo|ga|trau|vit|trai)|trai (?:lon|heo|ga)|phan (?:lon|heo|ga|bo)"
        r"|nuoi (?:lon|heo|bo|ga|vit)|biogas|ham khi",
        "chuong trai chan nuoi",
    ),
    (r"boc mui|hoi thoi|mui hoi|thoi qua", "mui hoi o nhiem"),
    (r"dot rom|dot rac|khoi bui|khoi mu|dot ra", "dot rom ra khoi bui o nhiem"),
    (
        r"cong ranh|muong thoat|nuoc thai|ho ga|tac cong|cong thoat|ho tham|nuoc do",
        "nuoc thai cong ranh",
    ),
    (r"mo ma|nghia dia|chon cat|boc mo|cai tang|sang cat|hoa tang", "nghia trang mai tang"),
    (
        r"thuoc sau|thuoc tru sau|vo chai thuoc|vo thuoc|bao bi thuoc|thuoc bao ve thuc vat",
        "vo thuoc tru sau",
    ),
    (
        r"cay xanh|trong hoa|con duong hoa|duong hoa|cay bong mat",
        "cay xanh canh quan xanh sach dep",
    ),
    (
        r"ve sinh (?:chung|duong|ngo|xom|thon|lang|khu|moi truong)|ra quan|don ve sinh|quet don"
        r"|don dep|chu nhat xanh",
        "ve sinh moi truong",
    ),
    (
        r"do an|quan an|hang an|thuc an ban|an uong|ngo doc|hang quan|thuc pham ban"
        r"|dau bung|non oi|non mua|tieu chay|trung doc",
        "an toan thuc pham",
    ),
    (r"be nuoc|chum nuoc|lu nuoc|thung nuoc|chua nuoc", "be nuoc"),
    # health, culture, education
    (r"gay com|nhe can|coi coc|thap coi|suy dinh duong|con coi|can nang", "suy dinh duong tre em"),
    (
        r"treem|tiem phong|tiem chung|vac xin|vacxin|mui tiem|uong vitamin|chich ngua|tiem ngua"
        r"|chich vac xin",
        "tiem chung tre em",
    ),
    (r"\bom\b|kham benh|bac si|bacsi|benh vien|chua benh|cap cuu", "kham chua benh y te"),
    # "lên trạm", "ra trạm": the health station, unless another station is named
    (
        r"(?:len|ra|xuong|toi|den|vo|vao|o) tram"
        r"(?! (?:bom|bien|dien|thu|dung|xang|can|cap|kiem|phat|thuy|quan|tron|trung|gac|bts))",
        "tram y te",
    ),
    (r"bao hiem y te|the bao hiem|the bhyt|the kham benh", "bao hiem y te"),
    (
        r"dam cuoi|dam ma|dam tang|dam gio|cuoi hoi|viec hieu|viec hy|to chuc cuoi|an co cuoi"
        r"|ma chay|dam hieu",
        "viec cuoi viec tang nep song van minh",
    ),
    (
        r"le hoi|dinh lang|van nghe|hat cheo|ca tru|the thao|bong chuyen|cau long",
        "van nghe the thao le hoi",
    ),
    # round 9: customs of the mountain villages (lễ cúng rừng, múa xòe, cồng chiêng)
    (
        r"phong tuc|tap quan|le cung|cung rung|tieng dan toc",
        "van hoa dan toc ban sac dan toc le hoi",
    ),
    (
        r"bo hoc|nghi hoc|thoi hoc|khong di hoc|khong muon hoc|khong hoc nua|doi nghi|nghi di lam",
        "bo hoc di hoc",
    ),
    (
        r"hoc het lop 9|het cap 2|xong cap 2|tot nghiep cap 2|len cap 3|vao cap 3|lop 10",
        "hoc tiep sau trung hoc co so",
    ),
    (r"(?:di|cho|vao) (?:hoc )?mau giao|pho cap", "pho cap giao duc"),
    (r"khong biet chu|mu chu|biet doc|biet viet|lop bo tuc", "xoa mu chu"),
    (r"hoc sinh gioi|trao thuong|khuyen hoc|hieu hoc|hoc bong", "khuyen hoc"),
    # digital
    (
        r"cam ung|smartphone|dien thoai thong minh|dien thoai doi moi|dung dien thoai",
        "dien thoai thong minh",
    ),
    (r"zalo|facebook|telegram|mang xa hoi|nhom chat", "nhom zalo"),
    # the village loudspeakers: news of the commune, not a storm warning or a karaoke set
    (
        r"loa (?:thon|xa|xom|ap|ban|buon|phat thanh|truyen thanh|cong cong|de bao|bao tin)"
        r"|cum loa|he thong loa|dai truyen thanh|truyen thanh",
        "loa truyen thanh thong tin",
    ),
    (
        r"wifi|wi fi|internet|\b[45]g\b|cap quang|song dien thoai|bat song|mat song|mang yeu|mang cham"
        r"|cot (?:phat )?song|tram (?:phat )?song|tram bts",
        "internet",
    ),
    (
        r"chuyen khoan|quet ma|vi dien tu|momo|zalopay|the atm|tai khoan ngan hang"
        r"|khong dung tien mat|tien mat|ngan hang so|app ngan hang|qr thanh toan|tra tien (?:dien|nuoc|hoc phi)? ?(?:qua|bang) (?:dien thoai|app|dt)",
        "thanh toan khong dung tien mat chuyen khoan",
    ),
    (
        r"ban (?:\w+ ){0,2}(?:online|tren mang|qua mang|len mang|tren tiktok|tren facebook|tren zalo)"
        r"|livestream|live stream|tiktok shop|shopee|lazada|len san|san thuong mai",
        "ban hang online thuong mai dien tu",
    ),
    (
        r"vneid|dinh danh|can cuoc dien tu|dich vu cong|ho so online|ho so truc tuyen",
        "vneid dich vu cong truc tuyen",
    ),
    (r"camera|mat than", "camera an ninh"),
    (
        # the code stuck on a gate, not "mà" (but) a few words after "đan" (to weave)
        r"(?:cong|dan|gan|treo) (?:\w+ ){0,4}ma (?:qr|so|vach|cho|len|o|tai|tung|moi|nha)\b"
        r"|\bma (?:qr|so|vach)\b(?: \w+){0,4} (?:cong|thong tin)",
        "ma qr ho gia dinh thong tin",
    ),
    # infrastructure
    (
        r"duong (?:dat|lay|hep|xuong cap|lang|xom|ngo|lien thon|truc|vao xom|vao thon|noi dong)"
        r"|o ga|lay loi|be tong|nhua hoa|cung hoa|mo rong duong|hien dat"
        r"|duong (?:moi )?(?:lam|do|xay|trai nhua)? ?(?:da |bi |lai )?(?:nut|lun|sut|vo|bong troc|hong)",
        "duong giao thong cung hoa",
    ),
    (
        r"muong(?! thoat)|kenh|thuy loi|tram bom|tuoi lua|nuoc tuoi|de bao|de dieu|ho dap|bo vung",
        "thuy loi kenh muong tuoi tieu",
    ),
    (
        r"sat lo|sut lo|lu lut|ngap lut|bao lu|bao lut|(?:mua|con|chong) bao(?! hiem)|bao so|mua lu|thien tai|han han|nhiem man|xam nhap man"
        r"|so tan|lu quet|nuoc lu|ngap nuoc|ngap ung|chang chong|gia co nha",
        "phong chong thien tai bao lu",
    ),
    (
        r"cot den|bong den|den duong|den chieu sang|den ngo|den dau ngo|toi om|toi thui|chieu sang"
        r"|den (?:\w+ ){0,2}(?:nang luong mat troi|nlmt|solar)",
        "den duong",
    ),
    (
        r"cong to|dong ho dien|mat dien(?! thoai)|cup dien(?! thoai)|sut ap|day dien|cot dien|luoi dien|cau dien"
        r"|keo dien|moc dien|chap dien|dien yeu|(?<!mang )(?<!song )(?<!internet )(?<!wifi )(?<!4g )chap chon|dien ap|nhay aptomat|cau chi"
        # "đèn năng lượng mặt trời" is a street lamp (above), not the power grid
        r"|(?<!den nang luong )(?<!den )(?<!den )mat troi|nang luong sach|dien gio|thuy dien nho|may phat dien|tram bien ap|dien luoi"
        # "điện nhà tui tuần rồi cúp ba lần": the power, a few words, then what it did
        r"|\bdien\b(?! thoai| tu\b| may)(?: \w+){0,5} (?:cup|mat|chap chon|yeu|sut)\b",
        "dien luoi dien an toan dien",
    ),
    (
        r"cho tam|cho coc|khong co cho|xay cho|sieu thi|cua hang tien loi|tap hoa|ki ot|kiot|sap cho"
        r"|(?:diem|noi|cho) mua ban|xa cho",
        "cho nong thon",
    ),
    (
        r"truong (?:mam non|mau giao|tieu hoc|cap 1|cap 2|thcs|trung hoc)|phong hoc|diem truong"
        r"|nha tre|lop hoc bi|truong chuan",
        "truong hoc phong hoc",
    ),
    (
        r"nha van hoa|nha (?:sinh hoat )?cong dong|nha rong|hoi quan|hoi truong|san bong|san the thao|san choi|khu vui choi|cau truot|xich du|cho (?:\w+ ){0,3}(?:tre|con nit|dua nho|tre con) (?:\w+ )?choi|tap the duc|tap td|duong sinh|san tap",
        "nha van hoa san the thao",
    ),
    (r"cau (?:tam|treo|khi|qua|tran)|ngam tran|cong qua duong|cay cau", "cau cong"),
    (
        r"nha (?:dot|dot nat|xuong cap|cap 4|tinh nghia|tinh thuong|dai doan ket|kien co|ban kien co)"
        r"|mai (?:ngoi|nha|ton) .{0,10}(?:vo|dot|thung)|sua nha|(?<!cho )(?<!duoc )(?<!de )lam nha|xay lai nha"
        r"|nha (?:la|tranh|go muc|vach dat)|(?:bang|mai|cay|vach|lop)(?: \w+){0,2} la dua|muc (?:het )?cot|ho tro (?:xay|lam|sua|cat) nha",
        "nha o nha dot nat",
    ),
    # economy, labour, poverty
    (
        r"thu nhap|kiem duoc|kiem bao|kiem bn|lam ra .{0,10}tien|muc song|bao nhieu tien moi nam",
        "thu nhap binh quan",
    ),
    (r"ho ngheo|can ngheo|thoat ngheo|ngheo", "ho ngheo giam ngheo"),
    (
        r"tro cap|khuyet tat|neo don|cao tuoi|luong huu|bao tro|nguoi co cong|liet si|thuong binh"
        r"|khong noi nuong tua|khong con ai",
        "an sinh xa hoi tro cap",
    ),
    (
        r"thieu gao|thieu an|thieu doi|giap hat|cuu doi|cap gao|gao cuu tro|cuu tro",
        "ho ngheo an sinh xa hoi tro cap",
    ),
    (
        r"viec lam|that nghiep|tim viec|di lam cong ty|xuat khau lao dong|nhat ban|han quoc"
        r"|dai loan|choi khong|o nha choi",
        "viec lam lao dong",
    ),
    (
        r"hoc nghe|day nghe|lop nghe|xuat ngu|hoc lai xe|chung chi|bang cap|trung cap|cao dang|tap huan"
        r"|(?:chuyen doi|doi|chuyen) (?:nghe|viec)|khoa hoc|lop day nghe|truong nghe|hoc (?:\w+ ){0,4}(?:lay )?chung chi"
        # a course in handling a machine: the course is asked, the machine is its subject
        r"|(?:lop|khoa|hoc|day|tap huan|dao tao) (?:\w+ ){0,3}(?:lai|dieu khien|van hanh|su dung|sua chua|sua)"
        r" (?:\w+ ){0,2}(?:may|drone|flycam|thiet bi)",
        "hoc nghe dao tao nghe",
    ),
    (r"hop tac xa|to hop tac|xa vien", "hop tac xa"),
    (
        r"bao tieu|khong ai mua|dau ra|tieu thu|thuong lai|ep gia|ban khong duoc|ban cho ai",
        "lien ket tieu thu nong san",
    ),
    (
        r"vay von (?:\w+ ){0,4}(?:nuoi|trong|lam an|mo rong|san xuat|kinh doanh)|von (?:san xuat|lam an)",
        "ho tro san xuat phat trien kinh te",
    ),
    (
        r"(?:goi dien|nhan tin|tin nhan|link|cuoc goi)(?: \w+){0,8} (?:chuyen tien|chuyen khoan|ma otp|otp)"
        r"|xung (?:la )?(?:can bo|cong an|nhan vien|ngan hang)|gia danh|mao danh|bi lua|lua dao|lua tien",
        "lua dao an ninh trat tu",
    ),
    (
        r"dich ta|dich benh|lo mom long mong|cum gia cam|(?:heo|lon|ga|vit|bo|trau) (?:\w+ )?chet"
        r"|thu y|tiem phong cho (?:heo|lon|ga|vit|bo|trau)"
        r"|(?:cay|ray|vuon|ruong|nuong|lua|tieu|ca phe|sau rieng) (?:\w+ ){0,3}(?:chet|sau an|sau benh)"
        r"|ho tro (?:\w+ )?giong|cay giong|con giong",
        "ho tro san xuat khuyen nong",
    ),
    (
        r"ocop|dac san|thuong hieu|nhan hieu|dong goi|bao bi san pham|san pham dac trung|nuoc mam|mat ong|sao ocop|\d sao\b",
        "san pham ocop",
    ),
    (r"trang trai|gia trai|homestay|du lich", "kinh te nong thon du lich nong thon trang trai"),
    (
        r"tem truy xuat|truy xuat|ma vach|nguon goc|ma (?:so )?vung (?:trong|nuoi)"
        r"|ma so co so dong goi",
        "truy xuat nguon goc",
    ),
    (
        r"lang nghe|nghe truyen thong|giu nghe|mat nghe|mai mot|nghe gia truyen|nghe (?:\w+ ){0,3}(?:may doi|lau doi|tu xua|tu doi)|nghe (?:dan|det|gom|ren|moc|theu)\b|dan (?:coi|lat|may|tre)|non la|may tre|det chieu",
        "lang nghe nghe truyen thong",
    ),
    # administration, party, planning
    (
        r"khai sinh|khai tu|chung thuc|cong chung|ho khau|giay to|thu tuc|mot cua|tre hen|hen lai"
        r"|hen di hen lai|cham hen|lam giay|ket hon|ly hon|ho tich|trich luc",
        "thu tuc hanh chinh mot cua",
    ),
    (r"hop thon|hop xom|hop dan|gop y|kien nghi|phan anh", "hop thon dan chu co so"),
    (r"can bo xa|cong chuc|chinh quyen xa", "can bo xa chinh quyen"),
    (r"hoi phu nu|doan thanh nien|hoi nong dan|cuu chien binh|doan the|chi hoi", "doan the"),
    (
        r"xay nha|xin phep xay|giay phep xay|lan duong|lan chiem|lan ra|lo gioi|chi gioi|dat ruong"
        r"|chuyen dat|tho cu|len dat o|chuyen muc dich"
        r"|cho (?:nao )?(?:duoc |de )?(?:lam nha|xay nha|lam nuong|giu rung|lam ruong)|ve lai (?:cho|ban do|dat)|khoanh vung",
        "quy hoach xay dung dat o",
    ),
    # Ha Tinh village and garden topics
    (r"vuon tap|cay tap|chuoi|tre lon xon|cai tao vuon", "vuon tap cai tao vuon"),
    (r"hang rao|tuong rao|dam but|che tau|rao cay", "hang rao xanh"),
    (r"nha bep|\bbep\b", "nha bep"),
    (
        r"so do (?:\w+ ){0,2}vuon|ban ve (?:vuon|thiet ke)|ve (?:lai )?(?:so do )?vuon|thiet ke (?:lai )?vuon|bo tri (?:lai )?vuon",
        "so do vuon quy hoach vuon",
    ),
    (r"nha luoi|nha mang|giong moi", "tien bo ky thuat tuoi"),
    # Water-saving and automatic watering is irrigation (and a garden's technique)
    (
        r"tuoi (?:phun|nho giot|tu dong|tiet kiem|thong minh|nho|ngam)|(?:ong|voi|bec|he thong) tuoi"
        r"|bom tuoi|cam bien (?:do am|muc nuoc)|bom (?:\w+ ){0,2}tu dong",
        "tien bo ky thuat tuoi tuoi tieu chu dong",
    ),
    (r"trong cay gi|trong gi|cay gi|cay chu luc|nuoi con gi", "san pham chu luc"),
    (r"lai bao nhieu|tien lai|doanh thu|mot sao|1 sao|1000 ?m2", "thu nhap vuon"),
)

CONCEPTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), expansion) for pattern, expansion in _RAW
)
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ")


def _alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regular expression."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def _leading_literal(alternative: str) -> str:
    """The plain text every match of ``alternative`` starts with ("" if none is sure)."""
    if alternative.startswith("\\b"):
        alternative = alternative[2:]
    run = ""
    for ch in alternative:
        if ch not in _LITERAL:
            if ch in "?*{":
                run = run[:-1]  # a quantifier makes the last character optional
            break
        run += ch
    return run.strip()


def _needs(pattern: str) -> tuple[str, ...] | None:
    """Texts one of which a match of ``pattern`` must contain, or None (no cheap test)."""
    leads = [_leading_literal(a) for a in _alternatives(pattern)]
    return None if not all(leads) else tuple(dict.fromkeys(leads))


# A pattern is searched only if the text holds one of the texts its matches start with
# (plain substring tests are many times cheaper than the search; same results).
_GATED = tuple(
    (_needs(raw), compiled, expansion)
    for (raw, _), (compiled, expansion) in zip(_RAW, CONCEPTS, strict=True)
)


def concept_expansions(folded: str) -> list[tuple[str, str]]:
    """``(matched text, catalog phrase)`` for the everyday things named in ``folded``."""
    out: list[tuple[str, str]] = []
    for needs, pattern, expansion in _GATED:
        if needs is not None and not any(n in folded for n in needs):
            continue
        match = pattern.search(folded)
        if match:
            out.append((match.group(0), expansion))
    return out
