"""Bot API specification loading and request validation for the sandbox.

The sandbox validates every Bot API call against the machine-readable spec
(``api.json``, shared between projects) so that the bot is tested against the
real contract instead of against whatever aiogram happens to accept:

* unknown methods answer 404 like Telegram does;
* missing required parameters and values of the wrong type answer 400 with
  Telegram's wording where we know it;
* unknown parameters (Telegram silently ignores them) are accepted but recorded
  as :class:`Violation` so the test-suite can fail on them;
* nested objects (``reply_markup``, ``scope``, ...) are type-checked against
  ``types`` and unknown nested fields are recorded as violations too.

If the spec file cannot be found the sandbox still works, without validation,
and logs a warning.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .api_errors import ApiError, UploadedFile, Violation, bad_request

log = logging.getLogger(__name__)

#: Environment variable that overrides the location of ``api.json``.
SPEC_ENV = "VILLAGEBOT_BOT_API_SPEC"

#: Methods/parameters newer than the shared spec that aiogram 3.31
#: (Bot API 10.3) may send.  Every entry MUST cite the Bot API changelog entry
#: that introduced it (https://core.telegram.org/bots/api-changelog), e.g.
#: ``"sendMessage": {"some_param"},  # Bot API 10.2, <date>: "..."``.
#: A method listed here is accepted even when missing from the spec.
ALLOW_NEWER: dict[str, set[str]] = {}

#: Result fields newer than the shipped spec (Bot API 10.1) that the pinned aiogram's
#: models require, so the sandbox must send them (found when aiogram refused a
#: getUpdates answer without them). Keyed by type name.
NEWER_RESULT_FIELDS: dict[str, set[str]] = {
    "ChatMemberAdministrator": {"can_send_welcome_messages"},
    "ChatMemberRestricted": {"can_react_to_messages", "can_edit_tag"},
}

#: Parameters removed from the documentation but still honoured by Telegram.
#: Bot API 7.0 (December 29, 2023) replaced ``reply_to_message_id`` and
#: ``allow_sending_without_reply`` with ``reply_parameters`` and
#: ``disable_web_page_preview`` with ``link_preview_options``; the old
#: parameters keep working and aiogram still exposes them.
LEGACY_PARAMS: dict[str, str] = {
    "reply_to_message_id": "Integer",
    "allow_sending_without_reply": "Boolean",
    "disable_web_page_preview": "Boolean",
}

#: Telegram's descriptions for some missing required parameters.
MISSING_PARAM_DESCRIPTIONS: dict[str, str] = {
    "chat_id": "Bad Request: chat_id is empty",
    "text": "Bad Request: message text is empty",
    "message_id": "Bad Request: message identifier is not specified",
    "photo": "Bad Request: there is no photo in the request",
    "document": "Bad Request: there is no document in the request",
    "callback_query_id": "Bad Request: query is too old and response timeout expired "
    "or query ID is invalid",
    "user_id": "Bad Request: user not found",
    "from_chat_id": "Bad Request: chat not found",
    "commands": 'Bad Request: parameter "commands" is required',
    "url": "Bad Request: bad webhook: Webhook URL is empty",
    "action": "Bad Request: wrong parameter action in request",
}

_SCALARS = {"Integer", "Float", "String", "Boolean", "True", "InputFile"}



class _TypeMismatch(Exception):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f'Field "{path}" must be of type {expected}')
        self.path = path
        self.expected = expected


class SpecMissing(RuntimeError):
    """The Bot API spec the sandbox validates every call against is not there."""


def default_spec_path() -> Path:
    """The spec shipped with the package (``api.json``, license in ``api.json.LICENSE``),
    unless overridden by the environment."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "api.json"


@dataclass
class ApiSpec:
    """The loaded Bot API spec with a case-insensitive method index."""

    version: str
    methods: dict[str, dict[str, Any]]
    types: dict[str, dict[str, Any]]
    _by_lower: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_lower = {name.lower(): name for name in self.methods}
        for name in ALLOW_NEWER:
            self._by_lower.setdefault(name.lower(), name)

    @classmethod
    def load(cls, path: Path | None = None) -> ApiSpec:
        """Load the spec (cached per path); :class:`SpecMissing` if it is not there.

        Never run without it: a sandbox that silently stops validating accepts calls
        Telegram refuses, and refuses uploads it cannot check."""
        path = path or default_spec_path()
        if path in _LOADED:
            return _LOADED[path]
        _LOADED[path] = cls._read(path)
        return _LOADED[path]

    @classmethod
    def _read(cls, path: Path) -> ApiSpec:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecMissing(
                f"Bot API spec not found at {path}: reinstall villagebot (it ships bot/sandbox/api.json) "
                f"or point {SPEC_ENV} at an api.json"
            ) from None
        return cls(version=raw.get("version", "?"), methods=raw["methods"], types=raw["types"])

    def canonical_method(self, name: str) -> str | None:
        """Telegram method names are case-insensitive; return the spec spelling."""
        return self._by_lower.get(name.lower())

    def method_fields(self, method: str) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.methods.get(method, {}).get("fields", [])}

    # ------------------------------------------------------------------ params

    def validate_params(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, UploadedFile],
        *,
        from_form: bool,
        violations: list[Violation],
    ) -> dict[str, Any]:
        """Check and coerce ``params`` of ``method``; raise :class:`ApiError`.

        ``files`` holds the multipart file parts; ``attach://name`` references
        are resolved against it.  Returns the coerced parameters (integers as
        ``int``, JSON objects decoded, files as :class:`UploadedFile`).
        """
        fields = self.method_fields(method)
        allowed_newer = ALLOW_NEWER.get(method, set())
        out: dict[str, Any] = {}
        referenced: set[str] = set()
        for name, value in params.items():
            if isinstance(value, str) and value.startswith("attach://"):
                key = value[len("attach://") :]
                if key not in files:
                    raise bad_request(f'can\'t find attached file "{key}"')
                referenced.add(key)
                value = files[key]
            spec_field = fields.get(name)
            if spec_field is None:
                if name in allowed_newer:
                    out[name] = value
                    continue
                if name in LEGACY_PARAMS:
                    spec_field = {"name": name, "types": [LEGACY_PARAMS[name]]}
                else:
                    violations.append(
                        Violation(
                            method,
                            "unknown_parameter",
                            name,
                            f"parameter {name!r} is not part of {method} (ignored)",
                        )
                    )
                    continue
            try:
                out[name] = self._check(
                    value, spec_field["types"], name, from_form, method, violations
                )
            except _TypeMismatch as exc:
                raise self._mismatch_error(name, exc) from None
        for name, part in files.items():
            if name in referenced:
                continue
            if name in fields and name not in out:
                out[name] = part  # python-telegram-bot style: file part named as param
            else:
                violations.append(
                    Violation(method, "unknown_parameter", name, "unreferenced file part")
                )
        for name, spec_field in fields.items():
            if spec_field["required"] and (name not in out or out[name] in ("", None)):
                raise ApiError(
                    400,
                    MISSING_PARAM_DESCRIPTIONS.get(
                        name, f'Bad Request: parameter "{name}" is required'
                    ),
                )
        return out

    @staticmethod
    def _mismatch_error(name: str, exc: _TypeMismatch) -> ApiError:
        if name in ("chat_id", "from_chat_id"):
            return bad_request("chat not found")
        if name == "reply_markup" and exc.path == name:
            return bad_request("can't parse reply keyboard markup JSON object")
        if exc.path == name:
            return bad_request(f'field "{name}" must be of type {exc.expected}')
        return bad_request(f"can't parse {name}: {exc}")

    # ------------------------------------------------------------------- types

    def _check(
        self,
        value: Any,
        types: list[str],
        path: str,
        from_form: bool,
        method: str,
        violations: list[Violation],
    ) -> Any:
        last: _TypeMismatch | None = None
        # Try object types before "String" so a JSON string can become an object.
        ordered = sorted(types, key=lambda t: t == "String")
        for type_expr in ordered:
            trial: list[Violation] = []
            try:
                result = self._check_one(value, type_expr, path, from_form, method, trial)
            except _TypeMismatch as exc:
                last = exc if last is None or exc.path != path else last
                continue
            violations.extend(trial)
            return result
        raise last or _TypeMismatch(path, " or ".join(types))

    def _check_one(
        self,
        value: Any,
        type_expr: str,
        path: str,
        from_form: bool,
        method: str,
        violations: list[Violation],
    ) -> Any:
        if type_expr.startswith("Array of "):
            inner = type_expr[len("Array of ") :]
            if isinstance(value, str):
                value = _json_or_mismatch(value, path, type_expr)
            if not isinstance(value, list):
                raise _TypeMismatch(path, type_expr)
            return [
                self._check(item, [inner], f"{path}[{i}]", False, method, violations)
                for i, item in enumerate(value)
            ]
        if type_expr == "Integer":
            if isinstance(value, bool):
                raise _TypeMismatch(path, type_expr)
            if isinstance(value, int):
                return value
            if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
                return int(value)
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise _TypeMismatch(path, type_expr)
        if type_expr == "Float":
            if isinstance(value, bool):
                raise _TypeMismatch(path, type_expr)
            if isinstance(value, (int, float)):
                return float(value)
            try:
                return float(value)
            except (TypeError, ValueError):
                raise _TypeMismatch(path, type_expr) from None
        if type_expr == "String":
            if isinstance(value, str):
                return value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return str(value)  # Telegram converts numbers to strings
            raise _TypeMismatch(path, type_expr)
        if type_expr in ("Boolean", "True"):
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            raise _TypeMismatch(path, type_expr)
        if type_expr == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            raise _TypeMismatch(path, type_expr)
        type_spec = self.types.get(type_expr)
        if type_spec is None:  # unknown to the spec: accept as is
            return value
        if isinstance(value, str):
            value = _json_or_mismatch(value, path, type_expr)
        if not isinstance(value, dict):
            raise _TypeMismatch(path, type_expr)
        if type_spec.get("subtypes"):
            return self._check_union(value, type_spec["subtypes"], path, method, violations)
        return self._check_object(value, type_expr, path, method, violations)

    def _check_object(
        self,
        value: dict[str, Any],
        type_name: str,
        path: str,
        method: str,
        violations: list[Violation],
    ) -> dict[str, Any]:
        fields = {f["name"]: f for f in self.types[type_name].get("fields", [])}
        out: dict[str, Any] = {}
        for name, item in value.items():
            spec_field = fields.get(name)
            if spec_field is None:
                violations.append(
                    Violation(
                        method,
                        "unknown_field",
                        f"{path}.{name}",
                        f"{type_name} has no field {name!r}",
                    )
                )
                out[name] = item
                continue
            out[name] = self._check(
                item, spec_field["types"], f"{path}.{name}", False, method, violations
            )
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in value:
                raise _TypeMismatch(f"{path}.{name}", " or ".join(spec_field["types"]))
        return out

    def _check_union(
        self,
        value: dict[str, Any],
        subtypes: list[str],
        path: str,
        method: str,
        violations: list[Violation],
    ) -> dict[str, Any]:
        tag = value.get("type", value.get("status", value.get("source")))
        candidates = [s for s in subtypes if tag is not None and self.discriminator(s) == tag]
        for sub in candidates or subtypes:
            trial: list[Violation] = []
            try:
                result = self._check_object(value, sub, path, method, trial)
            except _TypeMismatch:
                continue
            if trial and not candidates:
                continue
            violations.extend(trial)
            return result
        raise _TypeMismatch(path, " or ".join(subtypes))

    @cache  # noqa: B019 - the spec lives for the whole process
    def discriminator(self, type_name: str) -> str | None:
        """The constant ``type``/``status``/``source`` value of a union member."""
        for f in self.types.get(type_name, {}).get("fields", []):
            if f["name"] in ("type", "status", "source"):
                m = re.search(r"(?:must be|always)\s+[*“\"]?([\w-]+)", f.get("description", ""))
                if m:
                    return m.group(1)
        return None

    def __hash__(self) -> int:  # needed by functools.cache on a method
        return id(self)

    # ----------------------------------------------------------------- results

    def check_result(self, type_name: str, value: Any) -> list[str]:
        """Problems of an object the sandbox returns (missing required fields,
        unknown fields), used by the sandbox's own tests."""
        problems: list[str] = []
        self._check_result(type_name, value, type_name, problems)
        return problems

    def _check_result(self, type_expr: str, value: Any, path: str, problems: list[str]) -> None:
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                problems.append(f"{path}: expected array")
                return
            for i, item in enumerate(value):
                self._check_result(type_expr[len("Array of ") :], item, f"{path}[{i}]", problems)
            return
        type_spec = self.types.get(type_expr)
        if type_spec is None or type_expr in _SCALARS:
            return
        if not isinstance(value, dict):
            problems.append(f"{path}: expected {type_expr} object")
            return
        if type_spec.get("subtypes"):
            tag = value.get("type", value.get("status"))
            subs = [s for s in type_spec["subtypes"] if self.discriminator(s) == tag]
            if not subs:
                problems.append(f"{path}: no {type_expr} subtype for {tag!r}")
                return
            type_spec = self.types[subs[0]]
        fields = {f["name"]: f for f in type_spec.get("fields", [])}
        newer = NEWER_RESULT_FIELDS.get(type_spec.get("name", ""), set()) | NEWER_RESULT_FIELDS.get(type_expr, set())
        for name, item in value.items():
            if name not in fields:
                if name not in newer:
                    problems.append(f"{path}.{name}: unknown field")
            else:
                types = [t for t in fields[name]["types"] if t not in _SCALARS]
                if types:
                    self._check_result(types[0], item, f"{path}.{name}", problems)
        for name, f in fields.items():
            if f["required"] and name not in value:
                problems.append(f"{path}.{name}: missing required field")


_LOADED: dict[Path, ApiSpec | None] = {}


def _json_or_mismatch(value: str, path: str, expected: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise _TypeMismatch(path, expected) from None
