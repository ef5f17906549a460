"""Cohort rules through the services: codes, joining, lists of people, the access rule."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.services import cohorts, learner_lists
from tests.trainer.conftest import new_user


def test_codes_are_unambiguous_and_forgiving(small):
    trainer = new_user("T", "trainer")
    cohort = cohorts.create_cohort(trainer, "A")
    assert len(cohort.join_code) == 8
    assert set(cohort.join_code) <= set(cohorts.CODE_ALPHABET)
    spaced = cohort.join_code.lower()[:4] + " - " + cohort.join_code.lower()[4:]
    assert cohorts.cohort_by_code(spaced) == cohort
    assert cohorts.cohort_by_code("") is None
    assert cohorts.cohort_by_code("x" * 100) is None


def test_only_trainers_create_cohorts_and_names_are_checked(small):
    with pytest.raises(cohorts.CohortError):
        cohorts.create_cohort(new_user("L"), "Mine")
    trainer = new_user("T", "trainer")
    for name in ("", "   ", "x" * 121):
        with pytest.raises(cohorts.CohortError):
            cohorts.create_cohort(trainer, name)


def test_access_rule(small):
    trainer, other, admin, learner = (
        new_user("T", "trainer"),
        new_user("O", "trainer"),
        new_user("A", "admin"),
        new_user("L"),
    )
    cohort = cohorts.create_cohort(trainer, "Mine")
    cohorts.join_cohort(learner, cohort.join_code)
    assert cohorts.cohort_for(trainer, cohort.id) == cohort
    assert cohorts.cohort_for(admin, cohort.id) == cohort
    assert cohorts.cohort_for(other, cohort.id) is None
    assert cohorts.cohort_for(learner, cohort.id) is None
    assert cohorts.cohort_for(admin, cohort.id + 99) is None
    assert [s.cohort for s in cohorts.cohorts_for(other)] == []
    assert [(s.learners, s.trainers) for s in cohorts.cohorts_for(trainer)] == [(1, 1)]
    cohorts.add_trainer(cohort, other.email)
    assert cohorts.cohort_for(other, cohort.id) == cohort


def test_a_learner_can_be_in_several_cohorts(small):
    trainer, learner = new_user("T", "trainer"), new_user("L")
    first, second = cohorts.create_cohort(trainer, "One"), cohorts.create_cohort(trainer, "Two")
    assert cohorts.join_cohort(learner, first.join_code) == (first, True)
    assert cohorts.join_cohort(learner, second.join_code) == (second, True)
    assert cohorts.join_cohort(learner, second.join_code) == (second, False)
    assert [c.name for c in cohorts.cohorts_joined(learner.id)] == ["One", "Two"]
    with pytest.raises(cohorts.CohortError):
        cohorts.join_cohort(learner, "NOPE")


def test_email_lists():
    people = learner_lists.parse_email_list(
        'a@x.org, b@x.org; c@x.org\n"Dee Doe" <d@x.org>\n\n e@x.org '
    )
    assert [(p.name, p.email) for p in people] == [
        ("", "a@x.org"), ("", "b@x.org"), ("", "c@x.org"), ("Dee Doe", "d@x.org"), ("", "e@x.org"),
    ]  # fmt: skip


def test_csv_files():
    people = learner_lists.parse_learner_csv(b"Name,E-mail,Email\nAna,x,ana@x.org\n\n")
    assert [(p.name, p.email) for p in people] == [("Ana", "ana@x.org")]
    tabbed = learner_lists.parse_learner_csv(b"email\tname\nbo@x.org\tBo Ek\n")
    assert [(p.name, p.email) for p in tabbed] == [("Bo Ek", "bo@x.org")]
    for bad in (b"", b"name,email\n", b"\x00\x01", b"nom,courriel\na,b\n"):
        with pytest.raises(learner_lists.LearnerListError):
            learner_lists.parse_learner_csv(bad)


def test_adding_learners_creates_invited_accounts_once(small):
    trainer = new_user("T", "trainer")
    known = new_user("Kim Known")
    cohort = cohorts.create_cohort(trainer, "Mine")
    people = learner_lists.parse_email_list(
        f"NEW.person@Example.com, new.person@example.com, {known.email}"
    )
    result = cohorts.add_learners(cohort, people, invited_by=trainer)
    # Everyone is invited alike, account or not (issue 12); nobody is a member before accepting.
    assert [email for email, _, _ in result.invited] == ["new.person@example.com", known.email]
    assert result.added == []
    assert len(cohorts.members_of(cohort).learners) == 0
    again = cohorts.add_learners(cohort, people, invited_by=trainer)
    assert len(again.invited) == 2  # invited again (a new link), still not members
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
    # The operator's CLI adds at once.
    direct = cohorts.add_learners(cohort, people, direct=True)
    assert [u.email for u in direct.added] == ["new.person@example.com", known.email]
    assert direct.new_accounts == []  # the account was made by the invitation above
    assert len(cohorts.members_of(cohort).learners) == 2
    again = cohorts.add_learners(cohort, people, invited_by=trainer)
    assert (again.invited, len(again.already)) == ([], 2)
    with pytest.raises(cohorts.CohortError) as refused:
        cohorts.add_learners(cohort, learner_lists.parse_email_list("ok@x.org, broken@"))
    assert refused.value.problems
    assert "broken@" in refused.value.problems[0]
    with pytest.raises(cohorts.CohortError):
        cohorts.add_learners(cohort, [])
    db.session.rollback()
