"""The org file: communes, villages, branches, members, households and group chats.

The whole file is validated before anything is written; an error names the line and
the field. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import yaml
from yaml._yaml import CParser
from yaml.composer import ComposerError
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from bot.services.phone import normalize_phone
from storage import org_bulk
from storage.models import Platform, Role
from storage.org_bulk import KEEP
from storage.repo import Repo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the day a new household's first visit is due

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
FLAGS = ("poor", "near_poor", "policy")
BOT_KEY_SHAPE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")  # as bot.multibot.KEY_SHAPE
COMMUNE_KINDS = ("commune", "ward", "special_zone")
VILLAGE_KINDS = ("village", "residential_group")


def N_(message: str) -> str:  # noqa: N802 - gettext's marker: extracted, translated where shown
    return message


class OrgFileError(ValueError):
    """A bad org file: one line naming the file, the line and the field. ``str()`` is
    English; :meth:`text` is the same line in the reader's language (the CLI's
    DEFAULT_LOCALE). ``message`` is an English msgid with {fields} from ``params``; the
    field's path (``communes[0].code``) and the file's own values are not translated."""

    def __init__(
        self,
        message: str,
        params: dict[str, Any] | None = None,
        *,
        source: str | None = None,
        line: int | None = None,
        where: str | None = None,
        translated: tuple[str, ...] = (),
    ) -> None:
        self.message, self.params = message, params or {}
        self.translated = frozenset(translated)
        self.source, self.line, self.where = source, line, where
        super().__init__(self.text(lambda text: text))

    def text(self, _: Callable[[str], str]) -> str:
        params = {k: _(v) if k in self.translated else v for k, v in self.params.items()}
        problem = _(self.message).format(**params)
        if self.source is None:
            return problem
        if self.line is None:
            return _("{source}: {problem}").format(source=self.source, problem=problem)
        if self.where is None:
            return _("{source}, line {line}: {problem}").format(source=self.source, line=self.line, problem=problem)
        return _("{source}, line {line}, {where}: {problem}").format(
            source=self.source, line=self.line, where=self.where, problem=problem
        )


@dataclass(slots=True)
class MemberSpec:
    name: str
    role: Role
    phone: str
    telegram_id: int | None


class HouseholdSpec:
    """One household. A province's file has hundreds of thousands, so the free texts
    (head, address) are kept as UTF-8 bytes: about half the size of a Vietnamese str.

    A key the file leaves out is None (address, cluster, flags, phone, visitor): the
    import then leaves that field as stored, as a household sheet without the column
    does; a key given empty (``phone: ""``, ``visitor: ""``) is "" and clears it."""

    __slots__ = ("code", "_head", "_address", "cluster", "flags", "phone", "visitor")

    def __init__(
        self,
        code: str,
        head: str,
        address: str | None,
        cluster: str | None,
        flags: tuple[str, ...] | None,
        phone: str | None,
        visitor: str | None,
    ) -> None:
        self.code = code
        self._head = head.encode()
        self._address = None if address is None else address.encode()
        self.cluster = cluster
        self.flags = flags
        self.phone = phone
        self.visitor = visitor

    @property
    def head(self) -> str:
        return self._head.decode()

    @property
    def address(self) -> str | None:
        return None if self._address is None else self._address.decode()

    def _key(self) -> tuple[Any, ...]:
        return (
            self.code,
            self._head,
            self._address,
            self.cluster,
            self.flags,
            self.phone,
            self.visitor,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HouseholdSpec) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HouseholdSpec(code={self.code!r}, head={self.head!r}, visitor={self.visitor!r})"


@dataclass(slots=True)
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
    bot: str | None = None  # the key of its bot in BOT_TOKENS (several bots); None: the default


@dataclass
class ImportResult:
    communes: int
    villages: int
    members: int
    households: int
    groups: int


class _Map:
    """A composed mapping: its values by key, its key events in order (for the line of
    an unknown or repeated key) and where it starts. Scalars stay the parser's
    ScalarEvent (value, start_mark): no node objects are built per scalar."""

    __slots__ = ("items", "keys", "start_mark")

    def __init__(self, items: dict[Any, Any], keys: list[Any], start_mark: Any) -> None:
        self.items = items
        self.keys = keys
        self.start_mark = start_mark


class _Seq:
    __slots__ = ("items", "start_mark")

    def __init__(self, items: list[Any], start_mark: Any) -> None:
        self.items = items
        self.start_mark = start_mark


Node = ScalarEvent | _Map | _Seq


def _compose(get: Callable[[], Any], event: Any) -> Any:
    """Compose the node that starts with ``event`` from libyaml's events."""
    kind = type(event)
    if kind is ScalarEvent:
        return event
    if kind is MappingStartEvent:
        items: dict[Any, Any] = {}
        keys: list[Any] = []
        while True:
            key = get()
            if type(key) is MappingEndEvent:
                return _Map(items, keys, event.start_mark)
            if type(key) is not ScalarEvent:
                key = _compose(get, key)  # never a valid field: the reader refuses it
            keys.append(key)
            value = get()
            if type(value) is not ScalarEvent:
                value = _compose(get, value)
            if type(key) is ScalarEvent:
                items[key.value] = value
    if kind is SequenceStartEvent:
        items = []
        while True:
            item = get()
            if type(item) is SequenceEndEvent:
                return _Seq(items, event.start_mark)
            items.append(item if type(item) is ScalarEvent else _compose(get, item))
    raise ComposerError(None, None, NO_ALIASES, event.start_mark)


NO_ALIASES = N_("anchors and aliases (*name) are not supported")


class _Reader:
    """Walks composed nodes, keeping line numbers for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, where: str, message: str, **params: Any) -> OrgFileError:
        return OrgFileError(message, params, source=self.source, line=node.start_mark.line + 1, where=where)

    def mapping(
        self, node: Any, where: str, allowed: frozenset[str], required: frozenset[str]
    ) -> dict[str, Any]:
        if type(node) is not _Map:
            raise self.fail(node, where, N_("expected a mapping (key: value)"))
        items = node.items
        if len(items) != len(node.keys) or not items.keys() <= allowed:
            seen: set[str] = set()  # find the first bad key, in the file's order
            for key_node in node.keys:
                key = key_node.value if type(key_node) is ScalarEvent else None
                if key not in allowed:
                    raise self.fail(
                        key_node,
                        f"{where}.{key}",
                        N_("unknown field; allowed: {allowed}"),
                        allowed=", ".join(sorted(allowed)),
                    )
                if key in seen:
                    raise self.fail(key_node, f"{where}.{key}", N_("field given twice"))
                seen.add(key)
        if not required <= items.keys():
            for name in sorted(required - items.keys()):
                raise self.fail(node, f"{where}.{name}", N_("required field is missing"))
        return items

    def sequence(self, node: Any, where: str) -> list[Any]:
        if node is None or (type(node) is ScalarEvent and node.value in ("", "~", "null")):
            return []
        if type(node) is not _Seq:
            raise self.fail(node, where, N_("expected a list"))
        return node.items

    def text(self, node: Any, where: str, *, optional: bool = False) -> str:
        if type(node) is not ScalarEvent:
            raise self.fail(node, where, N_("expected text"))
        value = node.value.strip()
        if not value and not optional:
            raise self.fail(node, where, N_("must not be empty"))
        return value

    def integer(self, node: Any, where: str) -> int:
        """A whole number that fits the database's 64-bit columns."""
        text = self.text(node, where)
        if len(text) > 25:
            raise self.fail(node, where, N_("expected a whole number, got {value}"), value=f"{text[:25]!r}…")
        try:
            value = int(text)
        except ValueError:
            raise self.fail(node, where, N_("expected a whole number, got {value}"), value=repr(text)) from None
        if not -(2**63) <= value < 2**63:
            raise self.fail(node, where, N_("{value} is too large for an id (at most 19 digits)"), value=text)
        return value

    def code(self, node: Any, where: str) -> str:
        value = self.text(node, where)
        if not CODE.match(value):
            raise self.fail(
                node, where, N_("{value} is not a code (lower-case letters, digits and '-')"), value=repr(value)
            )
        return value


@dataclass
class _Seen:
    """What earlier parts of the file used: codes, phones and ids must be unique.
    Only keys and line numbers are kept, never the nodes."""

    village_codes: dict[str, int] = field(default_factory=dict)  # code -> line
    phones: dict[str, str] = field(default_factory=dict)  # phone -> village code
    chat_ids: set[int] = field(default_factory=set)
    telegram_ids: dict[int, int] = field(default_factory=dict)  # id -> line
    shared: dict[Any, Any] = field(default_factory=dict)  # one object per repeated value

    def share(self, value: Any) -> Any:
        """Clusters and flags repeat across households: keep one copy of each."""
        return self.shared.setdefault(value, value)


class _Events(CParser):  # type: ignore[misc]
    """libyaml's event stream, composed into light nodes here: the file is read one
    village at a time, so a large file never sits in memory as one tree. Every scalar
    is read as text (the reader converts it), so no tag resolution is needed."""

    def node(self) -> Any:
        return _compose(self.get_event, self.get_event())


def _stream_mapping(
    ev: _Events,
    r: _Reader,
    where: str,
    allowed: set[str],
    required: set[str],
    streamed: dict[str, Callable[[], None]],
) -> tuple[dict[str, Any], _Map]:
    """Read a mapping, handing the values of ``streamed`` keys to their readers and
    composing the others; returns the composed values and a node marking the start."""
    if not ev.check_event(MappingStartEvent):
        node = ev.node()
        raise r.fail(node, where, N_("expected a mapping (key: value)"))
    start = ev.get_event()
    marker = _Map({}, [], start.start_mark)
    items: dict[str, Any] = {}
    seen: set[str] = set()
    while not ev.check_event(MappingEndEvent):
        key_node = ev.node()
        key = key_node.value if type(key_node) is ScalarEvent else None
        if key not in allowed:
            raise r.fail(
                key_node, f"{where}.{key}", N_("unknown field; allowed: {allowed}"), allowed=", ".join(sorted(allowed))
            )
        if key in seen:
            raise r.fail(key_node, f"{where}.{key}", N_("field given twice"))
        seen.add(key)
        if key in streamed:
            streamed[key]()
        else:
            items[key] = ev.node()
    ev.get_event()
    for name in sorted(required - seen):
        raise r.fail(marker, f"{where}.{name}", N_("required field is missing"))
    return items, marker


def _stream_sequence(ev: _Events, r: _Reader, where: str, item: Callable[[int], None]) -> None:
    if not ev.check_event(SequenceStartEvent):
        node = ev.node()
        r.sequence(node, where)  # empty/null is an empty list; anything else fails
        return
    ev.get_event()
    index = 0
    while not ev.check_event(SequenceEndEvent):
        item(index)
        index += 1
    ev.get_event()


def parse_org(
    text: str | IO[bytes],
    *,
    source: str = "org file",
    known_criteria_sets: Callable[[str], bool] | None = None,
) -> list[CommuneSpec]:
    """Validate an org file fully and return its specs, or raise OrgFileError."""
    try:
        return _parse(text, source, known_criteria_sets)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise OrgFileError(
            N_("not valid YAML ({problem})"),
            {"problem": getattr(exc, "problem", exc)},
            source=source,
            line=mark.line + 1 if mark else None,
            translated=("problem",) if getattr(exc, "problem", None) == NO_ALIASES else (),
        ) from None


def _parse(
    text: str | IO[bytes], source: str, known_criteria_sets: Callable[[str], bool] | None
) -> list[CommuneSpec]:
    ev = _Events(text)
    ev.get_event()  # stream start
    if ev.check_event(StreamEndEvent):
        raise OrgFileError(N_("the file is empty"), source=source)
    ev.get_event()  # document start
    r = _Reader(source)
    seen = _Seen()
    communes: list[CommuneSpec] = []
    commune_codes: set[str] = set()

    def commune_item(ci: int) -> None:
        w = f"communes[{ci}]"
        villages: list[VillageSpec] = []

        def village_item(vi: int) -> None:
            villages.append(_parse_village(r, ev.node(), f"{w}.villages[{vi}]", seen))

        c, _marker = _stream_mapping(
            ev,
            r,
            w,
            {"code", "name", "province", "kind", "criteria_set", "group", "villages", "bot"},
            {"code", "name", "province"},
            {"villages": lambda: _stream_sequence(ev, r, f"{w}.villages", village_item)},
        )
        communes.append(_commune(r, c, w, commune_codes, known_criteria_sets, villages))

    if (
        ev.check_event(ScalarEvent)
        and ev.peek_event().value in ("", "~", "null")
        and not ev.peek_event().style
    ):
        raise OrgFileError(N_("the file is empty"), source=source)
    _stream_mapping(
        ev,
        r,
        "file",
        {"communes"},
        {"communes"},
        {"communes": lambda: _stream_sequence(ev, r, "communes", commune_item)},
    )
    return communes


def _commune(
    r: _Reader,
    c: dict[str, Node],
    w: str,
    commune_codes: set[str],
    known_criteria_sets: Callable[[str], bool] | None,
    villages: list[VillageSpec],
) -> CommuneSpec:
    code = r.code(c["code"], f"{w}.code")
    if code in commune_codes:
        raise r.fail(c["code"], f"{w}.code", N_("commune code {code} is used twice"), code=repr(code))
    commune_codes.add(code)
    kind = r.text(c["kind"], f"{w}.kind") if "kind" in c else "commune"
    if kind not in COMMUNE_KINDS:
        raise r.fail(c["kind"], f"{w}.kind", N_("must be one of {choices}"), choices=", ".join(COMMUNE_KINDS))
    criteria_set = r.text(c["criteria_set"], f"{w}.criteria_set") if "criteria_set" in c else None
    if criteria_set and known_criteria_sets is not None and not known_criteria_sets(criteria_set):
        raise r.fail(
            c["criteria_set"], f"{w}.criteria_set", N_("unknown criteria set {code}"), code=repr(criteria_set)
        )
    group = r.integer(c["group"], f"{w}.group") if "group" in c else None
    if group is not None and group not in (1, 2, 3):
        raise r.fail(c["group"], f"{w}.group", N_("must be 1, 2 or 3"))
    bot = r.text(c["bot"], f"{w}.bot").strip().lower() if "bot" in c else None
    if bot is not None and not BOT_KEY_SHAPE.fullmatch(bot):
        raise r.fail(c["bot"], f"{w}.bot", N_("must be a bot's key from BOT_TOKENS (a-z 0-9 _ -, at most 32)"))
    return CommuneSpec(
        code,
        r.text(c["name"], f"{w}.name"),
        kind,
        r.text(c["province"], f"{w}.province"),
        criteria_set,
        group,
        villages,
        bot,
    )


_VILLAGE_FIELDS = frozenset({"code", "name", "kind", "branch", "members", "households", "groups"})
_VILLAGE_REQUIRED = frozenset({"code", "name"})
_MEMBER_FIELDS = frozenset({"name", "role", "phone", "telegram_id"})
_MEMBER_REQUIRED = frozenset({"name", "role", "phone"})
_HOUSEHOLD_FIELDS = frozenset({"code", "head", "address", "cluster", "flags", "phone", "visitor"})
_HOUSEHOLD_REQUIRED = frozenset({"code", "head"})
_GROUP_FIELDS = frozenset({"telegram_chat_id", "title"})
_GROUP_REQUIRED = frozenset({"telegram_chat_id"})
_ROLES = {role.value: role for role in Role}


def _parse_village(r: _Reader, village_node: Any, vw: str, seen: _Seen) -> VillageSpec:
    """One village's node (members, households, groups), checked against the whole file."""
    village_codes, phones, chat_ids, telegram_ids = (
        seen.village_codes,
        seen.phones,
        seen.chat_ids,
        seen.telegram_ids,
    )
    share = seen.share
    v = r.mapping(village_node, vw, _VILLAGE_FIELDS, _VILLAGE_REQUIRED)
    vcode = r.code(v["code"], f"{vw}.code")
    if vcode in village_codes:
        raise r.fail(
            v["code"],
            f"{vw}.code",
            N_("village code {code} is already used on line {line}"),
            code=repr(vcode),
            line=village_codes[vcode],
        )
    village_codes[vcode] = v["code"].start_mark.line + 1
    vname = r.text(v["name"], f"{vw}.name")
    vkind = r.text(v["kind"], f"{vw}.kind") if "kind" in v else "village"
    if vkind not in VILLAGE_KINDS:
        raise r.fail(v["kind"], f"{vw}.kind", N_("must be one of {choices}"), choices=", ".join(VILLAGE_KINDS))
    branch = r.text(v["branch"], f"{vw}.branch") if "branch" in v else f"Chi bộ {vname}"
    village = VillageSpec(vcode, vname, vkind, branch)
    own_phones: dict[str, str] = {}
    mapping, text = r.mapping, r.text
    for mi, member_node in enumerate(r.sequence(v.get("members"), f"{vw}.members")):
        mw = f"{vw}.members[{mi}]"
        m = mapping(member_node, mw, _MEMBER_FIELDS, _MEMBER_REQUIRED)
        role_text = text(m["role"], f"{mw}.role")
        role = _ROLES.get(role_text)
        if role is None:
            raise r.fail(
                m["role"],
                f"{mw}.role",
                N_("unknown role {role}; use one of {choices}"),
                role=repr(role_text),
                choices=", ".join(Role),
            )
        phone = _phone(text(m["phone"], f"{mw}.phone"))
        if phone is None:
            raise r.fail(m["phone"], f"{mw}.phone", N_("not a phone number"))
        if phone in phones:
            raise r.fail(
                m["phone"],
                f"{mw}.phone",
                N_("phone {phone} is already on the roster of {village}"),
                phone=phone,
                village=phones[phone],
            )
        phones[phone] = vcode
        own_phones[phone] = phone
        telegram_id = (
            r.integer(m["telegram_id"], f"{mw}.telegram_id") if "telegram_id" in m else None
        )
        if telegram_id is not None:
            if telegram_id <= 0:
                raise r.fail(
                    m["telegram_id"], f"{mw}.telegram_id", N_("a Telegram user id is positive")
                )
            if telegram_id in telegram_ids:
                raise r.fail(
                    m["telegram_id"],
                    f"{mw}.telegram_id",
                    N_("telegram_id {id} is already given on line {line}"),
                    id=telegram_id,
                    line=telegram_ids[telegram_id],
                )
            telegram_ids[telegram_id] = m["telegram_id"].start_mark.line + 1
        village.members.append(MemberSpec(text(m["name"], f"{mw}.name"), role, phone, telegram_id))
    household_codes: set[str] = set()
    households = village.households
    for hi, household_node in enumerate(r.sequence(v.get("households"), f"{vw}.households")):
        h = mapping(
            household_node, f"{vw}.households[{hi}]", _HOUSEHOLD_FIELDS, _HOUSEHOLD_REQUIRED
        )
        households.append(
            _household(r, h, f"{vw}.households[{hi}]", household_codes, own_phones, share)
        )
    for gi, group_node in enumerate(r.sequence(v.get("groups"), f"{vw}.groups")):
        gw = f"{vw}.groups[{gi}]"
        g = mapping(group_node, gw, _GROUP_FIELDS, _GROUP_REQUIRED)
        chat_id = r.integer(g["telegram_chat_id"], f"{gw}.telegram_chat_id")
        if chat_id >= 0:
            raise r.fail(
                g["telegram_chat_id"],
                f"{gw}.telegram_chat_id",
                N_("a group chat id is negative"),
            )
        if chat_id in chat_ids:
            raise r.fail(g["telegram_chat_id"], f"{gw}.telegram_chat_id", N_("group listed twice"))
        chat_ids.add(chat_id)
        title = r.text(g["title"], f"{gw}.title", optional=True) if "title" in g else ""
        village.groups.append(GroupSpec(chat_id, title))
    return village


def _phone(raw: str) -> str | None:
    """normalize_phone, with the common case (already national form) taken first."""
    if len(raw) in (10, 11) and raw[0] == "0" and raw.isascii() and raw.isdigit():
        return raw
    return normalize_phone(raw)


def _household(
    r: _Reader,
    h: dict[str, Any],
    hw: str,
    household_codes: set[str],
    own_phones: dict[str, str],
    share: Callable[[Any], Any],
) -> HouseholdSpec:
    """One household. Texts are read inline (the reader is called, to name the error,
    only when a value is not plain text): a province has hundreds of thousands."""
    text = r.text
    node = h["code"]
    hcode = node.value.strip() if type(node) is ScalarEvent else ""
    if not hcode:
        hcode = text(node, f"{hw}.code")
    if hcode in household_codes:
        raise r.fail(
            h["code"],
            f"{hw}.code",
            N_("household code {code} is used twice in this village"),
            code=repr(hcode),
        )
    household_codes.add(hcode)
    flags: tuple[str, ...] | None = None
    if "flags" in h:
        flag_nodes = r.sequence(h["flags"], f"{hw}.flags")
        flags = tuple(text(f, f"{hw}.flags") for f in flag_nodes)
        for flag_node, flag in zip(flag_nodes, flags, strict=True):
            if flag not in FLAGS:
                raise r.fail(
                    flag_node,
                    f"{hw}.flags",
                    N_("unknown flag {flag}; use {choices}"),
                    flag=repr(flag),
                    choices=", ".join(FLAGS),
                )
    address = cluster = None
    if "address" in h:
        node = h["address"]
        address = node.value.strip() if type(node) is ScalarEvent else text(node, f"{hw}.address")
    if "cluster" in h:
        node = h["cluster"]
        cluster = node.value.strip() if type(node) is ScalarEvent else text(node, f"{hw}.cluster")
    hphone = None
    if "phone" in h:
        node = h["phone"]
        raw = node.value.strip() if type(node) is ScalarEvent else text(node, f"{hw}.phone")
        hphone = ""
        if raw:
            hphone = _phone(raw)
            if hphone is None:
                raise r.fail(node, f"{hw}.phone", N_("not a phone number"))
    visitor = None
    if "visitor" in h:
        node = h["visitor"]
        raw = node.value.strip() if type(node) is ScalarEvent else ""
        if type(node) is ScalarEvent and not raw:
            visitor = ""  # visitor: "" — nobody visits it
        else:
            if not raw:
                raw = text(node, f"{hw}.visitor")
            visitor = own_phones.get(_phone(raw))  # type: ignore[arg-type]
            if visitor is None:
                raise r.fail(
                    node, f"{hw}.visitor", N_("must be the phone of a member of this village")
                )
    node = h["head"]
    head = node.value.strip() if type(node) is ScalarEvent else ""
    if not head:
        head = text(node, f"{hw}.head")
    return HouseholdSpec(hcode, head, address, share(cluster), share(flags), hphone, visitor)


async def apply_org(
    repo: Repo, communes: list[CommuneSpec], *, plans_due: date | None = None
) -> ImportResult:
    """Write validated specs; idempotent. The caller commits (one transaction).
    A household without a visit plan gets one, due ``plans_due`` (default: today in
    Vietnam), for the file's villages only: no planner has to look for them.

    Written one commune at a time (the province and the commune through the ORM):
    villages, branches, group chats, members, households and visit assignments are
    compared with what is stored in a few set-wise queries and written in bulk (see
    ``storage.org_bulk``; COPY on PostgreSQL), so no statement's parameters hold more
    than a commune and there is no round trip per row."""
    counts = ImportResult(0, 0, 0, 0, 0)
    due = plans_due or datetime.now(VIETNAM).date()
    for spec in communes:
        province = await repo.org.province(spec.province)
        commune = await repo.org.commune(
            spec.code,
            name=spec.name,
            kind=spec.kind,
            province_id=province.id,
            criteria_set=spec.criteria_set,
            criteria_group=spec.group,
            bot_key=spec.bot,
        )
        counts.communes += 1
        members: list[tuple[str, str, str, int, int | None]] = []
        households: list[tuple[Any, ...]] = []
        visitors: list[tuple[int, str, str | None]] = []  # village id, household code, visitor
        await repo.session.flush()
        village_ids = await org_bulk.write_places(
            repo.session,
            org_bulk.VILLAGES,
            "code",
            ("name", "kind", "commune_id"),
            [(v.code, v.name, v.kind, commune.id) for v in spec.villages],
        )
        branch_ids = await org_bulk.write_places(
            repo.session,
            org_bulk.BRANCHES,
            "village_id",
            ("name",),
            [(village_ids[v.code], v.branch) for v in spec.villages],
        )
        await org_bulk.write_places(
            repo.session,
            org_bulk.CHATS,
            "platform_chat_id",
            ("title", "village_id"),
            [(g.chat_id, g.title, village_ids[v.code]) for v in spec.villages for g in v.groups],
            fixed={"platform": Platform.TELEGRAM.value},
        )
        for vspec in spec.villages:
            vid = village_ids[vspec.code]
            branch_id = branch_ids[vid]
            counts.villages += 1
            counts.groups += len(vspec.groups)
            members.extend(
                (m.phone, m.name, m.role.value, branch_id, m.telegram_id) for m in vspec.members
            )
            for h in vspec.households:  # a key left out (None) keeps what is stored
                flags, address, cluster, phone = h.flags, h.address, h.cluster, h.phone
                households.append(
                    (
                        vid,
                        h.code,
                        h.head,
                        KEEP if address is None else address,
                        KEEP if cluster is None else cluster,
                        KEEP if flags is None else "poor" in flags,
                        KEEP if flags is None else "near_poor" in flags,
                        KEEP if flags is None else "policy" in flags,
                        KEEP if phone is None else (phone or None),
                    )
                )
                if h.visitor is not None:
                    visitors.append((vid, h.code, h.visitor))
        await repo.session.flush()
        try:
            member_ids = await org_bulk.write_members(repo.session, members)
        except org_bulk.TelegramIdTaken as taken:
            raise OrgFileError(
                N_("telegram_id {id} of {wanted_by} already belongs to the member with phone {held_by}; nothing was imported"),
                {"id": taken.telegram_id, "wanted_by": taken.wanted_by, "held_by": taken.held_by},
            ) from None
        household_ids = await org_bulk.write_households(repo.session, households)
        await org_bulk.write_assignments(
            repo.session,
            list(village_ids.values()),
            {
                household_ids[(vid, code)]: member_ids[visitor] if visitor else None
                for vid, code, visitor in visitors
            },
        )
        await repo.visits.ensure_plans(due, village_ids=list(village_ids.values()))
        counts.members += len(members)
        counts.households += len(households)
    return counts


def read_org_file(path: Path, **kwargs: Any) -> list[CommuneSpec]:
    """Parse an org file from disk; libyaml reads it in blocks, so the file's text is
    never held whole in memory."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise OrgFileError(N_("cannot read the file ({error})"), {"error": exc.__class__.__name__}, source=str(path)) from None
    with handle:
        try:
            return parse_org(handle, source=str(path), **kwargs)
        except OSError as exc:
            raise OrgFileError(N_("cannot read the file ({error})"), {"error": exc.__class__.__name__}, source=str(path)) from None
