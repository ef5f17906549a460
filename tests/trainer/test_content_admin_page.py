"""The admin page on changed content: the same preview as `content impact`, decisions taken and
reverted there, and the decisions shown in the reports' footnotes."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from app.models import Answer, Attempt, ContentDecision
from tests.trainer.conftest import World, log_in, new_user


def answered_an_older_q2() -> None:
    """Make every stored q2 answer one to an older version of q2 whose key was b (as if the
    author then corrected the key to a): each flips when re-graded with today's key."""
    q2 = select(Answer.id).where(Answer.question_id == "q2")
    db.session.execute(
        update(Answer)
        .where(Answer.id.in_(q2))
        .values(question_version="0ld0ld0ld0ld0ld0", correct=~Answer.correct)
    )
    db.session.commit()


def test_only_admins_see_the_page(sclient, world: World):
    log_in(sclient, world.trainer)
    assert sclient.get("/admin/content").status_code == 404


def test_the_page_previews_decides_and_reverts(sclient, world: World):
    answered_an_older_q2()
    admin = new_user("Ada Admin", "admin")
    db.session.commit()
    log_in(sclient, admin)
    page = sclient.get("/admin/content")
    assert page.status_code == 200
    assert (
        "check/q2: 7 answers by 5 learners to an older version; 7 would now score differently"
        in page.text
    )
    assert "older version(s) whose text is not on record" in page.text
    # Forced: re-graded with today's key, L3's pass (b was right) would become a fail.
    before = [a.score for a in db.session.scalars(select(Attempt).order_by(Attempt.id))]
    response = sclient.post(
        "/admin/content/decide",
        data={"question": "check/q2", "decision": "rescore", "force": "y"},
    )
    assert response.status_code == 303
    page = sclient.get("/admin/content")
    assert "Decided: rescore" in page.text
    assert "7 would now score differently" not in page.text
    decision = db.session.scalar(select(ContentDecision))
    assert decision.decided_by_id == admin.id
    assert decision.decided_via == "admin page"
    overview = sclient.get(f"/trainer/cohorts/{world.cohort.id}")
    assert "check/q2" in overview.text
    assert "re-graded with today&#39;s key" in overview.text
    items = sclient.get(f"/trainer/cohorts/{world.cohort.id}/items")
    assert "decided by Ada Admin" in items.text
    assert sclient.post("/admin/content/revert", data={"question": "check/q2"}).status_code == 303
    after = [a.score for a in db.session.scalars(select(Attempt).order_by(Attempt.id))]
    assert after == before
    assert "re-graded" not in sclient.get(f"/trainer/cohorts/{world.cohort.id}").text


def test_bad_input_is_a_400_and_changes_nothing(sclient, world: World):
    admin = new_user("Ada Admin", "admin")
    db.session.commit()
    log_in(sclient, admin)
    for data in ({}, {"question": "check/q2", "decision": "explode"}, {"question": "../x"}):
        assert sclient.post("/admin/content/decide", data=data).status_code == 400
    response = sclient.post(
        "/admin/content/decide", data={"question": "check/q1", "decision": "void"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(ContentDecision.id)) is None
