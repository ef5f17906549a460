"""API tokens: stored only as hashes, listed without their secret, revocable by their owner."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import Engine, event, select

from app.extensions import db
from app.models import ApiToken, utcnow
from tests.conftest import Api


def test_tokens_are_stored_hashed(app, make):
    user = make.user()
    token = make.token(user)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    for row in stored:
        assert token not in str(vars(row))


def test_the_owner_lists_tokens_without_their_secret(api, client, make, learner):
    response = api.get("/me/tokens")
    assert response.status_code == 200
    (listed,) = response.json["tokens"]
    assert set(listed) == {"id", "label", "created_at", "last_used_at", "expires_at"}
    assert listed["last_used_at"] is not None  # this very call used it
    assert api.headers["Authorization"].split()[1] not in response.text


def test_a_revoked_token_stops_working_at_once(api, client, make, learner):
    second = Api(client, make.token(learner))
    (first_id, second_id) = sorted(t["id"] for t in api.get("/me/tokens").json["tokens"])
    assert second.delete(f"/me/tokens/{first_id}").status_code == 204
    assert api.get("/modules").status_code == 401
    assert second.get("/modules").status_code == 200
    assert [t["id"] for t in second.get("/me/tokens").json["tokens"]] == [second_id]
    assert second.delete(f"/me/tokens/{first_id}").status_code == 404  # already revoked


def test_nobody_revokes_someone_elses_token(api, client, make):
    stranger = Api(client, make.token(make.user()))
    (token_id,) = [t["id"] for t in api.get("/me/tokens").json["tokens"]]
    response = stranger.delete(f"/me/tokens/{token_id}")
    assert response.status_code == 404
    assert api.get("/modules").status_code == 200


def test_tokens_are_listed_and_revoked_on_the_account_page(client, auth, make, learner):
    auth.login(learner.email)
    response = client.post("/auth/account/tokens", data={"token-label": "my script"})
    assert response.status_code == 201
    token = re.search(r"rpt_[A-Za-z0-9_-]+", response.text).group(0)
    assert Api(client.application.test_client(), token).get("/modules").status_code == 200
    page = client.get("/auth/account")
    assert "my script" in page.text
    assert token not in page.text  # shown once, at creation only
    with client.application.app_context():
        token_id = db.session.scalar(
            select(ApiToken.id).where(ApiToken.user_id == learner.id, ApiToken.label == "my script")
        )
    response = client.post(f"/auth/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert Api(client.application.test_client(), token).get("/modules").status_code == 401


def test_the_account_page_cannot_revoke_someone_elses_token(client, auth, make, learner):
    other = make.user()
    make.token(other)
    with client.application.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    auth.login(learner.email)
    assert client.post(f"/auth/account/tokens/{token_id}/revoke").status_code == 404


def test_a_token_use_is_written_at_most_once_an_hour(app, api, learner):
    sent: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        sent.append(statement.lstrip().upper())

    first = api.get("/me/tokens").json["tokens"][0]["last_used_at"]
    event.listen(Engine, "before_cursor_execute", record)
    try:
        again = api.get("/me/tokens").json["tokens"][0]["last_used_at"]
        assert again == first
        assert not [s for s in sent if s.startswith("UPDATE")]  # using it again wrote nothing
        with app.app_context():
            row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == learner.id)).one()
            row.last_used_at = utcnow() - timedelta(minutes=61)
            stale = row.last_used_at.isoformat() + "Z"
            db.session.commit()
        sent.clear()
        later = api.get("/me/tokens").json["tokens"][0]["last_used_at"]
        assert later > stale
        assert [s for s in sent if s.startswith("UPDATE API_TOKEN")]
    finally:
        event.remove(Engine, "before_cursor_execute", record)
