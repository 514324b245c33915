"""Issue 19, item 4: "how much / what share" questions get the village's number with its
source, or who sets it and the promise of the office's level; never a guessed number."""

from __future__ import annotations

import pytest

from bot.services.criteria import Catalog
from bot.services.criteria_numbers import asks_for_number, closest_indicator, number_answer
from bot.services.org_import import apply_org, parse_org
from storage.models import CriteriaLevel
from storage.repo import Repo
from tests.data_org import ORG_YAML

CATALOG = Catalog.builtin()
NEW = CATALOG.get("ntm-2026-2030")
OLD = CATALOG.get("ntm-2021-2025")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Tỷ lệ hộ có nước sạch phải bao nhiêu", True),
        ("bhyt phải đạt mấy phần trăm", True),
        ("đường thôn rộng bao nhiêu mét", True),
        ("What share of households must have clean water?", True),
        ("Rác trong xóm không ai thu gom", False),
        ("Who collects the garbage?", False),
    ],
)
def test_number_questions_are_recognised(text: str, asked: bool) -> None:
    assert asks_for_number(text) is asked


def test_the_indicator_asked_about() -> None:
    water = closest_indicator(NEW.criterion(8), "Tỷ lệ hộ có nước sạch phải bao nhiêu")
    assert water is not None and water.code == "8.1"
    irrigation = closest_indicator(OLD.criterion(3), "tỷ lệ diện tích được tưới tiêu bao nhiêu")
    assert irrigation is not None and irrigation.code == "3.1"


async def test_no_confirmed_number_means_no_number(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))  # Xã Cẩm Thành: group 2, Hà Tĩnh
    village = await repo.places.village_by_code("nam-bac-thanh")
    text = "Tỷ lệ hộ có nước sạch phải bao nhiêu"
    answer = await number_answer(repo, village, NEW.criterion(8), text)
    assert answer is not None and answer.level is None and answer.group == 2
    assert answer.region is None  # 2026–2030 levels go by commune group, not region
    assert answer.indicator is not None and answer.indicator.code == "8.1"
    assert await number_answer(repo, village, NEW.criterion(8), "Rác không ai thu gom") is None


async def test_the_offices_level_for_the_group_is_told_with_its_source(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    await repo.criteria.replace_levels(
        "ntm-2026-2030",
        [
            CriteriaLevel(
                set_code="ntm-2026-2030", indicator="8.1", key="group1", value="≥ 95%", source="A"
            ),
            CriteriaLevel(
                set_code="ntm-2026-2030", indicator="8.1", key="group2", value="≥ 90%", source="B"
            ),
        ],
    )
    await repo.session.commit()
    answer = await number_answer(
        repo, village, NEW.criterion(8), "What share of households must have clean water?"
    )
    assert answer is not None and answer.level is not None
    assert (answer.level.value, answer.level.source, answer.level.key) == ("≥ 90%", "B", "group2")


async def test_a_confirmed_catalog_number_is_told_with_its_source(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    text = "tỷ lệ diện tích được tưới tiêu chủ động phải đạt bao nhiêu"
    answer = await number_answer(repo, village, OLD.criterion(3), text)
    assert answer is not None and answer.level is not None
    assert answer.level.value == "≥ 80%" and "QĐ 318" in answer.level.source
    assert answer.group is None and answer.region == "BTB"  # 2021–2025 levels go by region
