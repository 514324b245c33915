"""Word lists of the matcher that are data: the phrases of everyday topics that make a
message off-topic, and the words that say "the criteria in general"."""

from __future__ import annotations

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
mua to qua, mua lon qua, mua ca dem, mua suot dem, mua rao, troi am u, ngu khong duoc, mat ngu
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
sap nguon, sac pin, dien thoai em, dien thoai toi, dien thoai cua, dien thoai iphone, dien thoai samsung, sac khong vao, vo man hinh, thay man hinh, wifi nha em, wifi nha toi, mang nha em
bao hiem xe, bao hiem o to, bao hiem nhan tho, thue xe, cho thue xe, xe cho hang, dep trai, dep gai, xinh qua, gi hot, tin hot
cuc sac, cu sac, day sac, cap sac, sac du phong, pin du phong, sac dien thoai, pin dien thoai, het pin, tut pin, thay pin, chai pin, pin yeu, sac xe, cuc pin, sac nhanh, sac qua dem, pin sac, cuc gach sac
# sugar in food and drinks is not a road
duong kinh, duong phen, duong cat, duong mia, duong nau, it duong, nhieu duong, bot duong, them duong, khong duong, cho duong vao, ngot qua, banh ngot, keo ngot
# questions to the bot itself, festive cooking (round 8)
nguoi that, la nguoi that, nguoi hay may, may hay nguoi, bot hay nguoi, la robot, chatgpt
cong thuc lam, cong thuc goi, do xoi, nau xoi
# calling out and asking what the bot can do (round 9): "alo có ai không", "bot biết hát không"
co ai khong, co ai o do khong, co ai dang truc, bot co biet, bot biet, ban co biet hat, biet hat, hat cho, hat mot bai, ke cho nghe, doc tho
dong y, nhat tri, hay qua, dung roi, tuyet voi, chuc ca nha, chuc moi nguoi, an lanh, binh an, chuyen cuoi, cuoi qua, de thuong, ngu qua, bot ngu, thu hai, thu ba, thu tu, thu nam, thu sau
# wishes, testing the bot, errands and Nam Bộ small talk (round 10)
an khang, thinh vuong, van su nhu y, chuc ca thon, chuc ca xom, chuc ca ap, chuc ba con
test thu, test bot, thu bot, bot co chay, bot chay khong, bot con song, bot an com, bot ngu chua
binh ga, doi ga, giao ga, nau com chua, an com chua, di ngu day, hoi tiep, mai hoi
# lost animals and things, festive cakes (round 12): "con chó đi lạc, ai thấy báo giúp"
di lac, song chuong, xong chuong, ai thay bao, ai thay thi, ai thay nhan, ai nhat duoc, nhan giup chu
goi banh, ngam nep, la dong
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
