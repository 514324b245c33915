"""Loading and validating criteria catalogs written in YAML.

A catalog file holds one criteria set. Files are validated fully before anything is
changed; every problem is reported as a :class:`CatalogError` naming the file, the field
path (``criteria[3].indicators[1].code``) and the line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .models import LEVELS, CriteriaSet, Criterion, Faq, Indicator, Threshold

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_INDICATOR_RE = re.compile(r"^(\d+)\.(\d+)$")
PathPart = str | int


class CatalogError(ValueError):
    """A catalog file was refused. ``str(error)`` is a one-line explanation."""

    def __init__(self, source: str, path: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.path = path
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        field_part = f" {path}:" if path else ""
        super().__init__(f"{where}:{field_part} {message}")


def _format_path(parts: Iterable[PathPart]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class _Reader:
    """Builds model objects from parsed YAML, reporting errors with their line."""

    def __init__(self, source: str, root_node: yaml.Node | None) -> None:
        self.source = source
        self.root_node = root_node

    # -- error helpers -------------------------------------------------------------
    def _line(self, parts: tuple[PathPart, ...]) -> int | None:
        node = self.root_node
        best: yaml.Node | None = node
        for part in parts:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == part:
                        nxt = value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    nxt = node.value[part]
            if nxt is None:
                break
            node = best = nxt
        return best.start_mark.line + 1 if best is not None else None

    def fail(self, parts: tuple[PathPart, ...], message: str) -> CatalogError:
        return CatalogError(self.source, _format_path(parts), message, self._line(parts))

    # -- typed getters -------------------------------------------------------------
    def mapping(self, value: Any, parts: tuple[PathPart, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(parts, "must be a mapping")
        return value

    def field(
        self, data: dict[str, Any], key: str, parts: tuple[PathPart, ...], *, required: bool = True
    ) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail((*parts, key), f"missing required field '{key}'")
            return None
        return data[key]

    def text(
        self, data: dict[str, Any], key: str, parts: tuple[PathPart, ...], *, required: bool = True
    ) -> str:
        value = self.field(data, key, parts, required=required)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail((*parts, key), "must be text")
        value = str(value).strip()
        if required and not value:
            raise self.fail((*parts, key), "must not be empty")
        return value

    def boolean(self, data: dict[str, Any], key: str, parts: tuple[PathPart, ...]) -> bool:
        value = self.field(data, key, parts)
        if not isinstance(value, bool):
            raise self.fail((*parts, key), "must be true or false")
        return value

    def integer(self, value: Any, parts: tuple[PathPart, ...], *, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(parts, f"must be a whole number >= {minimum}")
        return value

    def day(self, value: Any, parts: tuple[PathPart, ...]) -> date:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(parts, "must be a date written YYYY-MM-DD")

    def sequence(
        self, data: dict[str, Any], key: str, parts: tuple[PathPart, ...], *, required: bool = True
    ) -> list[Any]:
        value = self.field(data, key, parts, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail((*parts, key), "must be a list")
        return value

    # -- model builders ------------------------------------------------------------
    def criteria_set(self, raw: Any) -> CriteriaSet:
        root: tuple[PathPart, ...] = ()
        data = self.mapping(raw, root)
        code = self.text(data, "code", root)
        if not _CODE_RE.match(code):
            raise self.fail(("code",), "must use lower-case letters, digits and '-'")
        level = self.text(data, "level", root)
        if level not in LEVELS:
            raise self.fail(("level",), f"must be one of {', '.join(LEVELS)}")
        valid_from = self.day(self.field(data, "valid_from", root), ("valid_from",))
        raw_to = self.field(data, "valid_to", root, required=False)
        valid_to = self.day(raw_to, ("valid_to",)) if raw_to is not None else None
        if valid_to is not None and valid_to < valid_from:
            raise self.fail(("valid_to",), "must not be before valid_from")
        province = self.text(data, "province", root, required=False) or None
        declared_raw = self.field(data, "declared_indicators", root, required=False)
        declared = (
            self.integer(declared_raw, ("declared_indicators",))
            if declared_raw is not None
            else None
        )
        items = self.sequence(data, "criteria", root)
        if not items:
            raise self.fail(("criteria",), "must list at least one criterion")
        criteria = tuple(
            self.criterion(code, item, ("criteria", i)) for i, item in enumerate(items)
        )
        seen: dict[int, int] = {}
        for i, crit in enumerate(criteria):
            if crit.number in seen:
                raise self.fail(
                    ("criteria", i, "number"),
                    f"number {crit.number} is used twice (also criteria[{seen[crit.number]}])",
                )
            seen[crit.number] = i
        return CriteriaSet(
            code=code,
            name=self.text(data, "name", root),
            level=level,
            document=self.text(data, "document", root),
            valid_from=valid_from,
            valid_to=valid_to,
            province=province,
            criteria=criteria,
            declared_indicators=declared,
            notes=self.text(data, "notes", root, required=False),
        )

    def criterion(self, set_code: str, raw: Any, parts: tuple[PathPart, ...]) -> Criterion:
        data = self.mapping(raw, parts)
        number = self.integer(self.field(data, "number", parts), (*parts, "number"))
        keywords = tuple(
            self.plain_text(item, (*parts, "keywords", i))
            for i, item in enumerate(self.sequence(data, "keywords", parts))
        )
        faqs = tuple(
            self.faq(item, (*parts, "faqs", i))
            for i, item in enumerate(self.sequence(data, "faqs", parts))
        )
        indicators = tuple(
            self.indicator(number, item, (*parts, "indicators", i))
            for i, item in enumerate(self.sequence(data, "indicators", parts, required=False))
        )
        codes: dict[str, int] = {}
        for i, ind in enumerate(indicators):
            if ind.code in codes:
                raise self.fail((*parts, "indicators", i, "code"), f"code {ind.code} is used twice")
            codes[ind.code] = i
        successors = tuple(
            self.integer(item, (*parts, "successors", i))
            for i, item in enumerate(self.sequence(data, "successors", parts, required=False))
        )
        return Criterion(
            set_code=set_code,
            number=number,
            name=self.text(data, "name", parts),
            summary=self.text(data, "summary", parts),
            village_asks=self.text(data, "village_asks", parts),
            household_asks=self.text(data, "household_asks", parts),
            keywords=keywords,
            faqs=faqs,
            indicators=indicators,
            source=self.text(data, "source", parts),
            successors=successors,
        )

    def plain_text(self, value: Any, parts: tuple[PathPart, ...]) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(parts, "must be text")
        text = str(value).strip()
        if not text:
            raise self.fail(parts, "must not be empty")
        return text

    def faq(self, raw: Any, parts: tuple[PathPart, ...]) -> Faq:
        data = self.mapping(raw, parts)
        return Faq(question=self.text(data, "q", parts), answer=self.text(data, "a", parts))

    def indicator(self, number: int, raw: Any, parts: tuple[PathPart, ...]) -> Indicator:
        data = self.mapping(raw, parts)
        code = self.text(data, "code", parts)
        match = _INDICATOR_RE.match(code)
        if not match:
            raise self.fail((*parts, "code"), f"must look like '{number}.1', got {code!r}")
        if int(match.group(1)) != number:
            raise self.fail((*parts, "code"), f"must start with the criterion number {number}")
        thresholds: list[Threshold] = []
        raw_thresholds = self.field(data, "thresholds", parts, required=False) or {}
        if not isinstance(raw_thresholds, dict):
            raise self.fail((*parts, "thresholds"), "must be a mapping of key to value")
        default_confirmed = self.boolean(data, "confirmed", parts)
        for key, value in raw_thresholds.items():
            t_parts = (*parts, "thresholds", str(key))
            confirmed = default_confirmed
            if isinstance(value, dict):
                if "value" not in value:
                    raise self.fail((*t_parts, "value"), "missing required field 'value'")
                if "confirmed" in value:
                    if not isinstance(value["confirmed"], bool):
                        raise self.fail((*t_parts, "confirmed"), "must be true or false")
                    confirmed = value["confirmed"]
                value = value["value"]
            thresholds.append(
                Threshold(key=str(key), value=self.plain_text(value, t_parts), confirmed=confirmed)
            )
        return Indicator(
            code=code,
            name=self.text(data, "name", parts),
            requirement=self.text(data, "requirement", parts),
            thresholds=tuple(thresholds),
            source=self.text(data, "source", parts),
            confirmed=default_confirmed,
        )


def parse_catalog(text: str, *, source_name: str) -> CriteriaSet:
    """Parse and validate one catalog; raise :class:`CatalogError` on any problem."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CatalogError(source_name, "", f"invalid YAML: {exc.problem or exc}", line) from exc
    except yaml.YAMLError as exc:
        raise CatalogError(source_name, "", f"invalid YAML: {exc}") from exc
    if data is None:
        raise CatalogError(source_name, "", "the file is empty")
    return _Reader(source_name, node).criteria_set(data)


class Catalog:
    """All known criteria sets, keyed by code."""

    def __init__(self, sets: Iterable[CriteriaSet] = ()) -> None:
        self._sets: dict[str, CriteriaSet] = {}
        for item in sets:
            self._sets[item.code] = item

    @classmethod
    def builtin(cls) -> Catalog:
        """A catalog holding every set shipped in ``bot/services/criteria/data``."""
        catalog = cls()
        folder = resources.files(__package__).joinpath("data")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                catalog.load_text(entry.read_text(encoding="utf-8"), source_name=entry.name)
        return catalog

    def load_file(self, path: str | Path) -> CriteriaSet:
        """Validate and add (or override) the set in ``path``; nothing changes on error."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(str(path), "", f"cannot read the file: {exc}") from exc
        return self.load_text(text, source_name=str(path))

    def load_text(self, text: str, *, source_name: str) -> CriteriaSet:
        """Validate and add (or override) the set written in ``text``."""
        criteria_set = parse_catalog(text, source_name=source_name)
        self._sets[criteria_set.code] = criteria_set
        return criteria_set

    def get(self, code: str) -> CriteriaSet:
        """The set with this code; ``KeyError`` if unknown."""
        try:
            return self._sets[code]
        except KeyError:
            raise KeyError(f"unknown criteria set {code!r}") from None

    def sets(self) -> list[CriteriaSet]:
        """Every set, in loading order."""
        return list(self._sets.values())

    def in_force(
        self, on: date, *, level: str = "commune", province: str | None = None
    ) -> CriteriaSet:
        """The set of ``level`` in force on ``on``.

        With ``province`` a provincial set of that province is preferred, falling back
        to the national set. When several match, the most recent ``valid_from`` wins.
        Raises ``KeyError`` when no set is in force.
        """
        candidates = [s for s in self._sets.values() if s.level == level and s.valid_on(on)]
        if province is not None:
            wanted = _fold_name(province)
            local = [s for s in candidates if s.province and _fold_name(s.province) == wanted]
            if local:
                return max(local, key=lambda s: s.valid_from)
        national = [s for s in candidates if s.province is None]
        if not national:
            raise KeyError(f"no {level} criteria set in force on {on.isoformat()}")
        return max(national, key=lambda s: s.valid_from)

    def counterpart(self, set_code: str) -> CriteriaSet | None:
        """The other national commune set (the next one, or else the previous one)."""
        current = self.get(set_code)
        if not current.is_national:
            return None
        others = [s for s in self._sets.values() if s.is_national and s.code != set_code]
        if not others:
            return None
        later = [s for s in others if s.valid_from > current.valid_from]
        if later:
            return min(later, key=lambda s: s.valid_from)
        return max(others, key=lambda s: s.valid_from)


def _fold_name(name: str) -> str:
    from bot.services.vntext import fold

    return fold(name)
