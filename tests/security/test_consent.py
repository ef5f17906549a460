"""Issue 12, consent: a trainer who adds an existing account only invites it; until the person
accepts, nothing of theirs is visible to that trainer. The add page tells the trainer nothing
about who has an account. Joining with a code is consent; the drill-down shows only what a
learner did since joining."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.models import CohortInvitation, CohortMember, User
from app.services import cohorts, invitations
from tests.conftest import PASSWORD, Api, right_answers

CONSENT = str(escape(invitations.CONSENT_TEXT))


@pytest.fixture
def setting(app: Flask, make, catalogue):
    """A trainer with a cohort, and a learner (not in it) who has answered a quiz."""
    trainer, learner = make.user("trainer", name="Tara Trainer"), make.user(name="Lou Learner")
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    learner_api = Api(app.test_client(), make.token(learner))
    assert (
        learner_api.post(
            f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)}
        ).status_code
        == 201
    )
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Autumn")
        db.session.commit()
        cohort_id = cohort.id
    trainer_client = app.test_client()
    trainer_client.post("/auth/login", data={"email": trainer.email, "password": PASSWORD})
    return {
        "trainer": trainer,
        "learner": learner,
        "cohort_id": cohort_id,
        "quiz": quiz,
        "trainer_client": trainer_client,
        "trainer_api": Api(app.test_client(), make.token(trainer)),
        "learner_api": learner_api,
    }


def add(setting, emails: str):
    return setting["trainer_client"].post(
        f"/trainer/cohorts/{setting['cohort_id']}/members/add", data={"emails": emails}
    )


def what_the_trainer_sees(setting) -> dict[str, object]:
    """Every view of the learner a trainer has: drill-down page and API, CSVs, report."""
    cid, uid, email = setting["cohort_id"], setting["learner"].id, setting["learner"].email
    web, api = setting["trainer_client"], setting["trainer_api"]
    return {
        "drill-down": web.get(f"/trainer/cohorts/{cid}/learners/{uid}").status_code,
        "api learner": api.get(f"/cohorts/{cid}/learners/{uid}").status_code,
        "progress page": "Lou Learner" in web.get(f"/trainer/cohorts/{cid}/progress").text,
        "learners.csv": email in web.get(f"/trainer/cohorts/{cid}/export/learners.csv").text,
        "answers.csv": email in api.get(f"/cohorts/{cid}/answers.csv").text,
        "report": email in api.get(f"/cohorts/{cid}/report").text,
    }


HIDDEN = {
    "drill-down": 404,
    "api learner": 404,
    "progress page": False,
    "learners.csv": False,
    "answers.csv": False,
    "report": False,
}


def test_adding_an_existing_account_only_invites_it(app, setting):
    response = add(setting, setting["learner"].email)
    assert response.status_code == 200
    assert "Invitations recorded" in response.text
    with app.app_context():
        assert db.session.get(CohortMember, (setting["cohort_id"], setting["learner"].id)) is None
    assert what_the_trainer_sees(setting) == HIDDEN
    members = setting["trainer_client"].get(f"/trainer/cohorts/{setting['cohort_id']}/members")
    assert "Invited, not members (1)" in members.text
    assert "Lou Learner" not in members.text  # the account's name is not shown, only the email


def _neutral(html: str, email: str) -> str:
    html = html.replace(email, "EMAIL")
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)
    return re.sub(r"/auth/invitation/[A-Za-z0-9_-]+", "/auth/invitation/LINK", html)


def test_the_add_page_answers_the_same_for_every_email(app, setting):
    """No account oracle: an address with an account and one without get the same page."""
    known = add(setting, setting["learner"].email)
    unknown = add(setting, "nobody-yet@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.count("/auth/invitation/") == unknown.text.count("/auth/invitation/") == 1
    # The pages differ only in the email and the link (and the list of invitations sent so far).
    first = _neutral(known.text, setting["learner"].email).split("Invited, not members")[0]
    second = _neutral(unknown.text, "nobody-yet@example.com").split("Invited, not members")[0]
    assert first == second


def test_the_learner_sees_and_accepts_the_invitation_through_the_api(app, setting):
    add(setting, setting["learner"].email)
    api = setting["learner_api"]
    listed = api.get("/me/invitations")
    assert listed.status_code == 200
    (invitation,) = listed.json["invitations"]
    assert invitation["cohort"]["name"] == "Autumn"
    assert invitation["trainers"] == ["Tara Trainer"]
    assert "quiz scores" in invitation["trainers_will_see"]
    accepted = api.post(f"/me/invitations/{invitation['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json == {
        "cohort": {"id": setting["cohort_id"], "name": "Autumn"},
        "joined": True,
    }
    assert api.get("/me/invitations").json == {"invitations": []}
    assert api.post(f"/me/invitations/{invitation['id']}/accept").status_code == 404  # answered
    seen = what_the_trainer_sees(setting)
    assert seen["drill-down"] == seen["api learner"] == 200
    assert seen["progress page"]
    assert seen["learners.csv"]
    assert seen["report"]


def test_the_learner_declines_on_the_invitations_page(app, setting):
    add(setting, setting["learner"].email)
    client = app.test_client()
    client.post("/auth/login", data={"email": setting["learner"].email, "password": PASSWORD})
    assert "1 invitation to join a cohort is waiting" in client.get("/").text
    page = client.get("/invitations")
    assert page.status_code == 200
    assert "Autumn" in page.text
    assert "Tara Trainer" in page.text
    assert CONSENT in page.text
    (invitation_id,) = re.findall(r"/invitations/(\d+)/decline", page.text)
    response = client.post(f"/invitations/{invitation_id}/decline")
    assert response.status_code == 303
    assert "No invitations are waiting" in client.get("/invitations").text
    assert what_the_trainer_sees(setting) == HIDDEN
    members = setting["trainer_client"].get(f"/trainer/cohorts/{setting['cohort_id']}/members")
    assert "declined" in members.text


def test_nobody_answers_someone_elses_invitation(app, setting, make):
    add(setting, setting["learner"].email)
    with app.app_context():
        invitation_id = db.session.scalar(select(CohortInvitation.id))
    other = Api(app.test_client(), make.token(make.user()))
    assert other.get("/me/invitations").json == {"invitations": []}
    assert other.post(f"/me/invitations/{invitation_id}/accept").status_code == 404
    assert other.post(f"/me/invitations/{invitation_id}/decline").status_code == 404
    trainer = setting["trainer_api"]  # not even the trainer who sent it
    assert trainer.post(f"/me/invitations/{invitation_id}/accept").status_code == 404
    assert what_the_trainer_sees(setting) == HIDDEN


def test_someone_new_sets_a_password_with_the_link_then_answers(app, setting):
    response = add(setting, "Nia New <nia@example.com>")
    (link,) = re.findall(r"http://localhost(/auth/invitation/[A-Za-z0-9_-]+)", response.text)
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert "Set your password" in page.text
    done = visitor.post(
        link, data={"password": "a new long password", "confirm": "a new long password"}
    )
    assert done.status_code == 303
    assert done.headers["Location"] == "/invitations"
    assert "Autumn" in visitor.get("/invitations").text
    # The link of someone who has a password only leads to the login page.
    again = add(setting, setting["learner"].email)
    (other_link,) = re.findall(r"http://localhost(/auth/invitation/[A-Za-z0-9_-]+)", again.text)
    assert app.test_client().get(other_link).headers["Location"].startswith("/auth/login")
    # Opened by someone logged in as another account, it says so and changes nothing.
    assert visitor.get(other_link).status_code == 403
    assert app.test_client().get("/auth/invitation/not-a-link").status_code == 404


def test_joining_with_a_code_says_what_the_trainer_will_see(app, setting):
    client = app.test_client()
    client.post("/auth/login", data={"email": setting["learner"].email, "password": PASSWORD})
    with app.app_context():
        code = db.session.get(cohorts.Cohort, setting["cohort_id"]).join_code
    for url in ("/trainer/join", f"/trainer/join/{code}"):
        assert CONSENT in client.get(url).text
    assert client.post("/trainer/join", data={"code": code}).status_code == 303
    assert what_the_trainer_sees(setting)["drill-down"] == 200


def test_the_drill_down_shows_only_what_was_done_since_joining(app, setting):
    """The attempt made before joining stays the learner's own; one made after is shown."""
    api = setting["learner_api"]
    with app.app_context():
        code = db.session.get(cohorts.Cohort, setting["cohort_id"]).join_code
    assert api.post("/cohorts/join", json={"code": code}).status_code == 201
    quiz = setting["quiz"]
    later = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
    assert later.status_code == 201
    cid, uid = setting["cohort_id"], setting["learner"].id
    detail = setting["trainer_api"].get(f"/cohorts/{cid}/learners/{uid}").json
    assert [a["id"] for a in detail["attempts"]] == [later.json["id"]]
    answers = setting["trainer_api"].get(f"/cohorts/{cid}/answers.csv").text
    attempt_ids = {line.split(",")[3] for line in answers.splitlines()[1:]}
    assert attempt_ids == {str(later.json["id"])}
    assert (
        setting["trainer_client"].get(f"/trainer/cohorts/{cid}/learners/{uid}").status_code == 200
    )


def test_the_operators_cli_still_adds_directly(app, runner, setting):
    result = runner.invoke(
        args=["cohorts", "add", str(setting["cohort_id"]), setting["learner"].email]
    )
    assert result.exit_code == 0, result.output
    assert f"added {setting['learner'].email}" in result.output
    assert what_the_trainer_sees(setting)["drill-down"] == 200


def _pending_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CohortInvitation.id))


def test_the_trainer_withdraws_an_invitation_on_the_members_page(app, setting):
    add(setting, setting["learner"].email)
    cid, web = setting["cohort_id"], setting["trainer_client"]
    members = web.get(f"/trainer/cohorts/{cid}/members").text
    (invitation_id,) = re.findall(rf"/trainer/cohorts/{cid}/invitations/(\d+)/withdraw", members)
    response = web.post(f"/trainer/cohorts/{cid}/invitations/{invitation_id}/withdraw")
    assert response.status_code == 303
    page = web.get(response.headers["Location"]).text
    assert "Invitation withdrawn" in page
    assert "Invited, not members" not in page
    api = setting["learner_api"]
    assert api.get("/me/invitations").json == {"invitations": []}
    refused = api.post(f"/me/invitations/{invitation_id}/accept")
    assert refused.status_code == 404
    assert refused.json["error"]["code"] == "not_found"
    assert what_the_trainer_sees(setting) == HIDDEN
    # Withdrawn once: a second withdrawal finds nothing.
    assert (
        web.post(f"/trainer/cohorts/{cid}/invitations/{invitation_id}/withdraw").status_code == 404
    )


def test_the_personal_link_stops_working_when_withdrawn(app, setting):
    response = add(setting, "Nia New <nia@example.com>")
    (link,) = re.findall(r"http://localhost(/auth/invitation/[A-Za-z0-9_-]+)", response.text)
    assert app.test_client().get(link).status_code == 200
    trainer = setting["trainer_api"]
    (sent,) = trainer.get(f"/cohorts/{setting['cohort_id']}/invitations").json["invitations"]
    assert sent["email"] == "nia@example.com"
    assert sent["state"] == "pending"
    gone = trainer.delete(f"/cohorts/{setting['cohort_id']}/invitations/{sent['id']}")
    assert gone.status_code == 204
    assert app.test_client().get(link).status_code == 404
    assert trainer.get(f"/cohorts/{setting['cohort_id']}/invitations").json == {"invitations": []}


def test_only_the_cohorts_trainers_withdraw_and_only_unanswered_invitations(app, setting, make):
    add(setting, setting["learner"].email)
    cid, invitation_id = setting["cohort_id"], _pending_id(app)
    url = f"/cohorts/{cid}/invitations/{invitation_id}"
    other_trainer = Api(app.test_client(), make.token(make.user("trainer")))
    for caller in (other_trainer, setting["learner_api"]):
        refused = caller.delete(url)
        assert refused.status_code == 404
        assert set(refused.json["error"]) == {"code", "message"}
        assert caller.get(f"/cohorts/{cid}/invitations").status_code == 404
    assert app.test_client().delete("/api/v1" + url).status_code == 401
    # Another cohort's invitation id in this cohort's address: not found.
    with app.app_context():
        elsewhere = cohorts.create_cohort(db.session.get(User, setting["trainer"].id), "Winter")
        invitations.invite(elsewhere, db.session.get(User, setting["learner"].id), None)
        db.session.commit()
        winter = db.session.scalar(
            select(CohortInvitation.id).where(CohortInvitation.cohort_id == elsewhere.id)
        )
    assert setting["trainer_api"].delete(f"/cohorts/{cid}/invitations/{winter}").status_code == 404
    # Once accepted it is a membership, not an invitation: there is nothing to withdraw.
    assert setting["learner_api"].post(f"/me/invitations/{invitation_id}/accept").status_code == 200
    assert setting["trainer_api"].delete(url).status_code == 404
    assert what_the_trainer_sees(setting)["drill-down"] == 200
