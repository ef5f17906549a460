"""axe-core on every trainer view, at desktop width and at 320 px, with a cohort that has answers."""

from __future__ import annotations

import pytest

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
