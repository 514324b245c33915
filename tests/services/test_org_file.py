"""The org file contract: errors name the line and field, nothing is written."""

from __future__ import annotations

import pytest

from bot.services.org_import import OrgFileError, parse_org
from tests.data_org import ORG_YAML


def test_valid_file_parses() -> None:
    communes = parse_org(ORG_YAML)
    village = communes[0].villages[0]
    assert village.code == "nam-bac-thanh"
    assert [m.phone for m in village.members] == ["0912000001", "0912000002", "0912000005"]
    assert village.households[0].visitor == "0912000002"
    assert village.groups[0].chat_id == -1001000000001


BAD_FILES = [
        (
            ("code: trung-thanh", "code: nam-bac-thanh"),
            r"line 20, .*villages\[1\]\.code: village code 'nam-bac-thanh' is already used on line 8",
        ),
        (("role: member", "role: boss"), r"members\[1\]\.role: unknown role 'boss'"),
        (
            ('phone: "0912000009"', 'phone: "+84 912 000 002"'),
            r"line 23, .*members\[0\]\.phone: phone 0912000002 is already on the roster of nam-bac-thanh",
        ),
        (("flags: [poor]", "flags: [rich]"), r"households\[0\]\.flags: unknown flag 'rich'"),
        (
            ('visitor: "0912000002"', 'visitor: "0912000009"'),
            r"households\[0\]\.visitor: must be the phone of a member of this village",
        ),
        (("group: 2", "group: 4"), r"line 6, communes\[0\]\.group: must be 1, 2 or 3"),
        (("head: Lê Văn C", "hed: Lê Văn C"), r"households\[0\]\.hed: unknown field"),
        (
            ("telegram_chat_id: -1001000000001", "telegram_chat_id: abc"),
            r"telegram_chat_id: expected a whole number",
        ),
        (('phone: "0912000001"', 'phone: "12"'), r"members\[0\]\.phone: not a phone number"),
        # Issue 8: an id beyond 64 bits gave a raw OverflowError.
        (
            ("telegram_id: 1001", "telegram_id: 99999999999999999999999"),
            r"line 12, .*members\[0\]\.telegram_id: 99999999999999999999999 is too large",
        ),
        (
            ("telegram_chat_id: -1001000000001", "telegram_chat_id: -99999999999999999999"),
            r"line 19, .*telegram_chat_id: .* is too large",
        ),
        (
            ("telegram_id: 1001", "telegram_id: " + "9" * 5000),
            r"telegram_id: expected a whole number",
        ),
        (("telegram_id: 1001", "telegram_id: -5"), r"telegram_id: a Telegram user id is positive"),
        # Issue 8: two members with the same telegram_id were accepted.
        (
            ('phone: "0912000002"}', 'phone: "0912000002", telegram_id: 1001}'),
            r"line 13, .*members\[1\]\.telegram_id: telegram_id 1001 is already given on line 12",
        ),
]


@pytest.mark.parametrize(("change", "message"), BAD_FILES)
def test_bad_files_name_line_and_field(change: tuple[str, str], message: str) -> None:
    bad = ORG_YAML.replace(*change, 1)
    assert bad != ORG_YAML
    with pytest.raises(OrgFileError, match=message):
        parse_org(bad, source="org.yaml")


def test_not_yaml_and_empty() -> None:
    with pytest.raises(OrgFileError, match=r"line \d+: not valid YAML"):
        parse_org("communes: [\n  - {code: a", source="x.yaml")
    with pytest.raises(OrgFileError, match="empty"):
        parse_org("", source="x.yaml")
    with pytest.raises(OrgFileError, match=r"file\.communes: required field is missing"):
        parse_org("{}", source="x.yaml")
    with pytest.raises(OrgFileError, match=r"line 1, file\.villages: unknown field"):
        parse_org("villages: []", source="x.yaml")


def test_unknown_criteria_set_is_refused_when_known_sets_given() -> None:
    with pytest.raises(OrgFileError, match="unknown criteria set 'ntm-2021-2025'"):
        parse_org(ORG_YAML, known_criteria_sets=lambda code: False)


def test_aliases_and_odd_shapes_are_clear_errors() -> None:
    with pytest.raises(OrgFileError, match=r"line \d+: not valid YAML \(anchors and aliases"):
        parse_org("communes:\n  - &c {code: a, name: A, province: P}\n  - *c\n", source="x.yaml")
    with pytest.raises(OrgFileError, match=r"file: expected a mapping"):
        parse_org("- 1\n- 2\n", source="x.yaml")
    with pytest.raises(OrgFileError, match=r"communes\[0\]: expected a mapping"):
        parse_org("communes: [1]\n", source="x.yaml")
    with pytest.raises(OrgFileError, match=r"communes: expected a list"):
        parse_org("communes: 3\n", source="x.yaml")
    assert parse_org("communes:\n") == []


async def test_telegram_id_of_another_stored_member_is_refused(repo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from bot.services.org_import import apply_org
    from storage.models import Member

    await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    other = ORG_YAML.replace(", telegram_id: 1001}", "}").replace(
        '{name: Võ Văn G, role: secretary, phone: "0912000009"}',
        '{name: Võ Văn G, role: secretary, phone: "0912000009", telegram_id: 1001}',
    )
    assert other != ORG_YAML
    with pytest.raises(
        OrgFileError,
        match="telegram_id 1001 of 0912000009 already belongs to the member with phone 0912000001",
    ):
        await apply_org(repo, parse_org(other))
    await repo.session.rollback()
    assert (
        await repo.session.scalar(
            select(func.count()).select_from(Member).where(Member.telegram_id == 1001)
        )
        == 1
    )


async def test_import_is_idempotent_and_updates_in_bulk(repo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.services.org_import import apply_org
    from storage.models import Household, Member, VisitAssignment

    first = await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    again = await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    assert (first.members, first.households) == (again.members, again.households) == (4, 2)
    changed = ORG_YAML.replace("Trần Văn B", "Trần Văn Bé").replace(
        'visitor: "0912000002"', 'visitor: "0912000005"'
    )
    await apply_org(repo, parse_org(changed))
    await repo.session.commit()
    names = set(await repo.session.scalars(select(Member.name)))
    assert "Trần Văn Bé" in names and "Trần Văn B" not in names
    visitor = await repo.session.scalar(
        select(Member.phone)
        .join(VisitAssignment, VisitAssignment.member_id == Member.id)
        .join(Household, Household.id == VisitAssignment.household_id)
        .where(Household.code == "NBT-001")
    )
    assert visitor == "0912000005"
    left_out = changed.replace(', visitor: "0912000005"', "")
    await apply_org(repo, parse_org(left_out))  # a key left out leaves the stored visitor
    await repo.session.commit()
    assert len(list(await repo.session.scalars(select(VisitAssignment)))) == 1
    nobody = changed.replace('visitor: "0912000005"', 'visitor: ""')
    await apply_org(repo, parse_org(nobody))  # an empty visitor removes it
    await repo.session.commit()
    assert list(await repo.session.scalars(select(VisitAssignment))) == []


async def test_a_key_left_out_of_the_org_file_never_wipes_what_is_stored(repo) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 item 2 for the org file: NBT-002 is listed with its code, head and flags
    only. What the secretary's household sheet and /phancong stored for it (address,
    cluster, phone, visitor) survives a re-import of the same file; a key that is
    given still changes its field."""
    from sqlalchemy import select, update

    from bot.services.org_import import apply_org
    from storage.models import Household, Member, VisitAssignment

    await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    household = await repo.session.scalar(select(Household).where(Household.code == "NBT-002"))
    member = await repo.session.scalar(select(Member).where(Member.phone == "0912000005"))
    household_id, member_id = household.id, member.id
    await repo.session.execute(
        update(Household)
        .where(Household.id == household_id)
        .values(address="Số 9", cluster="Xóm 5", phone="0912000222")
    )
    repo.session.add(VisitAssignment(household_id=household_id, member_id=member_id))
    await repo.session.commit()

    await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    repo.session.expire_all()
    again = await repo.session.scalar(select(Household).where(Household.code == "NBT-002"))
    assert (again.address, again.cluster, again.phone) == ("Số 9", "Xóm 5", "0912000222")
    assert (again.poor, again.near_poor, again.policy) == (False, True, True)
    visitor = await repo.session.scalar(
        select(VisitAssignment.member_id).where(VisitAssignment.household_id == household_id)
    )
    assert visitor == member_id

    given = ORG_YAML.replace(
        "{code: NBT-002, head: Hồ Thị E, flags: [policy, near_poor]}",
        '{code: NBT-002, head: Hồ Thị E, cluster: "Tổ 2", flags: [], phone: ""}',
    )
    await apply_org(repo, parse_org(given))
    await repo.session.commit()
    repo.session.expire_all()
    changed = await repo.session.scalar(select(Household).where(Household.code == "NBT-002"))
    assert (changed.address, changed.cluster, changed.phone) == ("Số 9", "Tổ 2", None)
    assert (changed.poor, changed.near_poor, changed.policy) == (False, False, False)


def test_file_is_read_from_disk_in_blocks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.services.org_import import read_org_file

    path = tmp_path / "org.yaml"
    path.write_text(ORG_YAML, encoding="utf-8")
    assert read_org_file(path) == parse_org(ORG_YAML)
    path.write_text(ORG_YAML.replace("role: member", "role: boss"), encoding="utf-8")
    with pytest.raises(
        OrgFileError, match=rf"^{path}, line 13, .*members\[1\]\.role: unknown role 'boss'"
    ):
        read_org_file(path)
    path.write_bytes(ORG_YAML.encode() + b"\xff\xfe bad")
    with pytest.raises(OrgFileError, match=rf"^{path}: not valid YAML"):
        read_org_file(path)
    with pytest.raises(OrgFileError, match="cannot read the file"):
        read_org_file(tmp_path / "missing.yaml")


async def test_places_are_updated_set_wise(repo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.services.org_import import apply_org
    from storage.models import Branch, Chat, Village

    await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    changed = (
        ORG_YAML.replace("name: Thôn Trung Thành", "name: Thôn Trung Thành Mới")
        .replace("branch: Chi bộ thôn Nam Bắc Thành", "branch: Chi bộ Nam Bắc Thành")
        .replace('title: "Thôn Nam Bắc Thành"', 'title: "Nhóm mới"')
    )
    # The group chat moves to the second village.
    changed = (
        changed.replace(
            '        groups:\n          - {telegram_chat_id: -1001000000001, title: "Nhóm mới"}\n',
            "",
        )
        + '        groups:\n          - {telegram_chat_id: -1001000000001, title: "Nhóm mới"}\n'
    )
    result = await apply_org(repo, parse_org(changed))
    await repo.session.commit()
    assert (result.villages, result.groups) == (2, 1)
    villages = {v.code: v for v in await repo.session.scalars(select(Village))}
    assert villages["trung-thanh"].name == "Thôn Trung Thành Mới"
    branches = {b.village_id: b.name for b in await repo.session.scalars(select(Branch))}
    assert branches[villages["nam-bac-thanh"].id] == "Chi bộ Nam Bắc Thành"
    assert branches[villages["trung-thanh"].id] == "Chi bộ Thôn Trung Thành Mới"
    chats = list(await repo.session.scalars(select(Chat)))
    assert [(c.title, c.village_id) for c in chats] == [("Nhóm mới", villages["trung-thanh"].id)]


def _vietnamese(text: str) -> str:
    from bot.i18n import create_i18n

    return create_i18n("vi").gettext(text, locale="vi")


@pytest.mark.parametrize(
    "bad",
    [ORG_YAML.replace(*change, 1) for change, _message in BAD_FILES]
    + ["", "communes: [\n  - {code: a", "communes:\n  - &c {code: a, name: X, province: Y}\n  - *c", "communes:\n  - {code: Xa, name: X, province: Y}"],
)
def test_every_error_reads_in_the_operators_language(bad: str) -> None:
    """The CLI prints these in DEFAULT_LOCALE (Vietnamese by default): each message has
    its Vietnamese, and the line keeps the file, the line number and the field."""
    with pytest.raises(OrgFileError) as caught:
        parse_org(bad, source="org.yaml")
    error = caught.value
    assert _vietnamese(error.message) != error.message, error.message
    text = error.text(_vietnamese)
    assert text.startswith("org.yaml") and text != str(error), text
    if error.line is not None:
        assert f"dòng {error.line}" in text and (error.where or "") in text, text
    assert str(error) == error.text(lambda message: message)  # str() stays English


def test_an_unreadable_file_reads_in_vietnamese(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.services.org_import import read_org_file

    with pytest.raises(OrgFileError) as caught:
        read_org_file(tmp_path)  # a folder, not a file
    assert caught.value.text(_vietnamese).startswith(f"{tmp_path}: không đọc được tệp ("), caught.value.text(_vietnamese)
