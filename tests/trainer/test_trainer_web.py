"""Trainer pages in the browser: who may see what, every page filled, and every form."""

from __future__ import annotations

import io

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import CohortMember, User
from tests.trainer.conftest import World, log_in, new_user


def trainer_urls(small, world: World) -> list[tuple[str, str]]:
    """Every trainer and administrator route (GET and POST) filled with the world's cohort and
    first learner."""
    found = []
    with small.test_request_context():
        for rule in small.url_map.iter_rules():
            if not rule.endpoint.startswith(("trainer.", "admin.")):
                continue
            values = {}
            for name in rule.arguments:
                if name == "cohort_id":
                    values[name] = world.cohort.id
                elif isinstance(rule._converters[name], IntegerConverter):
                    values[name] = world.learners[0].id
                elif name == "kind":
                    values[name] = "learners"
                elif name == "action":
                    values[name] = "deactivate"
                else:
                    values[name] = "x"
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                found.append((method, url_for(rule.endpoint, **values)))
    return found


def test_guests_are_sent_to_log_in(sclient, small, world):
    for method, url in trainer_urls(small, world):
        response = sclient.open(url, method=method)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["learner", "learner in the cohort", "trainer of another cohort"])
def test_everyone_else_gets_404_on_every_trainer_page(sclient, small, world, who):
    if who == "learner":
        user = new_user("Lou Learner")
    elif who == "learner in the cohort":
        user = world.learners[0]
    else:
        user = new_user("Otto Other", "trainer")
    db.session.commit()
    log_in(sclient, user)
    for method, url in trainer_urls(small, world):
        if who == "trainer of another cohort" and url.rstrip("/") in (
            "/trainer",
            "/trainer/cohorts",
        ):
            continue  # their own cohort list
        response = sclient.open(url, method=method, data={})
        assert response.status_code == 404, (method, url)
    # nothing was changed by the refused posts
    assert db.session.get(CohortMember, (world.cohort.id, world.learners[0].id)) is not None


def test_the_trainer_sees_every_page_filled(sclient, world):
    log_in(sclient, world.trainer)
    cohort = world.cohort.id
    pages = {
        f"/trainer/cohorts/{cohort}": ["<strong>6</strong> learners", "Introduction", "64%", "80%", "Activity over time"],
        f"/trainer/cohorts/{cohort}/progress?sort=quiz:check&dir=desc": ["L1 Learner", "✓ complete"],
        f"/trainer/cohorts/{cohort}/items": ["0.41", "−0.56".replace("−", "-"), "most chosen wrong answer", "too easy", "too hard", "negative discrimination", "Discrimination"],
        f"/trainer/cohorts/{cohort}/self-assessment": ["The cohort&#39;s trust scores", "Style across the cohort"],
        f"/trainer/cohorts/{cohort}/attention": ["has not started", "failed “Check” 2 times", "no activity for 30 days"],
        f"/trainer/cohorts/{cohort}/attention?days=7": ["L2 Learner"],
        f"/trainer/cohorts/{cohort}/learners/{world.learners[3].id}": ["attempt 2", "attempt 1", "✗ wrong", "=HYPERLINK(tempting)", "5 min 0 s"],
        f"/trainer/cohorts/{cohort}/members": [world.cohort.join_code, f"/trainer/join/{world.cohort.join_code}"],
        "/trainer/cohorts": ["Spring"],
    }  # fmt: skip
    for url, texts in pages.items():
        response = sclient.get(url)
        assert response.status_code == 200, url
        for text in texts:
            assert text in response.text, (url, text)


def test_the_date_range_is_kept_and_checked(sclient, world):
    log_in(sclient, world.trainer)
    page = sclient.get(f"/trainer/cohorts/{world.cohort.id}?from=2020-01-01&to=2020-01-31")
    assert page.status_code == 200
    assert "from=2020-01-01" in page.text  # the tabs keep the range
    assert "No activity in this range" in page.text
    bad = sclient.get(f"/trainer/cohorts/{world.cohort.id}/items?from=2020-02-30")
    assert bad.status_code == 400
    assert "year-month-day" in bad.text
    assert sclient.get(f"/trainer/cohorts/{world.cohort.id}/attention?days=-3").status_code == 400


def test_csv_downloads(sclient, world):
    log_in(sclient, world.trainer)
    response = sclient.get(f"/trainer/cohorts/{world.cohort.id}/export/answers.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-answers.csv"')
    assert "'=HYPERLINK(tempting)" in response.text
    response.close()
    assert sclient.get(f"/trainer/cohorts/{world.cohort.id}/export/other.csv").status_code == 404


def test_create_a_cohort(sclient, small):
    trainer = new_user("Tom Trainer", "trainer")
    db.session.commit()
    log_in(sclient, trainer)
    response = sclient.post(
        "/trainer/cohorts", data={"name": "  Autumn  ", "description": "Evening group"}
    )
    assert response.status_code == 303
    page = sclient.get(response.headers["Location"])
    assert "Autumn" in page.text
    assert "Join code" in page.text
    assert sclient.post("/trainer/cohorts", data={"name": ""}).status_code == 422


def test_add_learners_by_email_shows_invite_links(sclient, world):
    log_in(sclient, world.trainer)
    existing = world.learners[0].email
    response = sclient.post(
        f"/trainer/cohorts/{world.cohort.id}/members/add",
        data={"emails": f"Pia Park <pia@example.com>\nraj.mehta@example.com, {existing}"},
    )
    assert response.status_code == 200
    assert "Rapport does not send email" in response.text
    assert response.text.count("/auth/invite/") == 2
    assert "already in the cohort" in response.text
    pia = db.session.scalar(select(User).where(User.email == "pia@example.com"))
    assert (pia.name, pia.password_hash) == ("Pia Park", None)
    raj = db.session.scalar(select(User).where(User.email == "raj.mehta@example.com"))
    assert raj.name == "Raj Mehta"
    assert db.session.get(CohortMember, (world.cohort.id, raj.id)).role == "learner"


def test_a_bad_email_list_adds_no_one(sclient, world):
    log_in(sclient, world.trainer)
    response = sclient.post(
        f"/trainer/cohorts/{world.cohort.id}/members/add",
        data={"emails": "good@example.com\nnot-an-email"},
    )
    assert response.status_code == 422
    assert "Nothing was added" in response.text
    assert "not-an-email" in response.text
    assert db.session.scalar(select(User).where(User.email == "good@example.com")) is None


def upload(sclient, world, data: bytes, filename: str = "people.csv"):
    return sclient.post(
        f"/trainer/cohorts/{world.cohort.id}/members/upload",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_upload_a_csv_of_learners(sclient, world):
    log_in(sclient, world.trainer)
    data = "\ufeffEmail;Name\nana@example.com;Ana Álvarez\nben@example.com;Ben\n".encode()
    response = upload(sclient, world, data)
    assert response.status_code == 200, response.text
    assert response.text.count("/auth/invite/") == 2
    ana = db.session.scalar(select(User).where(User.email == "ana@example.com"))
    assert ana.name == "Ana Álvarez"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"name,email\nA,a@example.com\n", "people.xlsx", "Choose a .csv file."),
        (b"", "people.csv", "The file is empty."),
        (b"first,last\nA,B\n", "people.csv", "must name the columns"),
        ("name,email\nA,a@example.com\n".encode("utf-16"), "people.csv", "CSV"),
        (b"name,email\n\xff\xfe,bad\n", "people.csv", "not UTF-8"),
        (b"name,email\n" + b"A,a@example.com\n" * 20000, "people.csv", "larger than"),
        (b"name,email\nA,a@example.com\nB\n", "people.csv", "Row 3"),
        (b"name,email\nA,not-an-email\n", "people.csv", "not-an-email"),
    ],
)
def test_a_bad_csv_is_refused_with_a_message(sclient, world, data, filename, message):
    log_in(sclient, world.trainer)
    before = db.session.scalar(select(db.func.count()).select_from(User))
    response = upload(sclient, world, data, filename)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(db.func.count()).select_from(User)) == before


def test_remove_a_learner(sclient, world):
    log_in(sclient, world.trainer)
    l1 = world.learners[0]
    response = sclient.post(f"/trainer/cohorts/{world.cohort.id}/members/{l1.id}/remove")
    assert response.status_code == 303
    assert db.session.get(CohortMember, (world.cohort.id, l1.id)) is None
    assert db.session.get(User, l1.id) is not None
    assert (
        sclient.post(f"/trainer/cohorts/{world.cohort.id}/members/{l1.id}/remove").status_code
        == 404
    )
    trainer_id = world.trainer.id
    assert (
        sclient.post(f"/trainer/cohorts/{world.cohort.id}/members/{trainer_id}/remove").status_code
        == 404
    )


def test_co_trainers(sclient, world):
    log_in(sclient, world.trainer)
    colleague = new_user("Carl Colleague", "trainer")
    learner = new_user("Leo Learner")
    db.session.commit()
    url = f"/trainer/cohorts/{world.cohort.id}/trainers/add"
    refused = sclient.post(url, data={"email": learner.email})
    assert refused.status_code == 422
    assert "trainer role first" in refused.text
    assert sclient.post(url, data={"email": "nobody@example.com"}).status_code == 422
    assert sclient.post(url, data={"email": colleague.email}).status_code == 303
    log_in(sclient, colleague)
    assert sclient.get(f"/trainer/cohorts/{world.cohort.id}").status_code == 200
    remove_self = sclient.post(f"/trainer/cohorts/{world.cohort.id}/trainers/{colleague.id}/remove")
    assert remove_self.status_code == 303
    assert sclient.get(f"/trainer/cohorts/{world.cohort.id}").status_code == 404
    log_in(sclient, world.trainer)
    last = sclient.post(
        f"/trainer/cohorts/{world.cohort.id}/trainers/{world.trainer.id}/remove",
        follow_redirects=True,
    )
    assert "at least one trainer" in last.text


def test_new_join_code_and_settings(sclient, world):
    log_in(sclient, world.trainer)
    old = world.cohort.join_code
    assert sclient.post(f"/trainer/cohorts/{world.cohort.id}/code").status_code == 303
    db.session.refresh(world.cohort)
    assert world.cohort.join_code != old
    saved = sclient.post(
        f"/trainer/cohorts/{world.cohort.id}/settings", data={"name": "Spring 2", "description": ""}
    )
    assert saved.status_code == 303
    assert (
        sclient.post(
            f"/trainer/cohorts/{world.cohort.id}/settings", data={"name": "x" * 200}
        ).status_code
        == 422
    )


def test_a_learner_joins_in_the_browser(sclient, world):
    newcomer = new_user("Nia Newcomer")
    db.session.commit()
    log_in(sclient, newcomer)
    link = sclient.get(f"/trainer/join/{world.cohort.join_code}")
    assert link.status_code == 200
    assert "Spring" in link.text
    assert sclient.post("/trainer/join", data={"code": "WRONGCODE"}).status_code == 422
    joined = sclient.post("/trainer/join", data={"code": world.cohort.join_code})
    assert joined.status_code == 303
    assert db.session.get(CohortMember, (world.cohort.id, newcomer.id)).role == "learner"
    assert "Spring" in sclient.get("/trainer/join").text  # listed among their cohorts
    assert sclient.get(f"/trainer/cohorts/{world.cohort.id}").status_code == 404


def test_admin_manages_users(sclient, world):
    admin = new_user("Ada Admin", "admin")
    db.session.commit()
    log_in(sclient, world.trainer)
    assert sclient.get("/trainer/users").status_code == 404
    log_in(sclient, admin)
    page = sclient.get("/trainer/users?q=learner")
    assert page.status_code == 200
    assert "L1 Learner" in page.text
    assert "Tina" not in page.text
    l1 = world.learners[0]
    assert sclient.post(f"/trainer/users/{l1.id}/role", data={"role": "trainer"}).status_code == 303
    assert db.session.get(User, l1.id).role == "trainer"
    assert sclient.post(f"/trainer/users/{l1.id}/role", data={"role": "boss"}).status_code == 400
    assert sclient.post(f"/trainer/users/{l1.id}/deactivate").status_code == 303
    assert db.session.get(User, l1.id).active is False
    assert sclient.post(f"/trainer/users/{l1.id}/activate").status_code == 303
    assert db.session.get(User, l1.id).active is True
    # the only administrator cannot demote or deactivate themselves
    demote = sclient.post(
        f"/trainer/users/{admin.id}/role", data={"role": "learner"}, follow_redirects=True
    )
    assert "only active administrator" in demote.text
    assert db.session.get(User, admin.id).role == "admin"
    sclient.post(f"/trainer/users/{admin.id}/deactivate")
    assert db.session.get(User, admin.id).active is True
    assert sclient.post("/trainer/users/999999/deactivate").status_code == 404
