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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("code: trung-thanh", "code: nam-bac-thanh"), r"line 20, .*villages\[1\]\.code: village code 'nam-bac-thanh' is already used on line 8"),
        (("role: member", "role: boss"), r"members\[1\]\.role: unknown role 'boss'"),
        (('phone: "0912000009"', 'phone: "+84 912 000 002"'), r"line 23, .*members\[0\]\.phone: phone 0912000002 is already on the roster of nam-bac-thanh"),
        (("flags: [poor]", "flags: [rich]"), r"households\[0\]\.flags: unknown flag 'rich'"),
        (('visitor: "0912000002"', 'visitor: "0912000009"'), r"households\[0\]\.visitor: must be the phone of a member of this village"),
        (("group: 2", "group: 4"), r"line 6, communes\[0\]\.group: must be 1, 2 or 3"),
        (("head: Lê Văn C", "hed: Lê Văn C"), r"households\[0\]\.hed: unknown field"),
        (("telegram_chat_id: -1001000000001", "telegram_chat_id: abc"), r"telegram_chat_id: expected a whole number"),
        (('phone: "0912000001"', 'phone: "12"'), r"members\[0\]\.phone: not a phone number"),
    ],
)
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
