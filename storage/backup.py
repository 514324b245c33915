"""Whole-database backup and restore, with each engine's own tool.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot page by page while the bot keeps running (WAL readers are not blocked).
* PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``,
  the tools every PostgreSQL operator already trusts; they must be on PATH.

A restore goes only into an empty database (no tables, or tables without rows), so a
typo in the target never overwrites a live installation. A backup file says which
engine wrote it (SQLite's header or pg_dump's ``PGDMP`` magic); restoring into the
other engine is refused with one line.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from storage.db import create_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq_dsn(url: URL) -> str:
    """The libpq form of a SQLAlchemy URL (``postgresql+asyncpg://`` → ``postgresql://``)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: ASYNC221
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{Path(command[0]).name}: {last}")


def file_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: which engine wrote the backup at ``path``."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a villagebot backup (neither SQLite nor pg_dump's custom format)")


async def backup(database_url: str, target: Path) -> int:
    """Write a consistent copy of the database to ``target`` (replaced if it exists);
    returns its size in bytes."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"the database {source} does not exist")
        await asyncio.to_thread(_sqlite_copy, source, partial)
    else:
        await asyncio.to_thread(
            _run, [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                   f"--file={partial}", _libpq_dsn(url)],
        )
    return await asyncio.to_thread(_finish, partial, target)


def _finish(partial: Path, target: Path) -> int:
    partial.replace(target)
    return target.stat().st_size


def _sqlite_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=1024)
        finally:
            dst.close()
    finally:
        src.close()


async def is_empty(database_url: str) -> bool:
    """True when the database has no tables, or only tables without rows."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            for name in names:
                if name == "alembic_version":
                    continue
                quoted = connection.dialect.identifier_preparer.quote(name)
                if (await connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1"))).first():
                    return False
            return True
    finally:
        await engine.dispose()


async def restore(database_url: str, source: Path) -> None:
    """Load ``source`` into the (empty) database at ``database_url``."""
    url = make_url(database_url)
    kind = file_kind(source)
    engine_kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    if kind != engine_kind:
        raise BackupError(f"{source} is a {kind} backup; DATABASE_URL is {engine_kind}")
    if engine_kind == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and not await is_empty(database_url):
            raise BackupError(f"{target} already holds data; restore only into an empty database")
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_sqlite_copy, source, target)
        return
    if not await is_empty(database_url):
        raise BackupError("the target database already holds data; restore only into an empty database")
    await _drop_empty_tables(database_url)
    await asyncio.to_thread(
        _run, [_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", f"--dbname={_libpq_dsn(url)}", str(source)],
    )


async def _drop_empty_tables(database_url: str) -> None:
    """An empty but migrated target (``villagebot db upgrade`` run first) would clash
    with the dump's CREATE TABLEs: clear its empty schema first."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
