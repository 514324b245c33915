"""House QR codes: what each household's code holds and the codes of a village (the
printable plaques are ``bot.services.visits.plaques``). The QR holds ``https://t.me/<bot>?start=h_<token>``: an
opaque token, never the household code (a neighbour must not guess another's link)."""

from __future__ import annotations

from dataclasses import dataclass

A4 = (8.27, 11.69)


@dataclass(frozen=True, slots=True)
class HouseCode:
    code: str
    head_name: str
    token: str


def house_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start=h_{token}"


def qr_matrix(data: str) -> list[list[int]]:
    import segno

    qr = segno.make_qr(data, error="m")
    size = qr.symbol_size(border=2)[0]
    matrix = [[0] * size for _ in range(size)]
    for y, row in enumerate(qr.matrix_iter(border=2)):
        for x, dark in enumerate(row):
            matrix[y][x] = 1 if dark else 0
    return matrix


async def village_codes(repo, village_id: int, today) -> list[HouseCode]:  # type: ignore[no-untyped-def]
    await repo.visits.ensure_plans(today, village_id=village_id)
    return [
        HouseCode(household.code, household.head_name, plan.qr_token)
        for household, plan, _member in await repo.visits.plans_of_village(village_id)
    ]
