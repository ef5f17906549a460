"""SQLite's writers take turns in a queue of their own before the write lock (app/writer_queue.py):
a writer holds its turn from BEGIN IMMEDIATE until its transaction ends, hands it on as soon as
it has committed or rolled back, and never waits longer than SQLite itself would."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
from flask import Flask
from sqlalchemy import make_url, text

from app import writer_queue
from app.extensions import db
from app.models import User


@pytest.fixture
def queue_file(app: Flask) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        pytest.skip("the queue is SQLite's, for a database file")
    return f"{url.database}-writers"


def queue_is_free(path: str) -> bool:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


@pytest.mark.usefixtures("committed_db")
def test_a_writer_holds_its_turn_until_its_transaction_ends(app, make, queue_file):
    learner = make.user()
    with app.app_context():
        assert queue_is_free(queue_file)
        # Outside a request every transaction is taken as writing: BEGIN IMMEDIATE, in turn.
        user = db.session.get(User, learner.id)
        assert not queue_is_free(queue_file)
        user.name = "Renamed in turn"
        db.session.commit()
        # Handed on at once, not when the connection goes back to the pool.
        assert queue_is_free(queue_file)
        db.session.execute(text("SELECT 1"))
        assert not queue_is_free(queue_file)
        db.session.rollback()
        assert queue_is_free(queue_file)
    with app.app_context():
        assert db.session.get(User, learner.id).name == "Renamed in turn"


@pytest.mark.usefixtures("committed_db")
def test_the_next_writer_goes_when_the_first_has_committed(app, make, queue_file):
    learner = make.user()
    order: list[str] = []
    first_in_turn = threading.Event()
    second_started = threading.Event()

    def first() -> None:
        with app.app_context():
            user = db.session.get(User, learner.id)
            first_in_turn.set()
            second_started.wait(5)
            user.name = "First"
            order.append("first commits")
            db.session.commit()

    def second() -> None:
        first_in_turn.wait(5)
        with app.app_context():
            second_started.set()
            user = db.session.get(User, learner.id)  # waits for its turn
            order.append(f"second reads {user.name}")
            user.name = "Second"
            db.session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert order == ["first commits", "second reads First"]
    with app.app_context():
        assert db.session.get(User, learner.id).name == "Second"
    assert queue_is_free(queue_file)


@pytest.mark.usefixtures("committed_db")
def test_a_writer_that_never_gets_its_turn_still_writes(app, make, queue_file, monkeypatch):
    """Something else holds the queue (a stuck process, say): after the wait, the writer goes on
    to SQLite's own lock, which is free, instead of failing."""
    monkeypatch.setattr(writer_queue, "WAIT_SECONDS", 0.2)
    learner = make.user()
    holder = os.open(queue_file, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with app.app_context():
            db.session.get(User, learner.id).name = "Written all the same"
            db.session.commit()
    finally:
        os.close(holder)
    with app.app_context():
        assert db.session.get(User, learner.id).name == "Written all the same"
