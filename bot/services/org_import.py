"""The org file: communes, villages, branches, members, households and group chats.

The whole file is validated before anything is written; an error names the line and
the field. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.services.phone import normalize_phone
from storage.models import Role
from storage.repo import Repo

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
FLAGS = ("poor", "near_poor", "policy")
COMMUNE_KINDS = ("commune", "ward", "special_zone")
VILLAGE_KINDS = ("village", "residential_group")


class OrgFileError(ValueError):
    """A bad org file; ``str()`` is one line naming the file, the line and the field."""


@dataclass
class MemberSpec:
    name: str
    role: Role
    phone: str
    telegram_id: int | None


@dataclass
class HouseholdSpec:
    code: str
    head: str
    address: str
    cluster: str
    flags: tuple[str, ...]
    phone: str | None
    visitor: str | None


@dataclass
class GroupSpec:
    chat_id: int
    title: str


@dataclass
class VillageSpec:
    code: str
    name: str
    kind: str
    branch: str
    members: list[MemberSpec] = field(default_factory=list)
    households: list[HouseholdSpec] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)


@dataclass
class CommuneSpec:
    code: str
    name: str
    kind: str
    province: str
    criteria_set: str | None
    group: int | None
    villages: list[VillageSpec] = field(default_factory=list)


@dataclass
class ImportResult:
    communes: int
    villages: int
    members: int
    households: int
    groups: int


class _Reader:
    """Walks YAML nodes, keeping line numbers for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node, where: str, message: str) -> OrgFileError:
        return OrgFileError(f"{self.source}, line {node.start_mark.line + 1}, {where}: {message}")

    def mapping(
        self, node: Node, where: str, allowed: set[str], required: set[str]
    ) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, where, "expected a mapping (key: value)")
        items: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in allowed:
                raise self.fail(
                    key_node,
                    f"{where}.{key}",
                    f"unknown field; allowed: {', '.join(sorted(allowed))}",
                )
            if key in items:
                raise self.fail(key_node, f"{where}.{key}", "field given twice")
            items[key] = value_node
        for name in sorted(required - items.keys()):
            raise self.fail(node, f"{where}.{name}", "required field is missing")
        return items

    def sequence(self, node: Node | None, where: str) -> list[Node]:
        if node is None or (isinstance(node, ScalarNode) and node.value in ("", "~", "null")):
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, where, "expected a list")
        return list(node.value)

    def text(self, node: Node, where: str, *, optional: bool = False) -> str:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, where, "expected text")
        value = str(node.value).strip()
        if not value and not optional:
            raise self.fail(node, where, "must not be empty")
        return value

    def integer(self, node: Node, where: str) -> int:
        text = self.text(node, where)
        try:
            return int(text)
        except ValueError:
            raise self.fail(node, where, f"expected a whole number, got {text!r}") from None

    def code(self, node: Node, where: str) -> str:
        value = self.text(node, where)
        if not CODE.match(value):
            raise self.fail(
                node, where, f"{value!r} is not a code (lower-case letters, digits and '-')"
            )
        return value


def parse_org(
    text: str, *, source: str = "org file", known_criteria_sets: Callable[[str], bool] | None = None
) -> list[CommuneSpec]:
    """Validate an org file fully and return its specs, or raise OrgFileError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise OrgFileError(
            f"{source}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if root is None:
        raise OrgFileError(f"{source}: the file is empty")
    r = _Reader(source)
    top = r.mapping(root, "file", {"communes"}, {"communes"})
    communes: list[CommuneSpec] = []
    village_codes: dict[str, Node] = {}
    commune_codes: set[str] = set()
    phones: dict[str, str] = {}
    chat_ids: set[int] = set()
    for ci, commune_node in enumerate(r.sequence(top["communes"], "communes")):
        w = f"communes[{ci}]"
        c = r.mapping(
            commune_node,
            w,
            {"code", "name", "province", "kind", "criteria_set", "group", "villages"},
            {"code", "name", "province"},
        )
        code = r.code(c["code"], f"{w}.code")
        if code in commune_codes:
            raise r.fail(c["code"], f"{w}.code", f"commune code {code!r} is used twice")
        commune_codes.add(code)
        kind = r.text(c["kind"], f"{w}.kind") if "kind" in c else "commune"
        if kind not in COMMUNE_KINDS:
            raise r.fail(c["kind"], f"{w}.kind", f"must be one of {', '.join(COMMUNE_KINDS)}")
        criteria_set = (
            r.text(c["criteria_set"], f"{w}.criteria_set") if "criteria_set" in c else None
        )
        if (
            criteria_set
            and known_criteria_sets is not None
            and not known_criteria_sets(criteria_set)
        ):
            raise r.fail(
                c["criteria_set"], f"{w}.criteria_set", f"unknown criteria set {criteria_set!r}"
            )
        group = r.integer(c["group"], f"{w}.group") if "group" in c else None
        if group is not None and group not in (1, 2, 3):
            raise r.fail(c["group"], f"{w}.group", "must be 1, 2 or 3")
        commune = CommuneSpec(
            code,
            r.text(c["name"], f"{w}.name"),
            kind,
            r.text(c["province"], f"{w}.province"),
            criteria_set,
            group,
        )
        for vi, village_node in enumerate(r.sequence(c.get("villages"), f"{w}.villages")):
            vw = f"{w}.villages[{vi}]"
            v = r.mapping(
                village_node,
                vw,
                {"code", "name", "kind", "branch", "members", "households", "groups"},
                {"code", "name"},
            )
            vcode = r.code(v["code"], f"{vw}.code")
            if vcode in village_codes:
                first = village_codes[vcode].start_mark.line + 1
                raise r.fail(
                    v["code"],
                    f"{vw}.code",
                    f"village code {vcode!r} is already used on line {first}",
                )
            village_codes[vcode] = v["code"]
            vname = r.text(v["name"], f"{vw}.name")
            vkind = r.text(v["kind"], f"{vw}.kind") if "kind" in v else "village"
            if vkind not in VILLAGE_KINDS:
                raise r.fail(v["kind"], f"{vw}.kind", f"must be one of {', '.join(VILLAGE_KINDS)}")
            branch = r.text(v["branch"], f"{vw}.branch") if "branch" in v else f"Chi bộ {vname}"
            village = VillageSpec(vcode, vname, vkind, branch)
            own_phones: set[str] = set()
            for mi, member_node in enumerate(r.sequence(v.get("members"), f"{vw}.members")):
                mw = f"{vw}.members[{mi}]"
                m = r.mapping(
                    member_node,
                    mw,
                    {"name", "role", "phone", "telegram_id"},
                    {"name", "role", "phone"},
                )
                role_text = r.text(m["role"], f"{mw}.role")
                try:
                    role = Role(role_text)
                except ValueError:
                    raise r.fail(
                        m["role"],
                        f"{mw}.role",
                        f"unknown role {role_text!r}; use one of {', '.join(Role)}",
                    ) from None
                phone = normalize_phone(r.text(m["phone"], f"{mw}.phone"))
                if phone is None:
                    raise r.fail(m["phone"], f"{mw}.phone", "not a phone number")
                if phone in phones:
                    raise r.fail(
                        m["phone"],
                        f"{mw}.phone",
                        f"phone {phone} is already on the roster of {phones[phone]}",
                    )
                phones[phone] = vcode
                own_phones.add(phone)
                telegram_id = (
                    r.integer(m["telegram_id"], f"{mw}.telegram_id") if "telegram_id" in m else None
                )
                village.members.append(
                    MemberSpec(r.text(m["name"], f"{mw}.name"), role, phone, telegram_id)
                )
            household_codes: set[str] = set()
            for hi, household_node in enumerate(
                r.sequence(v.get("households"), f"{vw}.households")
            ):
                hw = f"{vw}.households[{hi}]"
                h = r.mapping(
                    household_node,
                    hw,
                    {"code", "head", "address", "cluster", "flags", "phone", "visitor"},
                    {"code", "head"},
                )
                hcode = r.text(h["code"], f"{hw}.code")
                if hcode in household_codes:
                    raise r.fail(
                        h["code"],
                        f"{hw}.code",
                        f"household code {hcode!r} is used twice in this village",
                    )
                household_codes.add(hcode)
                flags = tuple(
                    r.text(f, f"{hw}.flags") for f in r.sequence(h.get("flags"), f"{hw}.flags")
                )
                for flag_node, flag in zip(
                    r.sequence(h.get("flags"), f"{hw}.flags"), flags, strict=True
                ):
                    if flag not in FLAGS:
                        raise r.fail(
                            flag_node,
                            f"{hw}.flags",
                            f"unknown flag {flag!r}; use {', '.join(FLAGS)}",
                        )
                hphone = None
                if "phone" in h and r.text(h["phone"], f"{hw}.phone", optional=True):
                    hphone = normalize_phone(r.text(h["phone"], f"{hw}.phone"))
                    if hphone is None:
                        raise r.fail(h["phone"], f"{hw}.phone", "not a phone number")
                visitor = None
                if "visitor" in h:
                    visitor = normalize_phone(r.text(h["visitor"], f"{hw}.visitor"))
                    if visitor is None or visitor not in own_phones:
                        raise r.fail(
                            h["visitor"],
                            f"{hw}.visitor",
                            "must be the phone of a member of this village",
                        )
                village.households.append(
                    HouseholdSpec(
                        hcode,
                        r.text(h["head"], f"{hw}.head"),
                        r.text(h["address"], f"{hw}.address", optional=True)
                        if "address" in h
                        else "",
                        r.text(h["cluster"], f"{hw}.cluster", optional=True)
                        if "cluster" in h
                        else "",
                        flags,
                        hphone,
                        visitor,
                    )
                )
            for gi, group_node in enumerate(r.sequence(v.get("groups"), f"{vw}.groups")):
                gw = f"{vw}.groups[{gi}]"
                g = r.mapping(group_node, gw, {"telegram_chat_id", "title"}, {"telegram_chat_id"})
                chat_id = r.integer(g["telegram_chat_id"], f"{gw}.telegram_chat_id")
                if chat_id >= 0:
                    raise r.fail(
                        g["telegram_chat_id"],
                        f"{gw}.telegram_chat_id",
                        "a group chat id is negative",
                    )
                if chat_id in chat_ids:
                    raise r.fail(
                        g["telegram_chat_id"], f"{gw}.telegram_chat_id", "group listed twice"
                    )
                chat_ids.add(chat_id)
                title = r.text(g["title"], f"{gw}.title", optional=True) if "title" in g else ""
                village.groups.append(GroupSpec(chat_id, title))
            commune.villages.append(village)
        communes.append(commune)
    return communes


async def apply_org(repo: Repo, communes: list[CommuneSpec]) -> ImportResult:
    """Write validated specs; idempotent. The caller commits (one transaction)."""
    counts = ImportResult(0, 0, 0, 0, 0)
    for spec in communes:
        province = await repo.org.province(spec.province)
        commune = await repo.org.commune(
            spec.code,
            name=spec.name,
            kind=spec.kind,
            province_id=province.id,
            criteria_set=spec.criteria_set,
            criteria_group=spec.group,
        )
        counts.communes += 1
        for vspec in spec.villages:
            village = await repo.org.village(
                vspec.code, name=vspec.name, kind=vspec.kind, commune_id=commune.id
            )
            branch = await repo.org.branch(village.id, vspec.branch)
            counts.villages += 1
            member_ids: dict[str, int] = {}
            for mspec in vspec.members:
                values: dict[str, Any] = {
                    "name": mspec.name,
                    "role": mspec.role.value,
                    "branch_id": branch.id,
                }
                if mspec.telegram_id is not None:
                    values["telegram_id"] = mspec.telegram_id
                member = await repo.org.member(mspec.phone, **values)
                member_ids[mspec.phone] = member.id
                counts.members += 1
            for hspec in vspec.households:
                household = await repo.org.household(
                    village.id,
                    hspec.code,
                    head_name=hspec.head,
                    address=hspec.address,
                    cluster=hspec.cluster,
                    poor="poor" in hspec.flags,
                    near_poor="near_poor" in hspec.flags,
                    policy="policy" in hspec.flags,
                    phone=hspec.phone,
                )
                await repo.org.assign_visitor(
                    household.id, member_ids.get(hspec.visitor) if hspec.visitor else None
                )
                counts.households += 1
            for gspec in vspec.groups:
                await repo.org.group_chat(gspec.chat_id, gspec.title, village.id)
                counts.groups += 1
    await repo.session.flush()
    return counts


def read_org_file(path: Path, **kwargs: Any) -> list[CommuneSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgFileError(f"{path}: cannot read the file ({exc.__class__.__name__})") from None
    return parse_org(text, source=str(path), **kwargs)
