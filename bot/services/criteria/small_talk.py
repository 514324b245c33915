"""Small talk the matcher answers as chatter, whatever topic words it names: a closing
remark (thanks, "understood") and a resident sharing news, a wish or an invitation."""

from __future__ import annotations

import re
import unicodedata

from .query_text import fold
from .text import basic_tokens

_WORD_RE = re.compile(r"\w+")


# Round 12: a message that opens with thanks or "understood" and asks nothing is a closing
# remark ("cảm ơn bạn đã giải thích kỹ, để tôi về nói lại cho ông nhà nghe"), whatever
# topic words it repeats from the answer it thanks for; "nhưng" (but) and "vẫn" (still)
# go on to a complaint, which is asked ("cảm ơn, nhưng đường thôn vẫn ngập").
_CLOSING_RE = re.compile(
    r"^(?:(?:ok|oke|okay|vang|da|u|thoi|the|vay)\s+)*(?:(?:em|toi|minh|chau|con|tui)\s+)?"
    r"(?:xin\s+)?(?:cam on|camon|thanks|thank you|thank|tks|thks|hieu roi|ro roi|da hieu)\b"
)
_ASKING = frozenset(
    "khong ko k chua sao nao gi dau ai hoi baonhieu baogio thenao odau lamsao taisao "
    "nhuthenao can phai muon giup nho nhung van".split()
)


def closing_only(text: str) -> bool:
    """Thanks or "understood" first, at most 30 words, no question mark nor question word."""
    if "?" in text:
        return False
    tokens = basic_tokens(text)
    folded = " ".join(tokens)
    return (
        len(tokens) <= 30
        and _CLOSING_RE.match(folded) is not None
        and not any(t in _ASKING for t in tokens)
    )


# Round 15: a resident who shares news, a wish or an invitation asks nothing, whatever topic
# words the news names ("tối qua văn nghệ ở nhà văn hóa vui quá", "chúc đội bóng của thôn
# thắng giải", "the festival at the cultural house was so much fun"). Such a message is chatter
# when it has a sign of sharing and no sign of asking: no question mark or question word, no
# request ("cho hỏi", "tư vấn giúp", "please tell me"), no need or complaint ("cần", "vẫn",
# "nhưng", "hỏng", "still", "broken"), and no word of the criteria themselves.
_SHARE_ACCENTED = re.compile(
    r"(?:^|[\s,.!;:(])(?:chúc|mừng|mời|quá|ghê|lắm|thật|tuyệt|nhé|nghen|nhen|vừa)(?=$|[\s,.!;:)])"
)
_SHARE_FOLDED = re.compile(
    r"\b(?:chuc mung|vui mung|xin chuc|kinh chuc|chuc ca|chuc cac|chuc moi|chuc ba con|chuc thon"
    r"|chuc xom|chuc doi|chuc nam moi|moi ba con|moi ca thon|moi ca xom|moi ca nha|moi moi nguoi"
    r"|kinh moi|xin moi|tran trong moi|ai ranh|co vu|vui qua|vui ghe|vui lam|vui that|vui ve"
    r"|vui nhu hoi|dong vui|phan khoi|hanh phuc|tuyet voi|dep qua|dep ghe|dep lam|dep that"
    r"|mat ghe|mat qua|mat that|thich qua|thich that|thich ghe|hay qua|ngon qua|sang trung"
    r"|nhon nhip|tung bung|ron rang|dong nghit|hao hung|hom qua|homqua|toi qua|dem qua|sang nay"
    r"|chieu nay|toi nay|trua nay|vua roi|vua moi|vua xong|haha|hihi|hehe|kaka"
    r"|(?:vui|dep|hay|ngon|thich|mat|dong|re|tot|xinh|gioi|khoe|map|thom|xanh|sai|ngoan)"
    r" (?:qua|ghe|lam|that|qua troi|het y|vo cung|dao de))\b"
    r"|\b(\w+) oi la \1\b"  # "vui ơi là vui"
)
_SHARE_EN = re.compile(
    r"\b(?:congratulations|congrats|wishing|wish you|wish everyone|best wishes|good luck|cheers"
    r"|happy|everyone is welcome|all welcome|you are all invited|join us|see you there"
    r"|so much fun|fun|lovely|great|beautiful|amazing|wonderful|enjoyed|love|nice|wow|haha|lol"
    r"|what a|well done|proud|glad|thrilled|delighted|cute|funny|awesome|cool|yay|hooray"
    r"|good time)\b"
)
# Words that ask, need or complain, folded. In a message written with diacritics a word
# with them asks only in its asking form (_ASK_ACCENTED: "chưa", not "chùa"; "vẫn", not
# "văn"); a word without them asks whenever its folded form does.
_ASK_FOLDED = frozenset(
    "khong ko k kg hong hem hok chua sao nao gi j dau ai hoi baonhieu bn baogio thenao "
    "nhuthenao odau lamsao taisao can phai muon giup nho nhung van mong thieu tac ngap nut "
    "sut hu be lay ban boc thoi thui dot lo rang mo bh bi trom so dut gay sap sat kho buc te ep chap".split()
)
# ... of which these, written without diacritics in a message that has them, are words of
# their own ("ban" a board, "so" a number, "kho" a store), not a dropped accent.
_ASCII_WORDS = frozenset(
    "ban be hu lay mo thoi tac rang dot so dut gay sap sat kho buc te ep chap".split()
)
_ASK_ACCENTED = frozenset(
    "không hông hổng hôn chưa sao nào gì đâu ai hỏi cần phải muốn giúp nhờ nhưng vẫn mong "
    "thiếu tắc ngập nứt sụt hư hỏng bể lầy bẩn bốc hôi thối thúi dột lo răng mô sợ đứt gãy "
    "sập sạt lở khổ bực tệ ép chập bị trộm yếu ít ồn ầm chậm kém hẹp xấu đắt".split()
)
# Folded bigrams in which a word above neither asks nor complains.
_NOT_ASKING_PAIRS = frozenset(
    pair.strip()
    for pair in """
    le hoi, hoi khoe, hoi thi, hoi cho, dai hoi, xa hoi, hoi phu, hoi nong,
    hoi cuu, hoi nguoi, nhu hoi, mua hoi, hoi lang, hoi lim, hoi xuan, van hoa,
    van nghe, van minh, van dong, thieu nhi, can bo, ngoi chua, nao nhiet, ai cung,
    ai ranh, ai thich, ai nay, con nho, tre nho, be nho, dua nho, nho be, ngoi sao,
    hoa hong, be tong, con be, ban be, lo gach, lo vi, mo hinh, mo coi, lay chong,
    lay vo, be boi, nao cung, sao vang, so nha, so dien, kho bac, con so, so do,
    so tay, thieu nien
    """.split(",")
)
_ASK_PHRASES = re.compile(
    r"\b(?:cho hoi|xin hoi|hoi chut|hoi ti|tu van|khi nao|the nao|ra sao|lam sao|tai sao"
    r"|bao nhieu|bao gio|co duoc|duoc khong|de nghi|kien nghi|phan anh|yeu cau|tieu chi|chi tieu"
    r"|thu tuc|ho tro|chinh sach|quy dinh|xuong cap|o nhiem|mat dien|cup dien|o ga|khong co"
    r"|chua co|tu hom qua|may ngay nay|ca tuan nay|lau nay|tu lau|nguy hiem|mat gia|ep gia"
    r"|rot gia|chap chon|qua tai|thiet hai|buc xuc|kho khan|ntm|nong thon moi|bao lau|bao xa"
    r"|may ngay|may nam|co phai|hay khong|duoc chua|mat trom|mat cap|an trom|trom cap"
    r"|yeu qua|yeu lam|it qua|on qua|on ao|cham qua|kem qua|toi om|hep qua|xau qua|dat qua"
    r"|tu tap|dua xe|nhieu qua|nhiu qua|to qua|keu to|inh oi)\b"
)
_ASK_EN = re.compile(
    r"\b(?:what(?! a\b)|how(?! (?:nice|lovely|beautiful|great|fun)\b)|when|where|who|which|why"
    r"|whom|whose|please|tell me|let me know|wonder|want to know|like to know|need|needs|must"
    r"|should|require|requires|required|criterion|criteria|standard|allowed|help|any|still|but"
    r"|not|no|never|broken|damaged|dirty|smells?|polluted|leaks?|leaking|cracked|potholes?"
    r"|blocked|flooded|floods|flooding|since|for days|for weeks|all week|problem|fix|complain"
    r"|support|subsid\w*|loan|apply|whether|wants? to know|counts?|matters?|care|ntm"
    r"|know|explain|curious|wondering|ask|asking|question|mean|meaning|difference|qualify|meet"
    r"|meets|enough|rules?|score|target|percent|lack|lacks|lacking|missing|without|too|far"
    r"|expensive|unsafe|dangerous|scared|worried|afraid|hard|difficult|unfair|terrible|bad"
    r"|worse|useless|nobody|cannot|\w+n'?t|only|yet"
    r"|new countryside|(?:does|do|did|is|are|can|could|will|would|should) (?:that|this|it|they"
    r"|we|i|you|he|she|there|the|my|our|ntm))\b"
    r"|^\s*(?:is|are|do|does|did|can|could|will|would|may|should|has|have|am)\b"
)
_SHARE_MAX_WORDS = 40
# Words only English has (not "the", "an", "it", "to": thế, ăn, ít, to).
_ENGLISH_WORDS = frozenset(
    "is are was were of and my our we this that with for you they have has at from".split()
)


def _asks(text: str) -> bool:
    """Whether ``text`` has a sign of asking, needing or complaining."""
    if "?" in text:
        return True
    nfc = unicodedata.normalize("NFC", text).lower()
    raw = _WORD_RE.findall(nfc)
    words = [fold(w) for w in raw]
    folded = " ".join(words)
    english = text.isascii() and not _ENGLISH_WORDS.isdisjoint(words)
    if text.isascii() and _ASK_EN.search(folded) is not None:
        return True
    if _ASK_PHRASES.search(folded) is not None:
        return True
    if any(t in _ASK_FOLDED for t in basic_tokens(text) if " " not in t and t not in words):
        return True  # compounds of basic_tokens: "baonhieu", "thenao"
    for i, (r, w) in enumerate(zip(raw, words, strict=True)):
        if english or (w not in _ASK_FOLDED and r not in _ASK_ACCENTED):
            continue
        before = f"{words[i - 1]} {w}" if i else ""
        after = f"{w} {words[i + 1]}" if i + 1 < len(words) else ""
        if before in _NOT_ASKING_PAIRS or after in _NOT_ASKING_PAIRS:
            continue
        if not r.isascii() and r not in _ASK_ACCENTED:
            continue  # "chùa", "văn", "những": not an asking word
        if r.isascii() and w in _ASCII_WORDS and not nfc.isascii():
            continue
        return True
    return False


def sharing_only(text: str) -> bool:
    """Whether ``text`` shares news, a wish or an invitation and asks nothing (chatter,
    whatever topic words it names): a sign of sharing, no sign of asking, at most 40 words."""
    tokens = basic_tokens(text)
    if not tokens or len(tokens) > _SHARE_MAX_WORDS or _asks(text):
        return False
    nfc = unicodedata.normalize("NFC", text).lower()
    folded = " ".join(fold(w) for w in _WORD_RE.findall(nfc))
    if text.isascii() and _SHARE_EN.search(folded) is not None:
        return True
    return (
        "!" in text
        or _SHARE_ACCENTED.search(nfc) is not None
        or _SHARE_FOLDED.search(folded) is not None
    )
