"""Which transactions may write, so that SQLite readers never wait for its write lock.

SQLite has one write lock for the whole database. A transaction that begins with a plain (deferred)
`BEGIN` and only reads never takes it, so readers run side by side. One that reads first and writes
later must upgrade its lock, and when another writer committed in between SQLite refuses at once
with "database is locked" instead of waiting on the busy timeout. So a transaction that will
write begins with `BEGIN IMMEDIATE`, which waits its turn for the lock before reading anything.
The engine's `begin` event (app/__init__.py) chooses between the two: IMMEDIATE when the
connection carries the WRITES option set here, or outside a GET/HEAD request (CLI commands, form
posts and API writes keep the lock-first behaviour they always had).
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.extensions import db

# Execution option on a connection: its next transaction will write (read by the begin event).
WRITES = "rapport_writes"
# Keys in a SQLite connection's `info`, set by the begin event for the current transaction.
BEGAN_IMMEDIATE = "rapport_began_immediate"
CHANGES_AT_BEGIN = "rapport_changes_at_begin"


def begin_writing() -> None:
    """Make sure the session's transaction holds SQLite's write lock before a service writes.

    Call it before the first statement of the work that writes (its reads included, so they see
    the state the write is based on). A transaction that has only read so far is ended (nothing
    to commit) and a new one begins IMMEDIATE; objects already loaded stay usable. Does nothing on
    PostgreSQL, which locks rows rather than the database, and when the session is bound to one
    shared connection (the tests' rolled-back transaction).
    """
    session = db.session()  # the request's Session itself (scoped_session lacks in_transaction)
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or not isinstance(bind, Engine):
        return
    if session.in_transaction():
        connection = session.connection()
        if connection.info.get(BEGAN_IMMEDIATE):
            return
        raw = connection.connection.dbapi_connection
        if (
            session.new
            or session.dirty
            or session.deleted
            or (raw is not None and raw.total_changes != connection.info.get(CHANGES_AT_BEGIN))
        ):
            return  # it has already written: ending it here would commit that half-done work
        session.commit()
    session.connection(execution_options={WRITES: True})
