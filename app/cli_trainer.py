"""Command-line tools for trainers: `cohorts create/add/list` and `demo seed`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.content import Quiz
from app.extensions import db
from app.models import Attempt, Cohort, CohortMember, LessonRead, User, utcnow
from app.services import accounts, attempts, cohorts
from app.services.catalogue import get_catalogue
from app.services.reporting import hooks

cohorts_cli = AppGroup("cohorts", help="Create cohorts and add learners to them.")
demo_cli = AppGroup("demo", help="Demo data: a trainer and a cohort with a few weeks of activity.")


@cohorts_cli.command("create")
@click.argument("name")
@click.option("--trainer", "trainer_email", required=True, help="The trainer's email.")
@click.option("--description", default="", help="What the cohort is.")
def create_cohort(name: str, trainer_email: str, description: str) -> None:
    """Create a cohort; the last line printed is '<cohort id> <join code>'."""
    trainer = accounts.user_by_email(trainer_email)
    if trainer is None:
        raise click.ClickException(
            f"no account with the email {accounts.normalise_email(trainer_email)}"
        )
    try:
        cohort = cohorts.create_cohort(trainer, name, description)
    except cohorts.CohortError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created cohort “{cohort.name}”, trained by {trainer.email}.")
    click.echo(f"{cohort.id} {cohort.join_code}")


@cohorts_cli.command("add")
@click.argument("cohort_id", type=int)
@click.argument("emails", nargs=-1, required=True)
def add_learners(cohort_id: int, emails: tuple[str, ...]) -> None:
    """Add learners by email at once (an operator's command: no invitation to accept); people
    without an account get one and a link to set their password."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"no cohort with the id {cohort_id}")
    try:
        result = cohorts.add_learners_by_email(cohort, list(emails))
    except cohorts.CohortError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(error.message) from None
    db.session.commit()
    for user in result.added:
        click.echo(f"added {user.email}")
    for user in result.already:
        click.echo(f"already in the cohort: {user.email}")
    for user, secret in result.new_accounts:
        link = _invite_link(secret)
        click.echo(f"invited {user.email}: {link}")
    if result.new_accounts:
        click.echo("Rapport sends no email: give each new learner their link (valid 14 days).")


def _invite_link(secret: str) -> str:
    try:
        return url_for("auth.accept_invite", secret=secret, _external=True)
    except RuntimeError:  # no SERVER_NAME outside a request
        return f"/auth/invite/{secret}"


@cohorts_cli.command("list")
def list_cohorts() -> None:
    """Every cohort: id, join code, learners, name."""
    for cohort, learners in cohorts.all_cohorts():
        click.echo(f"{cohort.id}\t{cohort.join_code}\t{learners} learners\t{cohort.name}")


@cohorts_cli.command("rebuild-summaries")
def rebuild_summaries() -> None:
    """Recompute the cohort reports' summary tables from every attempt and lesson read.

    Run it after a deploy that changes which lessons or graded quizzes make up a module (until
    then, reports count module progress live, more slowly) and after rows were changed by hand.
    """
    hooks.rebuild(db.session.connection())
    db.session.commit()
    click.echo("Rebuilt the cohort report summaries.")


# ------------------------------------------------------------------------------ demo data

DEMO_TRAINER = "demo.trainer@example.com"
DEMO_PASSWORD = "rapport demo password"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_COHORT = "Demo cohort: customer service, spring intake"
DEMO_SEED = 20240501
DEMO_WEEKS = 6
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Carla",
    "Dario",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaito",
    "Lea",
    "Malik",
    "Nora",
    "Oskar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
    "Umberto",
    "Vera",
    "Wen",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Anton",
    "Bea",
    "Cyril",
    "Dana",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Rossi",
    "Yilmaz",
    "Adeyemi",
    "Novak",
    "Dubois",
    "Santos",
    "Becker",
    "Tanaka",
    "Keller",
    "Haddad",
    "Berg",
    "Nilsson",
    "Costa",
    "Lambert",
    "Ortiz",
    "Khalil",
    "Singh",
    "Bruno",
    "Petrova",
    "Zhang",
    "Ivanova",
    "Aydin",
    "Martin",
    "Weber",
    "Fischer",
    "Laurent",
    "Kowalski",
]


@dataclass(frozen=True)
class DemoResult:
    cohort: Cohort
    created: bool
    learners: int
    attempts: int
    sample_learner: str


@dataclass(frozen=True)
class _Persona:
    """How one demo learner works: when they start, how fast, how well, when they stop."""

    skill: float  # chance-ish of a right answer
    start_day: int  # days after the cohort's start
    pace: float  # days per module
    modules: int  # how many modules they get to (0: never started)
    persistence: int  # attempts they make at a graded quiz before giving up for now
    outlook: float = 0.5  # how favourably they rate themselves in self-assessments (0 to 1)


def _personas(rng: random.Random, count: int) -> list[_Persona]:
    personas = []
    for index in range(count):
        outlook = rng.uniform(0.2, 1.0)
        if index < 3:  # joined but never started
            personas.append(_Persona(0.5, 0, 5, 0, 1, outlook))
        elif index < 7:  # started early, then stalled weeks ago
            personas.append(
                _Persona(rng.uniform(0.55, 0.8), rng.randint(0, 4), 4, 1 + index % 2, 2, outlook)
            )
        elif index < 10:  # struggling: fails the first quiz twice or more
            personas.append(_Persona(rng.uniform(0.15, 0.3), rng.randint(2, 8), 6, 2, 3, outlook))
        else:
            personas.append(
                _Persona(
                    rng.uniform(0.6, 0.97),
                    rng.randint(0, 12),
                    rng.uniform(5, 10),
                    rng.randint(3, 4),
                    3,
                    outlook,
                )
            )
    return personas


def _take(
    user: User,
    quiz: Quiz,
    persona: _Persona,
    skill: float,
    difficulty: dict[str, float],
    when: datetime,
    rng: random.Random,
) -> Attempt:
    answers = {}
    for question in quiz.questions:
        offset = difficulty.get(question.id, 0.0)
        # -1 marks the demo's misleading question, on which weaker learners do better.
        chance = 0.9 - 0.7 * skill if offset == -1.0 else min(0.98, max(0.02, skill + offset))
        answers[question.id] = question.question_kind.sample_answer(
            question, chance, persona.outlook, rng
        )
    attempt = attempts.submit_attempt(user.id, quiz, answers).attempt
    attempt.started_at = when - timedelta(minutes=rng.randint(3, 25), seconds=rng.randint(0, 59))
    attempt.submitted_at = when
    return attempt


def seed_demo() -> DemoResult:
    """The demo trainer and cohort, made once: 30 learners with six weeks of varied activity.

    Deterministic: the same seed gives the same people, answers and day-by-day timeline
    (counted back from today). When the demo cohort exists, nothing changes.
    """
    trainer = accounts.user_by_email(DEMO_TRAINER)
    if trainer is None:
        trainer = accounts.create_user(
            DEMO_TRAINER, "Dana Demo (trainer)", DEMO_PASSWORD, "trainer"
        )
    existing = db.session.scalar(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(Cohort.name == DEMO_COHORT, CohortMember.user_id == trainer.id)
    )
    rng = random.Random(DEMO_SEED)  # noqa: S311 - made-up data, the same every time
    people = [(FIRST_NAMES[i], LAST_NAMES[(i * 7) % len(LAST_NAMES)]) for i in range(30)]
    emails = [f"{first}.{last}@example.com".lower() for first, last in people]
    if existing is not None:
        return _existing_demo(existing, emails[10])
    cohort = cohorts.create_cohort(
        trainer, DEMO_COHORT, "Thirty colleagues from the service desk, six weeks into the course."
    )
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    difficulty = _difficulty(rng)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(weeks=DEMO_WEEKS)
    made = 0
    for (first, last), email, persona in zip(people, emails, _personas(rng, 30), strict=True):
        user = accounts.user_by_email(email)
        if user is None:
            user = accounts.create_user(email, f"{first} {last}", None)
            user.password_hash = password_hash
        db.session.add(
            CohortMember(
                cohort_id=cohort.id,
                user_id=user.id,
                role="learner",
                joined_at=start + timedelta(hours=rng.randint(1, 48)),
            )
        )
        made += _learner_timeline(user, persona, difficulty, start, today, rng)
        db.session.flush()
    # The activity was back-dated after it was stored: count it again in the summary tables.
    hooks.rebuild(db.session.connection())
    return DemoResult(cohort, True, 30, made, emails[10])


def _existing_demo(cohort: Cohort, sample_learner: str) -> DemoResult:
    learners = db.session.scalar(
        select(func.count()).where(
            CohortMember.cohort_id == cohort.id, CohortMember.role == "learner"
        )
    )
    count = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .join(CohortMember, CohortMember.user_id == Attempt.user_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.role == "learner")
    )
    return DemoResult(cohort, False, learners, count, sample_learner)


def _difficulty(rng: random.Random) -> dict[str, float]:
    """How much easier or harder than a learner's skill each graded question is."""
    catalogue = get_catalogue()
    difficulty = {}
    for quiz in catalogue.quizzes.values():
        for question in quiz.graded_questions:
            difficulty[question.id] = rng.choice((-0.35, -0.1, 0.0, 0.05, 0.1, 0.2))
    graded = [q for q in catalogue.quizzes.values() if q.is_graded]
    if graded and graded[-1].graded_questions:
        difficulty[graded[-1].graded_questions[-1].id] = -1.0
    return difficulty


def _learner_timeline(
    user: User,
    persona: _Persona,
    difficulty: dict[str, float],
    start: datetime,
    today: datetime,
    rng: random.Random,
) -> int:
    """One learner's lessons and attempts, module by module; the number of attempts made."""
    catalogue = get_catalogue()
    made = 0
    day = float(persona.start_day)
    skill = persona.skill
    for module in catalogue.modules[: persona.modules]:
        when = start + timedelta(days=day, hours=rng.randint(8, 17), minutes=rng.randint(0, 59))
        if when >= today - timedelta(days=1):
            break
        lessons = module.lessons
        if rng.random() < 0.15:  # now and then a lesson is skipped
            lessons = lessons[:-1]
        for lesson in lessons:
            when += timedelta(minutes=rng.randint(4, 15))
            db.session.add(
                LessonRead(
                    user_id=user.id, module_id=module.id, lesson_id=lesson.id, first_read_at=when
                )
            )
        for quiz in (catalogue.quiz(q) for q in module.quizzes):
            if quiz is None:
                continue
            tries = persona.persistence if quiz.is_graded else 1
            for _ in range(tries):
                if when >= today:
                    break
                when += timedelta(minutes=rng.randint(10, 40))
                attempt = _take(user, quiz, persona, skill, difficulty, when, rng)
                made += 1
                if attempt.passed is not False:
                    break
                skill = min(0.97, skill + 0.12)  # they reread and do better next time
                when += timedelta(days=rng.randint(1, 3))
        day += persona.pace * rng.uniform(0.7, 1.3)
    return made


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo trainer and a cohort of 30 learners with six weeks of activity (once)."""
    if current_app.config.get("RAPPORT_ENV") == "production":
        raise click.ClickException(
            "demo data is not for production: its accounts have a published password"
        )
    result = seed_demo()
    db.session.commit()
    if result.created:
        click.echo(
            f"Created the demo cohort “{result.cohort.name}” (id {result.cohort.id}) with "
            f"{result.learners} learners and {result.attempts} quiz attempts over {DEMO_WEEKS} weeks."
        )
    else:
        click.echo(
            f"The demo cohort already exists (id {result.cohort.id}, {result.learners} learners, "
            f"{result.attempts} attempts); nothing was changed."
        )
    click.echo(
        f"Demo logins (password '{DEMO_PASSWORD}' for each): trainer {DEMO_TRAINER}, "
        f"learner {result.sample_learner}"
    )
