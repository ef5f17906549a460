"""Who may do what: every route of the app × every kind of caller, with the expected status.

The table is keyed by endpoint, so a new route without a rule here fails
`test_every_route_has_a_rule`. Roles: a visitor, the learner who owns the data (in the cohort),
another learner, a trainer of another cohort, the cohort's trainer, and an admin.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Cohort, User
from app.services import accounts, attempts, certificates, cohorts, invitations
from tests.conftest import Factory, right_answers

ROLES = ("anonymous", "learner", "other_learner", "other_trainer", "trainer", "admin")
PAGE = {"anonymous": 302, "learner": 200, "other_learner": 200, "other_trainer": 200, "trainer": 200, "admin": 200}  # fmt: skip
PUBLIC = dict.fromkeys(ROLES, 200)
OWNED_PAGE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "learner": 200}
TRAINER_PAGE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "trainer": 200, "admin": 200}
TRAINER_AREA = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "other_trainer": 200, "trainer": 200, "admin": 200}  # fmt: skip
ADMIN_PAGE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "admin": 200}
API = {**dict.fromkeys(ROLES, 200), "anonymous": 401}
OWNED_API = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "learner": 200}
TRAINER_API = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "trainer": 200, "admin": 200}
ADMIN_API = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "admin": 200}
# For a write, "ok" means the caller got past access control (any status but 401/403/404/5xx).
WRITE = {**dict.fromkeys(ROLES, "ok"), "anonymous": 302}
API_WRITE = {**dict.fromkeys(ROLES, "ok"), "anonymous": 401}
TRAINER_WRITE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "trainer": "ok", "admin": "ok"}
ADMIN_WRITE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "admin": "ok"}
OWNED_WRITE = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "learner": "ok"}
OWNED_API_WRITE = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "learner": "ok"}

RULES: dict[tuple[str, str], dict[str, int | str]] = {
    ("content_admin.preview", "GET"): ADMIN_PAGE,
    ("content_admin.decide_question", "POST"): ADMIN_WRITE,
    ("content_admin.revert", "POST"): ADMIN_WRITE,
    ("learn.home", "GET"): PUBLIC,
    ("learn.module", "GET"): PAGE,
    ("learn.lesson", "GET"): PAGE,
    ("learn.trust_calculator", "GET"): PAGE,
    ("learn.quiz", "GET"): PAGE,
    ("learn.quiz", "POST"): WRITE,
    ("learn.attempt", "GET"): OWNED_PAGE,
    ("learn.my_progress", "GET"): PAGE,
    ("auth.login", "GET"): {**PAGE, "anonymous": 200, **dict.fromkeys(ROLES[1:], 302)},
    ("auth.login", "POST"): {**dict.fromkeys(ROLES, "ok")},
    ("auth.register", "GET"): {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)},
    ("auth.register", "POST"): {**dict.fromkeys(ROLES, "ok")},
    ("auth.logout", "POST"): dict.fromkeys(ROLES, 302),
    ("auth.account", "GET"): PAGE,
    ("auth.account", "POST"): WRITE,
    ("auth.export_data", "GET"): PAGE,
    ("auth.delete_account", "POST"): WRITE,
    ("auth.logout_everywhere", "POST"): WRITE,
    ("auth.create_token", "POST"): WRITE,
    ("auth.revoke_token", "POST"): {**dict.fromkeys(ROLES, 404), "anonymous": 302, "learner": "ok"},
    ("auth.accept_invite", "GET"): dict.fromkeys(ROLES, 404),  # an unknown invitation
    ("auth.accept_invite", "POST"): dict.fromkeys(ROLES, 404),
    ("auth.reset_password", "GET"): dict.fromkeys(ROLES, 404),  # an unknown reset link
    ("auth.reset_password", "POST"): dict.fromkeys(ROLES, 404),
    ("auth.cohort_invitation", "GET"): dict.fromkeys(ROLES, 404),  # an unknown invitation link
    ("auth.cohort_invitation", "POST"): dict.fromkeys(ROLES, 404),
    # Issue 12: the learner's own invitation (from another cohort), answered by them only.
    ("learn.invitations", "GET"): PAGE,
    ("learn.answer_invitation", "POST"): OWNED_WRITE,
    ("api.my_invitations", "GET"): API,
    ("api.accept_invitation", "POST"): OWNED_API_WRITE,
    ("api.decline_invitation", "POST"): OWNED_API_WRITE,
    ("trainer.reset_link", "POST"): TRAINER_WRITE,
    # The cohort's trainers withdraw an invitation of the cohort that waits for an answer.
    ("trainer.withdraw_invitation", "POST"): TRAINER_WRITE,
    ("api.cohort_invitations", "GET"): TRAINER_API,
    ("api.withdraw_invitation", "DELETE"): {**TRAINER_WRITE, "anonymous": 401},
    ("admin.reset_link", "POST"): ADMIN_WRITE,
    ("site.healthz", "GET"): PUBLIC,
    ("api.openapi", "GET"): PUBLIC,
    ("api.modules", "GET"): API,
    ("api.lesson", "GET"): API,
    ("api.quiz", "GET"): API,
    ("api.submit", "POST"): API_WRITE,
    ("api.attempt", "GET"): OWNED_API,
    ("api.my_progress", "GET"): API,
    ("api.my_tokens", "GET"): API,
    ("api.revoke_token", "DELETE"): {
        **dict.fromkeys(ROLES, 404),
        "anonymous": 401,
        "learner": "ok",
    },
    ("api.my_data", "GET"): API,
    ("api.delete_me", "DELETE"): API_WRITE,
    ("api.cohort_list", "GET"): API,
    ("api.join", "POST"): API_WRITE,
    ("api.cohort_report", "GET"): TRAINER_API,
    ("api.cohort_learner", "GET"): TRAINER_API,
    ("api.learners_csv", "GET"): TRAINER_API,
    ("api.answers_csv", "GET"): TRAINER_API,
    ("api.codebook_csv", "GET"): TRAINER_API,
    ("api.content_decisions", "GET"): ADMIN_API,
    ("trainer.index", "GET"): {**TRAINER_AREA, "other_trainer": 302, "trainer": 302, "admin": 302},
    ("trainer.cohorts", "GET"): TRAINER_AREA,
    ("trainer.cohorts", "POST"): {
        **TRAINER_AREA,
        "other_trainer": "ok",
        "trainer": "ok",
        "admin": "ok",
    },
    ("trainer.overview", "GET"): TRAINER_PAGE,
    ("trainer.progress", "GET"): TRAINER_PAGE,
    ("trainer.items", "GET"): TRAINER_PAGE,
    ("trainer.self_assessment", "GET"): TRAINER_PAGE,
    ("trainer.attention", "GET"): TRAINER_PAGE,
    ("trainer.members", "GET"): TRAINER_PAGE,
    ("trainer.learner", "GET"): TRAINER_PAGE,
    ("trainer.export", "GET"): TRAINER_PAGE,
    ("trainer.new_code", "POST"): TRAINER_WRITE,
    ("trainer.settings", "POST"): TRAINER_WRITE,
    ("trainer.add_learners", "POST"): TRAINER_WRITE,
    ("trainer.upload_learners", "POST"): TRAINER_WRITE,
    ("trainer.remove_learner", "POST"): TRAINER_WRITE,
    ("trainer.add_trainer", "POST"): TRAINER_WRITE,
    ("trainer.remove_trainer", "POST"): TRAINER_WRITE,
    ("learn.join", "GET"): PAGE,
    ("learn.join", "POST"): WRITE,
    ("learn.join_with_code", "GET"): PAGE,
    ("admin.users", "GET"): ADMIN_PAGE,
    ("admin.change_role", "POST"): ADMIN_WRITE,
    ("admin.set_active", "POST"): ADMIN_WRITE,
    # Certificates (the world's learner holds one).
    ("api.my_certificates", "GET"): API,
    ("certificates.verify", "GET"): PUBLIC,
    ("certificates.verify_json", "GET"): PUBLIC,
    ("certificates.pdf", "GET"): OWNED_PAGE,
    ("certificates.admin", "GET"): ADMIN_PAGE,
    ("certificates.revoke", "POST"): ADMIN_WRITE,
}


def _routes(app: Flask) -> list[tuple[str, str, object]]:
    return sorted(
        (rule.endpoint, method, rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_has_a_rule(app: Flask):
    missing = [(e, m) for e, m, _ in _routes(app) if (e, m) not in RULES]
    assert not missing, f"routes without an access rule in this test: {missing}"
    stale = set(RULES) - {(e, m) for e, m, _ in _routes(app)}
    assert not stale, f"rules for routes that no longer exist: {stale}"


@pytest.fixture
def world(app: Flask, make: Factory, catalogue) -> dict:
    """A cohort with its trainer and learner, an outsider of each kind, and the learner's data."""
    people = {
        "learner": make.user("learner"),
        "other_learner": make.user("learner"),
        "other_trainer": make.user("trainer"),
        "trainer": make.user("trainer"),
        "admin": make.user("admin"),
    }
    with app.app_context():
        learner = db.session.get(User, people["learner"].id)
        cohort = cohorts.create_cohort(db.session.get(User, people["trainer"].id), "Matrix")
        cohorts.create_cohort(db.session.get(User, people["other_trainer"].id), "Elsewhere")
        cohorts.join_cohort(learner, cohort.join_code)
        quiz = catalogue.quizzes[catalogue.modules[0].quizzes[0]]
        attempt = attempts.submit_attempt(learner.id, quiz, right_answers(quiz)).attempt
        certificate = certificates.issue(learner, catalogue.course)
        db.session.commit()
        values = {
            "module_id": catalogue.modules[0].id,
            "lesson_id": catalogue.modules[0].lessons[0].id,
            "quiz_id": quiz.id,
            "attempt_id": attempt.id,
            "cohort_id": cohort.id,
            "user_id": learner.id,
            "secret": "not-an-invitation",
            "code": cohort.join_code,
            "kind": "learners",
            "answer": "accept",
            "action": "deactivate",
            "certificate_id": certificate.id,
            "verification": certificate.code,
        }
    return {"people": people, "values": values}


WITHDRAWALS = ("trainer.withdraw_invitation", "api.withdraw_invitation")


def _request(app: Flask, client: FlaskClient, world: dict, role: str, method: str, rule) -> int:
    values = dict(world["values"])
    if "token_id" in rule.arguments:  # a token of the learner's that nobody has revoked yet
        with app.app_context():
            learner = db.session.get(User, world["people"]["learner"].id)
            accounts.issue_api_token(learner, "to revoke")
            db.session.commit()
            values["token_id"] = accounts.api_tokens_of(learner)[0].id
    if "invitation_id" in rule.arguments:  # a fresh invitation of the learner's, unanswered
        with app.app_context():
            learner = db.session.get(User, world["people"]["learner"].id)
            other = db.session.get(User, world["people"]["other_trainer"].id)
            cohort = cohorts.create_cohort(other, "Inviting")
            invitations.invite(cohort, learner, other)
            db.session.commit()
            values["invitation_id"] = invitations.pending_for(learner.id)[0].id
    if rule.endpoint in WITHDRAWALS:  # an invitation of the cohort itself, to someone else
        with app.app_context():
            cohort = db.session.get(Cohort, world["values"]["cohort_id"])
            invitee = db.session.get(User, world["people"]["other_learner"].id)
            invitations.invite(cohort, invitee, None)
            db.session.commit()
            values["invitation_id"] = invitations.pending_for(invitee.id)[0].id
    if rule.endpoint == "trainer.reset_link":  # the learner may have been removed just before
        with app.app_context():
            cohort = db.session.get(Cohort, world["values"]["cohort_id"])
            cohorts.add_member(cohort, world["people"]["learner"].id, "learner")
            db.session.commit()
    url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    headers = {}
    if role != "anonymous":
        person = world["people"][role]
        with app.app_context():
            user = db.session.get(User, person.id)
            if url.startswith("/api/"):
                headers["Authorization"] = f"Bearer {accounts.issue_api_token(user, 'm')}"
            else:
                with client.session_transaction() as session:
                    session["_user_id"] = user.get_id()
                    session["_fresh"] = True
            db.session.commit()
    return client.open(url, method=method, headers=headers, data={}).status_code


@pytest.mark.parametrize("role", ROLES)
def test_access_rules(app: Flask, world: dict, role: str):
    wrong = []
    for endpoint, method, rule in _routes(app):
        expected = RULES[(endpoint, method)][role]
        status = _request(app, app.test_client(), world, role, method, rule)
        if expected == "ok":
            if status in (401, 403, 404) or status >= 500:
                wrong.append(f"{method} {rule.rule}: {status}, expected access")
        elif status != expected:
            wrong.append(f"{method} {rule.rule}: {status}, expected {expected}")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)
