"""Files the bot or users sent: stored once, served by file_id, photos in sizes."""

from __future__ import annotations

import secrets
import struct
from typing import Any

from .records import StoredFile


class _FileStore:
    """Mixed into :class:`~bot.sandbox.core.Sandbox`."""

    def _store_file(
        self,
        data: bytes | None,
        folder: str,
        ext: str,
        mime: str | None = None,
        file_name: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        n = len(self.files) + 1
        f = StoredFile(
            file_id=f"{folder[:2].upper()}AC{secrets.token_urlsafe(30)}",
            file_unique_id=f"AQAD{secrets.token_urlsafe(9)}",
            data=data,
            file_path=f"{folder}/file_{n}.{ext}",
            mime_type=mime,
            file_name=file_name,
            url=url,
        )
        self.files[f.file_id] = f
        return f

    def _photo_sizes(self, data: bytes, existing: StoredFile | None = None) -> list[dict[str, Any]]:
        f = existing or self._store_file(data, "photos", "jpg", "image/jpeg")
        width, height = image_size(f.data or b"")
        thumb_w, thumb_h = _scaled(width, height, 90)
        return [
            {
                "file_id": f.file_id + "-s",
                "file_unique_id": f.file_unique_id + "s",
                "width": thumb_w,
                "height": thumb_h,
                "file_size": min(len(f.data or b""), 1500),
            },
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(f.data or b""),
            },
        ]

    def file(self, file_id: str) -> StoredFile | None:
        f = self.files.get(file_id)
        if f is None and file_id.endswith("-s"):
            f = self.files.get(file_id[:-2])
        return f

    def file_bytes(self, file_id: str) -> bytes | None:
        f = self.file(file_id)
        return f.data if f else None


def _scaled(width: int, height: int, box: int) -> tuple[int, int]:
    if max(width, height) <= box:
        return width, height
    ratio = box / max(width, height)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG/JPEG/GIF, or (800, 600) if unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            w, h = struct.unpack(">II", data[16:24])
            return w, h
        if data[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", data[6:10])
            return w, h
        if data[:2] == b"\xff\xd8":
            i = 2
            while i < len(data) - 9:
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        pass
    return 800, 600
