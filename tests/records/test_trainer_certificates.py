"""Trainers see who in their cohort holds a certificate: overview, matrix, drill-down, CSV, API."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.content import Catalogue
from app.models import utcnow
from tests.conftest import Api, AuthActions, Factory
from tests.records.conftest import finish_course


@dataclass
class Cohort:
    id: int
    trainer: Api
    codes: dict[str, str]  # learner name → certificate code
    ids: dict[str, int]  # learner name → user id


@pytest.fixture
def cohort(
    app: Flask, client: FlaskClient, auth: AuthActions, make: Factory, catalogue: Catalogue, runner
) -> Cohort:
    """Valid holds a certificate, Revoked held one that was revoked, None has none; the test
    client is logged in as their trainer."""
    trainer_user = make.user("trainer", name="Tom Trainer")
    auth.login(trainer_user.email)
    assert client.post("/trainer/cohorts", data={"name": "Autumn"}).status_code == 303
    trainer = Api(app.test_client(), make.token(trainer_user))
    [listed] = trainer.get("/cohorts").json["cohorts"]
    codes, ids = {}, {}
    for name in ("Valid Holder", "Revoked Holder", "None Yet"):
        user = make.user(name=name)
        api = Api(app.test_client(), make.token(user))
        joined = api.post("/cohorts/join", json={"code": listed["join_code"]})
        assert joined.status_code in (200, 201), joined.json
        ids[name] = user.id
        if name != "None Yet":
            finish_course(api, catalogue)
            [certificate] = api.get("/me/certificates").json["certificates"]
            codes[name] = certificate["code"]
    result = runner.invoke(
        args=["certificates", "revoke", codes["Revoked Holder"], "--reason", "Copied answers"]
    )
    assert result.exit_code == 0, result.output
    return Cohort(listed["id"], trainer, codes, ids)


def _today() -> str:
    return utcnow().date().isoformat()


def _text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_overview_counts_the_holders(client: FlaskClient, cohort: Cohort):
    html = _text(client, f"/trainer/cohorts/{cohort.id}")
    assert "<strong>1</strong> holds a certificate" in html
    assert "(1 revoked)" in html
    later = _text(client, f"/trainer/cohorts/{cohort.id}?from=2999-01-01")
    assert "<strong>0</strong> hold a certificate issued in this range" in later


def test_the_matrix_shows_each_learners_certificate(client: FlaskClient, cohort: Cohort):
    html = _text(client, f"/trainer/cohorts/{cohort.id}/progress")
    today = _today()
    rows = {
        name: re.search(rf">{name}</a>.*?</tr>", html).group(0)
        for name in ("Valid Holder", "Revoked Holder", "None Yet")
    }
    assert f'{today} <span class="tag tag-right">issued</span>' in rows["Valid Holder"]
    assert f'{today} <span class="tag tag-wrong">revoked</span>' in rows["Revoked Holder"]
    assert "issued</span>" not in rows["None Yet"]
    assert "revoked</span>" not in rows["None Yet"]


def test_the_drill_down_shows_the_certificate(client: FlaskClient, cohort: Cohort):
    base = f"/trainer/cohorts/{cohort.id}/learners"
    valid = _text(client, f"{base}/{cohort.ids['Valid Holder']}")
    code = cohort.codes["Valid Holder"]
    assert f"<code>{code}</code>" in valid
    assert f'href="/verify/{code}"' in valid
    assert "revoked" not in valid
    revoked = _text(client, f"{base}/{cohort.ids['Revoked Holder']}")
    assert cohort.codes["Revoked Holder"] in revoked
    assert '<span class="tag tag-wrong">revoked</span>' in revoked
    assert "No certificate" in _text(client, f"{base}/{cohort.ids['None Yet']}")


def test_learners_csv_has_the_certificate_columns(client: FlaskClient, cohort: Cohort):
    response = client.get(f"/trainer/cohorts/{cohort.id}/export/learners.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    found = {
        r["name"]: (
            r["certificate_issued_at"][:10],
            r["certificate_code"],
            r["certificate_revoked"],
        )
        for r in rows
    }
    today = _today()
    assert found == {
        "Valid Holder": (today, cohort.codes["Valid Holder"], "no"),
        "Revoked Holder": (today, cohort.codes["Revoked Holder"], "yes"),
        "None Yet": ("", "", ""),
    }


def test_the_api_report_lists_each_learners_certificate(cohort: Cohort):
    body = cohort.trainer.get(f"/cohorts/{cohort.id}/report").json
    today = _today()
    found = {
        x["name"]: (x["certificate_issued_on"], x["certificate_code"], x["certificate_revoked"])
        for x in body["learners"]
    }
    assert found == {
        "Valid Holder": (today, cohort.codes["Valid Holder"], False),
        "Revoked Holder": (today, cohort.codes["Revoked Holder"], True),
        "None Yet": (None, None, None),
    }
    assert body["certificates"] == {"held": 1, "revoked": 1}
