"""Build the labelled corpus of the learned matcher: ``python scripts/make_criteria_corpus.py``.

Writes ``bot/services/criteria/corpus.json``: ``[set, number (0 = chatter), text, group]``.
Sources, in order:

1. the hand-labelled question files of earlier rounds in ``tests/data`` (dev, tune,
   holdout, fresh, fresh2, fresh3; never the round-2 hold-out);
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
FILES = [
    "criteria_questions",
    "criteria_questions_tune",
    "criteria_questions_holdout",
    "criteria_questions_fresh",
    "criteria_questions_fresh2",
    "criteria_questions_fresh3",
]

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
TEEN = {
    "không": "ko",
    "được": "dc",
    "gì": "j",
    "vậy": "z",
    "bao nhiêu": "bn",
    "với": "vs",
    "rồi": "r",
}
CHATTER = [
    "cục sạc điện thoại của em hỏng rồi",
    "sạc dự phòng ai mượn chưa trả",
    "pin điện thoại chai quá",
    "điện thoại sạc không vào",
    "nấu chè cho bao nhiêu đường",
    "cà phê ít đường nha",
    "bánh này ngọt quá nhiều đường",
    "mua đường phèn ở đâu",
    "ai đi chợ mua giúp em bó rau",
    "mai đi chợ sớm không",
    "chúc cả nhà ngủ ngon",
    "tối nay đá bóng mấy giờ",
    "hôm nay trời nóng quá",
    "ai có số thợ sửa tủ lạnh không",
    "cho em hỏi ai bán gà ta không",
    "cảm ơn chị nhiều nha",
    "ok em hiểu rồi ạ",
    "haha vui quá",
    "mai sinh nhật con bé nhà em",
    "xe máy nhà em hỏng bugi",
    "giá vàng hôm nay bao nhiêu",
    "ai nhặt được ví không",
    "chào buổi sáng cả nhà",
    "tivi nhà em mất tiếng",
    "đường kính mua ở đâu rẻ",
    "con mèo nhà em đi lạc",
    "ai rủ đi nhậu không",
    "điện thoại em rơi vỡ màn hình",
    "sạc xe điện mấy tiếng thì đầy",
    "bánh bò nhiều đường quá",
    "tối qua xem phim hay ghê",
    "đội bóng xóm mình thắng rồi",
    "ai biết chỗ mua tai nghe không",
    "mai có ai lên huyện cho em đi nhờ",
    "xin chào mọi người",
    "hihi cảm ơn anh",
    "nhà ai làm giỗ vậy",
    "bán con chó cỏ ai mua không",
    "em mới vào nhóm ạ",
    "chè đậu đen nấu với đường phèn",
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--picks", type=Path, help="JSON list of [set, number, text] from the database"
    )
    args = parser.parse_args()
    rng = random.Random(11)
    catalog = Catalog.builtin()
    rows: list[list[object]] = []
    for name in FILES:
        for i, item in enumerate(
            yaml.safe_load((ROOT / "tests" / "data" / f"{name}.yaml").read_text(encoding="utf-8"))
        ):
            if item["expect"] == "list":
                continue
            rows.append([item["set"], item["expect"] or 0, item["q"], f"{name}:{i}"])
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
            for j, faq in enumerate(criterion.faqs):
                group = f"{criteria_set.code}:{criterion.number}:faq{j}"
                rows.append([criteria_set.code, criterion.number, faq.question, group])
                rows.append(
                    [criteria_set.code, criterion.number, respell(faq.question, rng), group]
                )
        for j, chat in enumerate(CHATTER):
            rows.append([criteria_set.code, 0, respell(chat, rng), f"chatter:{j}"])
    if args.picks is not None:
        for k, (set_code, number, text) in enumerate(
            json.loads(args.picks.read_text(encoding="utf-8"))
        ):
            rows.append([set_code, number, text, f"pick:{k}"])
    seen: set[tuple[object, object, object]] = set()
    unique = []
    for row in rows:
        key = (row[0], row[1], row[2])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    OUT.write_text(json.dumps({"examples": unique}, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(unique)} examples written to {OUT.relative_to(ROOT)}")
    model = NgramModel.train(
        [Example(r[0], int(r[1]), str(r[2])) for r in unique] + catalog_examples(catalog.sets())
    )
    model.save(MODEL)
    print(
        f"model {model.size[0]} features x {model.size[1]} classes written to {MODEL.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
