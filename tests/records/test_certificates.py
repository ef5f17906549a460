"""Certificates: issued once when the course.yaml rules are met, listed, verified, revoked, printed."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.content import Catalogue
from app.extensions import db
from app.models import Certificate, User, XapiStatement
from tests.conftest import PROJECT_ROOT, Api, Factory, make_app, right_answers
from tests.records.conftest import fail_quiz, finish_course, read_every_lesson, take_every_quiz
from tests.security.conftest import sharing_the_test_transaction


def _certificates(api: Api) -> list[dict]:
    response = api.get("/me/certificates")
    assert response.status_code == 200
    return response.json["certificates"]


def test_finishing_the_course_issues_one_certificate(api: Api, catalogue, learner: User):
    read_every_lesson(api, catalogue)
    last = next(q for q in catalogue.quizzes.values() if q.is_graded)
    take_every_quiz(api, catalogue, skip=last.id)
    fail_quiz(api, last)
    assert _certificates(api) == [], "a failed graded quiz does not complete the course"
    api.post(f"/quizzes/{last.id}/attempts", json={"answers": right_answers(last)})
    api.post(f"/quizzes/{last.id}/attempts", json={"answers": right_answers(last)})
    [certificate] = _certificates(api)
    assert certificate["course_title"] == catalogue.course.title
    assert certificate["content_version"] == catalogue.course.version
    assert re.fullmatch(r"[A-Z2-7]{24}", certificate["code"])  # 120 bits of base32
    assert certificate["issued_at"].endswith("Z")
    assert certificate["verify_url"] == f"http://localhost/verify/{certificate['code']}"
    assert certificate["pdf_url"] == f"http://localhost/certificates/{certificate['id']}.pdf"
    assert certificate["revoked"] is False


def test_a_missing_self_assessment_withholds_the_certificate_until_taken(api: Api, catalogue):
    read_every_lesson(api, catalogue)
    required = catalogue.course.completion.self_assessments_taken[0]
    take_every_quiz(api, catalogue, skip=required)
    assert _certificates(api) == []
    quiz = catalogue.quiz(required)
    response = api.post(f"/quizzes/{required}/attempts", json={"answers": right_answers(quiz)})
    assert response.status_code == 201
    assert len(_certificates(api)) == 1, "a self-assessment taken last completes the course"


def test_lessons_read_last_complete_the_course(api: Api, catalogue):
    take_every_quiz(api, catalogue)
    assert _certificates(api) == []
    read_every_lesson(api, catalogue)
    assert len(_certificates(api)) == 1


def test_codes_differ_and_the_name_is_kept_as_it_was(app: Flask, make, catalogue):
    codes = set()
    for name in ("Ada", "Bea"):
        user = make.user(name=name)
        finish_course(Api(app.test_client(), make.token(user)), catalogue)
        with app.app_context():
            certificate = db.session.scalar(
                select(Certificate).where(Certificate.user_id == user.id)
            )
            db.session.get(User, user.id).name = "Renamed"
            db.session.commit()
            assert certificate.learner_name == name
            codes.add(certificate.code)
    assert len(codes) == 2


@pytest.fixture
def holder(app: Flask, make: Factory, catalogue: Catalogue) -> tuple[User, Api, dict]:
    user = make.user(name="Hana Holder")
    api = Api(app.test_client(), make.token(user))
    finish_course(api, catalogue)
    return user, api, _certificates(api)[0]


def test_the_verify_page_is_public_and_unknown_codes_get_the_same_shape(client, holder):
    _, _, certificate = holder
    page = client.get(f"/verify/{certificate['code']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Valid certificate" in html
    assert "Hana Holder" in html
    unknown = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404
    assert "No certificate has this code" in unknown.get_data(as_text=True)
    assert "Certificate check" in unknown.get_data(as_text=True)
    known = client.get(f"/verify/{certificate['code'].lower()}.json")
    assert known.status_code == 200
    assert known.json["valid"] is True
    assert known.json["learner_name"] == "Hana Holder"
    missing = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA.json")
    assert missing.status_code == 404
    assert set(missing.json) == set(known.json)
    assert missing.json["status"] == "unknown"


def test_verify_is_rate_limited(client):
    statuses = {client.get(f"/verify/CODE{n}.json").status_code for n in range(61)}
    assert statuses == {404, 429}


def test_revoking_from_the_cli_shows_on_the_verify_page(runner, client, holder):
    _, api, certificate = holder
    result = runner.invoke(
        args=["certificates", "revoke", certificate["code"], "--reason", "Issued in error"]
    )
    assert result.exit_code == 0, result.output
    shown = client.get(f"/verify/{certificate['code']}.json").json
    assert shown["status"] == "revoked"
    assert shown["valid"] is False
    assert shown["revoked_reason"] == "Issued in error"
    assert "was revoked" in client.get(f"/verify/{certificate['code']}").get_data(as_text=True)
    assert _certificates(api)[0]["revoked"] is True
    again = runner.invoke(args=["certificates", "revoke", certificate["code"], "--reason", "x"])
    assert again.exit_code == 1
    assert "revoked already" in again.output
    unknown = runner.invoke(args=["certificates", "revoke", "NOPE", "--reason", "x"])
    assert unknown.exit_code == 1


def test_an_admin_revokes_on_the_admin_page(client, auth, make, holder):
    _, _, certificate = holder
    admin = make.user("admin")
    auth.login(admin.email)
    page = client.get("/admin/certificates")
    assert page.status_code == 200
    assert certificate["code"] in page.get_data(as_text=True)
    url = f"/admin/certificates/{certificate['code']}/revoke"
    assert client.post(url, data={"reason": "  "}).status_code == 303
    assert client.get(f"/verify/{certificate['code']}.json").json["valid"] is True
    assert client.post(url, data={"reason": "Left before the end"}).status_code == 303
    assert client.get(f"/verify/{certificate['code']}.json").json["revoked_reason"] == (
        "Left before the end"
    )


def test_the_pdf_answers_the_owner_token_and_session_only(app: Flask, client, auth, make, holder):
    user, api, certificate = holder
    url = f"/certificates/{certificate['id']}.pdf"
    by_token = client.get(url, headers=api.headers)
    assert by_token.status_code == 200
    assert by_token.mimetype == "application/pdf"
    assert by_token.data.startswith(b"%PDF-")
    assert client.get(url).status_code == 302  # a visitor is sent to log in
    other = make.user()
    other_headers = {"Authorization": f"Bearer {make.token(other)}"}
    assert client.get(url, headers=other_headers).status_code == 404
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    auth.login(user.email)
    letter = client.get(url + "?paper=letter")
    assert letter.status_code == 200
    assert b"/MediaBox [0 0 792.00 612.00]" in letter.data
    a4 = client.get(url + "?paper=A4")
    assert b"/MediaBox [0 0 841.89 595.28]" in a4.data
    assert b"/FontFile2" in a4.data, "the font is embedded"
    assert client.get(url + "?paper=tabloid").status_code == 400
    progress = client.get("/progress").get_data(as_text=True)
    assert "Your certificates" in progress
    assert url in progress


def test_finishing_queues_a_course_completed_statement(app: Flask, holder):
    user, _, _ = holder
    with app.app_context():
        rows = db.session.execute(
            select(XapiStatement.verb, func.count())
            .where(XapiStatement.user_id == user.id)
            .group_by(XapiStatement.verb)
        )
        verbs = {verb: count for verb, count in rows}
    catalogue = app.extensions["rapport_catalogue"]
    lessons = sum(len(m.lessons) for m in catalogue.modules)
    graded = [q for q in catalogue.quizzes.values() if q.is_graded]
    assert verbs["experienced"] == lessons
    assert verbs["answered"] == sum(len(q.questions) for q in catalogue.quizzes.values())
    assert verbs["passed"] == len(graded)
    assert verbs["completed"] == len(catalogue.quizzes) + 1  # every attempt, and the course


def test_a_course_without_course_yaml_has_no_certificates(app: Flask, database_url, make):
    content = PROJECT_ROOT / "tests" / "content" / "sample"
    other = make_app(database_url, CONTENT_DIR=content)
    assert other.extensions["rapport_catalogue"].course is None
    with sharing_the_test_transaction(other, app):
        user = make.user()
        api = Api(other.test_client(), make.token(user))
        finish_course(api, other.extensions["rapport_catalogue"])
        assert _certificates(api) == []


@pytest.mark.slow
def test_concurrent_last_submissions_issue_one_certificate(
    app: Flask, make, catalogue, committed_db
):
    user = make.user()
    api = Api(app.test_client(), make.token(user))
    read_every_lesson(api, catalogue)
    last = next(q for q in catalogue.quizzes.values() if q.is_graded)
    take_every_quiz(api, catalogue, skip=last.id)
    token = make.token(user)
    barrier = threading.Barrier(4)
    statuses = []

    def submit() -> None:
        client = Api(app.test_client(), token)
        barrier.wait()
        statuses.append(
            client.post(
                f"/quizzes/{last.id}/attempts", json={"answers": right_answers(last)}
            ).status_code
        )

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.user_id == user.id)
        )
        completed = db.session.scalar(
            select(func.count())
            .select_from(XapiStatement)
            .where(
                XapiStatement.user_id == user.id,
                XapiStatement.statement["object"]["id"].as_string().like("%/course/%"),
            )
        )
    assert count == 1
    assert completed == 1


def _content_copy(tmp_path: Path, course_yaml: str) -> Path:
    for folder in ("modules", "quizzes"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    (tmp_path / "course.yaml").write_text(course_yaml)
    return tmp_path


def test_content_check_reports_course_file_problems_at_path_line(runner, tmp_path):
    folder = _content_copy(
        tmp_path,
        "id: c\ntitle: A course\nversion: '1'\ncompletion:\n"
        "  self_assessments_taken: [five-steps-check, nope]\n"
        "  minimum_scores:\n    trust-self-assessment: 50\n",
    )
    result = runner.invoke(args=["content", "check", "--dir", str(folder)])
    assert result.exit_code == 1
    assert (
        "course.yaml:5: quiz 'five-steps-check' is graded, not a self-assessment" in result.output
    )
    assert "course.yaml:5: quiz 'nope' does not exist" in result.output
    assert "course.yaml:7: quiz 'trust-self-assessment' is a self-assessment" in result.output


def test_content_check_reports_unknown_keys_and_bad_scores(runner, tmp_path):
    folder = _content_copy(
        tmp_path,
        "id: c\ntitle: A course\nversion: '1'\ncompletion:\n  every_lesson_red: true\n"
        "  minimum_scores: {five-steps-check: 150}\n",
    )
    result = runner.invoke(args=["content", "check", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "course.yaml:5: unknown key 'every_lesson_red'" in result.output
    assert "course.yaml:6:" in result.output
    assert "100" in result.output


def test_the_demo_course_has_completion_rules(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
