"""How database transactions begin, and which of them may write.

SQLite has one write lock for the whole database. A transaction that reads first and writes
later must upgrade its lock, and when another writer committed in between SQLite refuses at
once with "database is locked" instead of waiting on the busy timeout. So a transaction that
will write begins with `BEGIN IMMEDIATE`, which waits its turn for the lock before reading
anything.

Which transactions will write is declared, never guessed from the HTTP method:
- a view that writes says so with `@writes("POST")` (naming the methods on which it writes):
  every transaction of such a request begins IMMEDIATE;
- a view whose writes come only after work that needs no lock (a quiz submission checks and
  grades the answers first) says `@writes("POST", late=True)`: its service calls
  `begin_writing()` right before the writes, so the lock is held for the writes alone and not
  while other writers wait;
- a service that decides in the middle of a read that it must write (the first visit of a
  lesson) calls `begin_writing()` before the statements its write depends on;
- work outside a request (CLI commands, migrations, scripts) is taken as writing.

Every other transaction (pages and API reads) runs its reads outside a transaction, each
statement on its own, on both databases, and opens one at its first statement that is not a
plain read (a write, a `SELECT ... FOR UPDATE`, a savepoint, `SET LOCAL`, results streamed
through a server-side cursor): from there on everything commits or rolls back together. A
`BEGIN` before the first read and a `COMMIT` after the last cost two of a PostgreSQL lesson
page's four round trips, and on SQLite a tenth of the page's database work (issue 15). Nothing
is lost by it: under PostgreSQL's READ COMMITTED every statement takes its own snapshot inside a
transaction or not, and a plain read takes no lock a transaction would have kept; SQLite's reads
then behave the same way (each sees the database as its statement starts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Engine, event, exc
from sqlalchemy.engine import Connection
from sqlalchemy.pool import Pool
from sqlalchemy.sql import Executable

from app.extensions import db
from app.writer_queue import begin_immediate, queue_writers

View = TypeVar("View", bound=Callable[..., Any])

# Execution option on a connection: its next transaction will write (True) or only read (False),
# whatever the request declared (read by the begin event).
WRITES = "rapport_writes"
# The attributes @writes sets on a view: the HTTP methods on which it writes, and whether its
# service takes the lock itself (late=True).
_VIEW_WRITES = "rapport_writes_on"
_VIEW_WRITES_LATE = "rapport_writes_late"
# Keys in a SQLite connection's `info`, set by the begin event for the current transaction.
_BEGAN_IMMEDIATE = "rapport_began_immediate"
_CHANGES_AT_BEGIN = "rapport_changes_at_begin"


# Keys in a pooled connection record's `info`.
_LAST_USED = "rapport_last_used"
_PING_AFTER = "rapport_ping_after"


class EncodedJSON(str):
    """A value for a JSON column that is already JSON text: stored as it is, not encoded again.

    A submission's xAPI statements share most of their parts (the learner, the quiz, each
    question's definition), which are encoded once and joined rather than encoded once per
    statement by the driver."""

    __slots__ = ()


def _json_serializer(value: Any) -> str:
    """What the engines store in a JSON column: EncodedJSON as it is, anything else encoded."""
    return value if type(value) is EncodedJSON else json.dumps(value)


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the app; SQLite waits up to 15 s for a lock before it errs;
    transactions read apart until they write (see the module's docstring)."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 15})
    options.setdefault("json_serializer", _json_serializer)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    ping_after = float(app.config.get("POOL_PING_AFTER_IDLE_SECONDS", 10.0))
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine.pool, "connect", _remember_ping_after(ping_after))
            if engine.dialect.name == "sqlite":
                queue_writers(engine)
            if engine.dialect.driver == "psycopg":
                event.listen(engine, "begin", _postgresql_begin)
            if engine.dialect.name in ("sqlite", "postgresql"):
                event.listen(engine, "before_cursor_execute", _transaction_before_write)


def _remember_ping_after(seconds: float) -> Callable[[Any, Any], None]:
    def remember(_dbapi_connection: Any, record: Any) -> None:
        record.info[_PING_AFTER] = seconds

    return remember


@event.listens_for(Pool, "checkin")
def _note_last_use(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_LAST_USED] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a connection that sat unused for a while before handing it out (a database restart
    or a firewall may have closed it meanwhile); a dead one is replaced. A busy pool's
    connections are not pinged: pool_pre_ping's round trip on every checkout cost PostgreSQL
    requests a third of their speed. A connection that dies while in use still fails that
    request (a 503) and makes the pool replace every connection (SQLAlchemy invalidates the
    pool on a disconnect)."""
    last_used = record.info.get(_LAST_USED)
    ping_after = record.info.get(_PING_AFTER, 10.0)
    if last_used is None or time.monotonic() - last_used < ping_after:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # any failure: the connection cannot be trusted
        raise exc.DisconnectionError(str(error)) from error


def writes(*methods: str, late: bool = False) -> Callable[[View], View]:
    """Declare that a view writes to the database on these HTTP methods.

    Every transaction of such a request begins IMMEDIATE on SQLite, its first read included, so
    the write never has to upgrade a read lock. With `late=True` they begin deferred instead and
    the service the view calls takes the lock with `begin_writing()` before its first write
    (and the reads that write depends on). Put it under the route decorator.
    """
    if not methods:
        raise TypeError("name the methods on which the view writes, e.g. @writes('POST')")

    def declare(view: View) -> View:
        setattr(view, _VIEW_WRITES, frozenset(m.upper() for m in methods))
        setattr(view, _VIEW_WRITES_LATE, late)
        return view

    return declare


def declared_writes(view: Callable[..., Any] | None) -> frozenset[str]:
    """The HTTP methods on which a view said (with @writes) that it writes; empty for a reader."""
    return getattr(view, _VIEW_WRITES, frozenset())


def _request_writes() -> bool:
    """Whether the current transaction is declared writing: by the request's view (unless it
    takes the lock late, with begin_writing), or True outside a request."""
    if not has_request_context():
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return request.method in declared_writes(view) and not getattr(view, _VIEW_WRITES_LATE, False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, a busy timeout instead of 'database is locked', real FKs."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Set in a connection's `info` while its transaction reads outside a transaction.
_READING_APART = "rapport_reading_apart"
# A statement that starts with one of these and holds none of _LOCKING_CLAUSES only reads.
_PLAIN_READS = ("SELECT", "select")
_LOCKING_CLAUSES = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE", "advisory")


def _declared_writing(connection: Connection) -> bool:
    declared = connection.get_execution_options().get(WRITES)
    return bool(declared) if declared is not None else _request_writes()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    """Begin SQLite transactions ourselves: IMMEDIATE for one declared writing; none yet for
    the others, which read apart until their first write (see the module's docstring)."""
    if connection.dialect.name != "sqlite":
        return
    immediate = _declared_writing(connection)
    connection.info[_BEGAN_IMMEDIATE] = immediate
    connection.info[_READING_APART] = not immediate  # set first: the BEGIN below is not a write
    if immediate:
        begin_immediate(connection)


def _postgresql_begin(connection: Connection) -> None:
    """A transaction not declared writing starts in autocommit: its plain reads send no BEGIN,
    and its commit no COMMIT (see the module's docstring)."""
    from psycopg.pq import TransactionStatus  # here: importing psycopg costs SQLite's start-up

    connection.info[_READING_APART] = False
    raw = connection.connection.dbapi_connection
    if (
        "isolation_level" in connection.get_execution_options()  # chosen by the caller
        or raw is None
        or raw.info.transaction_status != TransactionStatus.IDLE
    ):
        return
    reading = not _declared_writing(connection)
    if raw.autocommit != reading:
        raw.autocommit = reading
    connection.info[_READING_APART] = reading


def _transaction_before_write(
    connection: Connection,
    cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Open the transaction before the first statement that needs one, so that it and
    everything after it commit or roll back together."""
    if not connection.info.get(_READING_APART):
        return
    if (
        statement.lstrip().startswith(_PLAIN_READS)
        and not any(clause in statement for clause in _LOCKING_CLAUSES)
        and not getattr(cursor, "name", None)  # a server-side cursor (streamed results) needs one
    ):
        return
    connection.info[_READING_APART] = False  # first: the BEGIN below passes through here too
    raw = cursor.connection
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
        connection.info[_CHANGES_AT_BEGIN] = raw.total_changes
    else:
        raw.autocommit = False  # psycopg sends BEGIN ahead of the statement


def begin_writing() -> None:
    """Make sure the session's transaction holds SQLite's write lock before a service writes.

    Call it before the first statement of the work that writes (its reads included, so they see
    the state the write is based on). A transaction that has only read apart so far begins
    IMMEDIATE there. One that opened a deferred transaction without writing (a savepoint, say)
    cannot be turned into an IMMEDIATE one, so it is rolled back and a new one begins
    IMMEDIATE, on the same connection; rolled back, not committed: there is nothing to commit,
    and the request commits once, at its end. Either way the objects loaded so far are expired;
    they stay in the session and reload on their next use, under the lock. Does nothing on
    PostgreSQL, which locks rows rather than the database, and when the session is bound to one
    shared connection (the tests' rolled-back transaction).
    """
    session = db.session()  # the request's Session itself (scoped_session lacks in_transaction)
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or not isinstance(bind, Engine):
        return
    if session.in_transaction():
        connection = session.connection()
        info = connection.info
        if info.get(_BEGAN_IMMEDIATE):
            return
        if info.get(_READING_APART):
            info[_READING_APART] = False  # first: this BEGIN is the transaction's own
            begin_immediate(connection)
            info[_BEGAN_IMMEDIATE] = True
            session.expire_all()
            return
        raw = connection.connection.dbapi_connection
        if (
            session.new
            or session.dirty
            or session.deleted
            or (raw is not None and raw.total_changes != info.get(_CHANGES_AT_BEGIN))
        ):
            return  # it has already written (and holds the lock): ending it would lose that
        if session.get_nested_transaction() is None:
            # Swapped under the session's transaction, which carries on: session.rollback()
            # would hand the connection back to the pool (which rolls it back again) and take
            # it out anew, which cost more than the two statements.
            connection.exec_driver_sql("ROLLBACK")
            begin_immediate(connection)
            info[_BEGAN_IMMEDIATE] = True
            session.expire_all()
            return
        session.rollback()
    session.connection(execution_options={WRITES: True})


def write_apart(statement: Executable) -> None:
    """Run one writing statement in its own short transaction, committed at once, outside the
    session's unit of work. Call it before the request's own work: a transaction that has only
    read is ended first, so that the request never holds two connections at once.

    Except when the session already holds SQLite's write lock (a request declared writing): a
    second connection would wait for that very lock, so the statement joins the session's
    transaction and is committed with the rest of the request.
    """
    session = db.session()
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        # One shared connection (the tests' rolled-back transaction), where the session's
        # savepoint is the only transaction there is: committing it keeps the statement.
        session.execute(statement)
        session.commit()
        return
    if session.in_transaction() and session.connection().info.get(_BEGAN_IMMEDIATE):
        session.execute(statement)
        return
    if session.in_transaction():
        # Hand the session's connection back first: a request that holds one connection while
        # it waits for a second one starves the pool when many arrive at once (50 learners
        # submitting together hit QueuePool timeouts). Called before the request's own work, the
        # session has only read, so ending its transaction loses nothing; loaded objects reload.
        session.rollback()
    with bind.connect() as connection, connection.execution_options(**{WRITES: True}).begin():
        connection.execute(statement)
