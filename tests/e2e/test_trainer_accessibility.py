"""axe-core on every trainer view, at desktop width and at 320 px, with a cohort that has answers."""

from __future__ import annotations

import secrets

import pytest

from app.extensions import db
from app.models import Cohort, CohortMember
from app.services import attempts, certificates, progress
from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e

TRAINER_PAGES = {
    "trainer-cohorts": "/trainer/cohorts",
    "trainer-overview": "/trainer/cohorts/{cohort}",
    "trainer-progress": "/trainer/cohorts/{cohort}/progress",
    "trainer-items": "/trainer/cohorts/{cohort}/items",
    "trainer-self-assessment": "/trainer/cohorts/{cohort}/self-assessment",
    "trainer-attention": "/trainer/cohorts/{cohort}/attention",
    "trainer-learner": "/trainer/cohorts/{cohort}/learners/{learner}",
    "trainer-members": "/trainer/cohorts/{cohort}/members",
}


@pytest.fixture(scope="module")
def trainer_state(live_server, browser) -> dict:
    """A trainer's cohort of three learners who took every quiz, and the trainer's cookies.
    Learners 0 and 2 also read every lesson, so they earn a certificate; 2's is revoked."""
    trainer = live_server.user(role="trainer", name="Tess Trainer")
    learners = [live_server.user(name=f"Cohort Learner {n}") for n in range(3)]
    with live_server.app.app_context():
        cohort = Cohort(name="Spring cohort", join_code=secrets.token_hex(4).upper())
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
        for learner in learners:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"))
        db.session.commit()
        cohort_id = cohort.id
        catalogue = live_server.app.extensions["rapport_catalogue"]
        for index, learner in enumerate(learners):
            if index % 2 == 0:
                for module in catalogue.modules:
                    for lesson in module.lessons:
                        progress.record_lesson_read(learner.id, module, lesson.id)
            for quiz in catalogue.quizzes.values():
                answers = right_answers(quiz) if index % 2 == 0 else wrong_answers(quiz)
                attempts.submit_attempt(learner.id, quiz, answers)
        db.session.commit()
        [revoked] = certificates.certificates_of(learners[2].id)
        certificates.revoke(revoked.code, "Issued in error")
        db.session.commit()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, trainer.email)
    state = context.storage_state()
    context.close()
    return {"storage": state, "cohort": cohort_id, "learner": learners[0].id}


@pytest.mark.parametrize("name", sorted(TRAINER_PAGES))
def test_trainer_pages_are_accessible(new_context, trainer_state, artifacts, name: str) -> None:
    page = new_context(storage_state=trainer_state["storage"]).new_page()
    path = TRAINER_PAGES[name].format(**trainer_state)
    check_page(page, path, name, artifacts)


def test_the_join_page_is_accessible(new_context, live_server, artifacts) -> None:
    learner = live_server.user(name="Jo Joiner")
    page = new_context().new_page()
    log_in(page, learner.email)
    check_page(page, "/trainer/join", "trainer-join", artifacts)
