"""Engine and session factory, and the names the runtime uses for them (the rest
of the code imports no SQLAlchemy).

Pool sizes (a session holds a connection only while it is open; the inbox handles
at most 8 chats at once on SQLite and 16 on PostgreSQL (``bot.app.settings_parallel``),
each with one session; the sender, the planners and the inbox's own loop use about
3 more; the engine holds no session while waiting for the network or a send slot):

* SQLite: 8 + 4 overflow = 12 ≥ 8 + 3. One writer at a time whatever the pool (WAL
  lets readers go on); an update writes its marker last, so one that only reads
  holds no write lock while its replies wait; ``busy_timeout`` 30 s.
* PostgreSQL: 16 + 8 overflow = 24 ≥ 16 + 3 per process, ``pool_timeout`` 10 s,
  well below PostgreSQL's default ``max_connections`` (100) for three processes.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError as DatabaseError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

Engine = AsyncEngine
Session = AsyncSession
Sessionmaker = async_sessionmaker[AsyncSession]

__all__ = [
    "DatabaseError", "Engine", "Session", "Sessionmaker", "check_connection", "create_engine", "create_lock_engine",
    "create_sessionmaker", "database_file",
]


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; for SQLite, make sure the folder exists and enable
    foreign keys and WAL so a second connection (the outbox sender) does not block."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        pool = {"pool_size": 8, "max_overflow": 4, "pool_timeout": 30} if url.database not in (None, "", ":memory:") else {}
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    engine = create_async_engine(url, echo=echo, pool_size=16, max_overflow=8, pool_timeout=10)
    _ping_after_idle(engine)
    return engine


PING_AFTER = 1.0  # seconds a pooled PostgreSQL connection may sit idle and be used unchecked


def _ping_after_idle(engine: AsyncEngine) -> None:
    """A pooled connection idle for over ``PING_AFTER`` seconds is pinged when taken
    (a dead one is replaced, as ``pool_pre_ping`` does); one that was in use a moment
    ago is not. ``pool_pre_ping`` pinged every checkout: three round trips (BEGIN, ``;``,
    ROLLBACK) for each of the ~13 sessions a question costs, the largest share of the
    engine's time under load (docs/BENCHMARKS.md, issue 18, webhook)."""
    import time

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_since(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= PING_AFTER:
            return  # just connected, or in use a moment ago
        try:
            engine.sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection was dead") from exc  # the pool retries


def create_lock_engine(engine: AsyncEngine) -> AsyncEngine:
    """Connections outside the pool, for holders of session-level advisory locks: with
    several bots each token's sending leader holds one for as long as it leads, which
    must not take the pool's connections from the sessions (``bot/multibot.py``)."""
    from sqlalchemy.pool import NullPool

    return create_async_engine(engine.url, pool_pre_ping=True, poolclass=NullPool)


def database_file(engine: AsyncEngine) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL or an in-memory one): the
    outbox sender keeps its sent journal beside it (``bot/delivery/journal.py``)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_connection(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
