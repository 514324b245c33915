"""What a Bot API call answers besides its result: the error answer, a recorded
violation (accepted by Telegram, almost surely a bug) and an uploaded file part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """A request that Telegram would accept but that is almost surely a bug."""

    method: str
    kind: str  # "unknown_parameter" | "unknown_field" | "unimplemented_method"
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.method}: {self.kind} {self.path}: {self.message}"


class ApiError(Exception):
    """An error answer of the Bot API (``{"ok": false, ...}``)."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Shortcut for a 400 answer; ``text`` is prefixed with ``Bad Request: ``."""
    return ApiError(400, f"Bad Request: {text}", parameters)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes
