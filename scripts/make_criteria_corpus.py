"""Build the labelled corpus of the learned matcher: ``python scripts/make_criteria_corpus.py``.

Writes ``bot/services/criteria/corpus.json``: ``[set, number (0 = chatter), text, group]``.
Sources, in order:

1. the hand-labelled training question files, every ``tests/data/training/*.yaml`` (never
   ``tests/data/holdout/``: the hold-outs are evaluation data only, and
   ``tests/services/test_criteria_holdout.py`` checks that none of their questions is here);
2. for every criterion of every shipped set: its name, keywords, FAQ questions and
   indicator names, put into residents' templates (questions by topic, by a personal
   situation, by the village's progress, by a number; "cho em hỏi …", forms of address)
   and respelled the way residents type (no diacritics, a dropped letter, teen code);
3. chatter that contains topic words (chargers, sugar, the market as a place, phones),
   labelled 0, in every set;
4. residents' picks exported from a database, if a file is given (``--picks FILE.json``).

``group`` names the seed an example came from, so that k-fold cross-validation keeps all
spellings of one seed in the same fold (``bench/bench_criteria_kfold.py``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.criteria import Catalog  # noqa: E402
from bot.services.criteria.learned import Example, NgramModel, catalog_examples  # noqa: E402
from bot.services.vntext import fold  # noqa: E402

OUT = ROOT / "bot" / "services" / "criteria" / "corpus.json"
MODEL = ROOT / "bot" / "services" / "criteria" / "model.npz"
TRAINING = ROOT / "tests" / "data" / "training"

TOPIC_TEMPLATES = [
    "{k} là gì",
    "{k} thế nào",
    "cho em hỏi về {k}",
    "cho tôi hỏi {k} ạ",
    "{k} ở thôn mình ra sao",
    "ai lo việc {k} vậy",
    "{k} cần đạt những gì",
    "{k} hả chị",
    "anh ơi {k} thì sao",
    "thôn mình {k} đạt chưa",
    "xã đã làm {k} chưa",
    "{k} có được hỗ trợ không",
    "hỏi chút về {k}",
    "nhà em đang gặp chuyện {k}, hỏi ai được",
    "{k} bao nhiêu thì đạt chuẩn",
    "bác ơi {k} thôn mình tới đâu rồi",
    "chuyện {k} nhà em chưa rõ lắm",
    "{k} phải làm sao cho đúng",
    "mình muốn biết {k} nhé",
    "{k} thì liên hệ ai",
    "năm nay {k} có gì mới không",
    "{k} khi nào xong",
]
# Round 6 (issue 19): how villagers write beyond the plain templates. One family per seed,
# in turn, so that the number frame ("tỷ lệ … bao nhiêu"), "sau sáp nhập", a household's own
# story and regional words are spread over every criterion instead of pulling to one.
STYLE_TEMPLATES = {
    "number": [
        "tỷ lệ {k} phải đạt bao nhiêu phần trăm",
        "{k} mức đạt chuẩn là bao nhiêu",
        "tỷ lệ hộ {k} phải bao nhiêu mới đạt",
        "xã nhóm 2 thì {k} phải bao nhiêu",
    ],
    "merger": [
        "sau sáp nhập xã thì {k} thế nào",
        "xã mới sau sáp nhập có lo {k} không",
        "sáp nhập rồi thì {k} ai lo",
    ],
    "nghe-tinh": [
        "{k} ở xã ni răng rứa",
        "răng {k} chưa ai lo rứa",
        "{k} hỏi ai ri hè",
        "bựa ni {k} tới mô rồi",
    ],
    "nam-bo": [
        "{k} ở ấp mình sao rồi dzậy",
        "{k} hổng biết hỏi ai hết trơn",
        "chừng nào mới lo {k} vậy nhen",
        "tui hỏi chút {k} được hông",
    ],
    "mountain": [
        "bản em {k} chưa có",
        "trưởng bản ơi {k} thế nào",
        "{k} trên bản khó khăn lắm",
    ],
    "own": [
        "nhà em {k} thì có được hỗ trợ gì không",
        "gia đình tôi gặp khó về {k}, xin hỏi phải làm sao",
        "nhà tui chuyện {k} chưa ổn, hỏi ai",
    ],
    "story": [
        "nhà em ở cuối xóm, con cái đi làm xa, mấy năm nay chuyện {k} vẫn chưa ổn, em muốn hỏi xã có kế hoạch gì không",
        "tôi năm nay ngoài sáu mươi, sống với vợ già, nghe loa thôn nói về {k} mà chưa hiểu, nhờ cán bộ giải thích giúp",
    ],
    "teen": [
        "{k} sao z ad",
        "cho e hỏi {k} vs ạ",
        "{k} ntn v mn",
        "mn ơi {k} thì lm j ạ",
        "e mún hỏi {k} đc ko ạ",
    ],
    # Round 7: questions spoken into the phone (no punctuation, fillers, run-on), and more
    # regional turns of phrase; none is a line of a hold-out or dev file.
    "voice": [
        "ờ cho tôi hỏi là cái vụ {k} á thì là bây giờ nó như thế nào vậy",
        "alo alo cho hỏi {k} thì bên xã mình làm tới đâu rồi ạ",
        "dạ tôi muốn hỏi là {k} thì là nhà tôi phải làm gì thì mới được",
    ],
    "regional": [
        "mấy ổng nói {k} mà tui hổng hiểu gì hết",
        "{k} bữa giờ chưa thấy ai lo hết trơn",
        "{k} mần răng cho đúng hè",
        "tau nỏ biết {k} hỏi ai",
        "đồng bào trên bản hỏi {k} có được hỗ trợ không",
    ],
}
STYLE_ROWS = 2  # style templates per seed, from families three apart
TEEN = {
    "không": "ko",
    "được": "dc",
    "gì": "j",
    "vậy": "z",
    "bao nhiêu": "bn",
    "với": "vs",
    "rồi": "r",
}
# Chatter written apart from the hold-outs (never a paraphrase of their lines).
CHATTER = [
    "dây sạc laptop của anh để quên ở nhà văn hóa",
    "máy tính bảng của con hết pin giữa chừng",
    "củ sạc nhanh loại nào tốt vậy mọi người",
    "đồng hồ điện tử thay pin ở đâu",
    "mứt gừng làm tết cần mấy cân đường",
    "sữa đậu nành không đường mua ở đâu",
    "pha nước chanh cho ít đường thôi",
    "bột nở với đường cát để chỗ nào",
    "mẹ bảo đi chợ mua ít hành lá",
    "sáng nay chợ đông ghê, cá rẻ",
    "chúc mừng năm mới cả xóm",
    "trận chung kết tối mai mấy giờ đá",
    "nắng quá phơi lúa khô nhanh",
    "ai có số thợ sửa máy giặt không",
    "xin nhà nào có mèo con cho em một con",
    "cảm ơn mọi người đã giúp đỡ hôm qua",
    "dạ vâng em nắm được rồi",
    "buồn cười quá trời luôn",
    "cuối tuần con gái lấy chồng, mời bà con sang chơi",
    "xe đạp điện nhà em kêu lạch cạch",
    "giá cà phê tuần này lên hay xuống",
    "nhặt được chùm chìa khóa ở sân bóng",
    "góc này chụp ảnh đẹp ghê",
    "radio nhà em hỏng núm vặn",
    "mua tạ đường kính làm bánh trung thu",
    "con chó nhà ai cứ sủa cả đêm",
    "ai đi đám cưới bên xã kia không",
    "màn hình máy tính bị sọc",
    "tai nghe bluetooth kết nối không được",
    "ai rủ đi câu cá chiều nay không",
    "nay ăn gì cho bữa trưa nhỉ",
    "mới tham gia nhóm, chào mọi người",
    "sạc đèn pin tích điện bao lâu thì dùng được",
    "quả chuối này ngọt như đường",
    "xe tải chở cát đi qua ầm ầm",
    "thùng xốp nhà ai để ngoài cổng",
    "bé nhà em tối nay sốt nhẹ nên nghỉ học thêm",
    "tuần sau có phim hay chiếu rạp",
    "giá heo hơi hôm nay bao nhiêu",
    "có ai biết hát bài này không",
]


def respell(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return fold(text)
    if roll < 0.5:
        words = text.split()
        long = [i for i, w in enumerate(words) if len(w) >= 5]
        if long:
            i = rng.choice(long)
            w = words[i]
            cut = rng.randrange(1, len(w) - 1)
            words[i] = w[:cut] + w[cut + 1 :]
        return " ".join(words)
    if roll < 0.65:
        out = text
        for word, short in TEEN.items():
            out = out.replace(word, short)
        return fold(out) if rng.random() < 0.5 else out
    return text


def seeds(criterion) -> list[str]:  # type: ignore[no-untyped-def]
    out = [criterion.name.lower(), *criterion.keywords]
    out += [i.name.lower() for i in criterion.indicators][:3]
    return list(dict.fromkeys(s.strip() for s in out if s.strip()))


def build_rows(catalog: Catalog, picks: Path | None = None, seed: int = 11) -> list[list[object]]:
    """The de-duplicated corpus rows ``[set, number, text, group]``."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for path in sorted(TRAINING.glob("*.yaml")):
        for i, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if item["expect"] == "list":
                continue
            rows.append([item["set"], item["expect"] or 0, item["q"], f"{path.stem}:{i}"])
    for criteria_set in catalog.sets():
        for criterion in criteria_set.criteria:
            for seed in seeds(criterion):
                group = f"{criteria_set.code}:{criterion.number}:{seed}"
                for template in rng.sample(TOPIC_TEMPLATES, 2):
                    rows.append(
                        [
                            criteria_set.code,
                            criterion.number,
                            respell(template.format(k=seed), rng),
                            group,
                        ]
                    )
            families = list(STYLE_TEMPLATES)
            for i, seed in enumerate(seeds(criterion) if families else ()):
                group = f"{criteria_set.code}:{criterion.number}:{seed}"
                for turn in range(STYLE_ROWS):
                    at = (i + criterion.number + turn * 3) % len(families)
                    family = STYLE_TEMPLATES[families[at]]
                    text = rng.choice(family).format(k=seed)
                    rows.append([criteria_set.code, criterion.number, text, group])
            for j, faq in enumerate(criterion.faqs):
                group = f"{criteria_set.code}:{criterion.number}:faq{j}"
                rows.append([criteria_set.code, criterion.number, faq.question, group])
                rows.append(
                    [criteria_set.code, criterion.number, respell(faq.question, rng), group]
                )
        for j, chat in enumerate(CHATTER):
            rows.append([criteria_set.code, 0, respell(chat, rng), f"chatter:{j}"])
    if picks is not None:
        for k, (set_code, number, text) in enumerate(json.loads(picks.read_text(encoding="utf-8"))):
            rows.append([set_code, number, text, f"pick:{k}"])
    seen: set[tuple[object, object, object]] = set()
    unique = []
    for row in rows:
        key = (row[0], row[1], row[2])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--picks", type=Path, help="JSON list of [set, number, text] from the database"
    )
    parser.add_argument(
        "--seed", type=int, default=11, help="of the respellings and templates (variance checks)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from criteria_ranker import RANKER, fixed_hash_seed, train_stage

    fixed_hash_seed()  # the second stage is fitted on the rules' answers (criteria_ranker.py)
    catalog = Catalog.builtin()
    unique = build_rows(catalog, args.picks, args.seed)
    OUT.write_text(json.dumps({"examples": unique}, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(unique)} examples written to {OUT.relative_to(ROOT)}")
    model = NgramModel.train(
        [Example(r[0], int(r[1]), str(r[2])) for r in unique] + catalog_examples(catalog.sets())
    )
    model.save(MODEL)
    print(
        f"model {model.size[0]} features x {model.size[1]} classes written to {MODEL.relative_to(ROOT)}"
    )
    # The logistic regression and the second stage (scripts/criteria_ranker.py; the train extra).
    examples = [Example(r[0], int(r[1]), str(r[2])) for r in unique]
    # Fitted with the naive Bayes as shipped (half precision), as the bot will run it.
    shipped = NgramModel.load(MODEL)
    stage = train_stage(catalog, examples + catalog_examples(catalog.sets()), shipped)
    stage.save(RANKER)
    print(f"regression and second stage written to {RANKER.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
