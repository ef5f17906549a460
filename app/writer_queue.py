"""SQLite writers wait for their turn in a queue of their own before they take the write lock.

SQLite's busy handler polls: a writer that finds the database locked sleeps 1 ms, then 2, 5,
10 ms… before it tries again, while a quiz submission holds the lock for a millisecond or two.
Two workers submitting back to back spent over a quarter of their time in BEGIN IMMEDIATE, much
of it asleep with the lock already free (bench/README.md, issue 15). Here each writer first takes
an exclusive lock on a file beside the database (flock; checked every 50–500 µs) and gives its
turn up as soon as its transaction has ended, so the next writer starts right after it.

The queue only orders the writers that use it; SQLite's lock still decides. A writer that does
not queue (another program, the sqlite3 shell, a transaction that began deferred and writes
later) meets SQLite's busy timeout as before, and a writer that has not had its turn within
that timeout goes on to SQLite's lock anyway: the queue can delay nobody for longer than SQLite
would have, and never deadlocks. A turn ends with its transaction (commit or rollback), at the
latest when its connection goes back to the pool (which a session's commit does right after
COMMIT), is invalidated or closed; a process that dies loses its flock with it.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

_QUEUE_FILE = "rapport_writer_queue"  # in a pool record's info: the open lock file
_TURN = "rapport_writer_turn"  # in a pool record's info: True while it holds the turn
WAIT_SECONDS = 15.0  # as long as SQLite's busy timeout (app/db.py)
_FIRST_PAUSE, _LONGEST_PAUSE = 0.00005, 0.0005


def queue_writers(engine: Engine) -> None:
    """Make the engine's BEGIN IMMEDIATE (see begin_immediate) wait in the queue of its database
    file, `<database>-writers`. Nothing for an in-memory database, which one process holds alone."""
    if engine.url.database in (None, "", ":memory:"):
        return
    path = f"{engine.url.database}-writers"

    def open_queue(_dbapi_connection: Any, record: Any) -> None:
        record.info[_QUEUE_FILE] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def close_queue(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_TURN, None)
        descriptor = record.info.pop(_QUEUE_FILE, None)
        if descriptor is not None:
            os.close(descriptor)  # gives up the turn, if it held one

    def give_up_turn(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            _end_turn(record.info)

    # Each with the signature its event has (SQLAlchemy reads it).
    def on_reset(dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        give_up_turn(dbapi_connection, record)

    def on_invalidate(dbapi_connection: Any, record: Any, _exception: Any) -> None:
        give_up_turn(dbapi_connection, record)

    event.listen(engine.pool, "connect", open_queue)
    event.listen(engine.pool, "close", close_queue)
    event.listen(engine.pool, "checkin", give_up_turn)
    event.listen(engine.pool, "reset", on_reset)
    event.listen(engine.pool, "invalidate", on_invalidate)
    event.listen(engine.pool, "soft_invalidate", on_invalidate)
    event.listen(engine, "rollback", _end_turn_of)


def begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE on a SQLite connection, after its turn in the queue when it has one."""
    info = connection.connection.info
    descriptor = info.get(_QUEUE_FILE)
    if descriptor is not None and not info.get(_TURN) and _wait_for_turn(descriptor):
        info[_TURN] = True
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _wait_for_turn(descriptor: int) -> bool:
    """Take the queue's lock; False when it stayed taken for WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = _FIRST_PAUSE
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


def _end_turn(info: dict) -> None:
    if info.pop(_TURN, False):
        descriptor = info.get(_QUEUE_FILE)
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _end_turn_of(connection: Connection) -> None:
    """On a rollback. (A commit's event comes before its COMMIT: that turn ends when the
    connection goes back to the pool, which a session's commit does at once.)"""
    try:
        info = connection.connection.info
    except Exception:  # invalidated or closed: the pool's events end the turn
        return
    _end_turn(info)
