"""CSV exports of a cohort: one row per learner, or one row per answer. Safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, NamedTuple

from app.content import Quiz
from app.services import reporting
from app.services.catalogue import get_catalogue
from app.services.results import ProfileResult

# A spreadsheet runs a cell that begins with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that spreadsheet programs read the file as UTF-8


def safe_cell(value: Any) -> Any:
    """A value as written to the CSV: text that a spreadsheet would run as a formula gets a
    leading single quote; None is empty; booleans are yes/no; times are ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text, a line at a time (so a large export streams), starting with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()


class Column(NamedTuple):
    """A column of an export: its header and what it means, in words (for the codebook)."""

    name: str
    meaning: str


CERTIFICATE_COLUMNS = [
    Column("certificate_issued_at", "When the learner's newest certificate was issued (UTC)"),
    Column("certificate_code", "Its verification code (the certificate's verify page)"),
    Column("certificate_revoked", "yes if that certificate was revoked"),
]
CERTIFICATE_HEADER = [c.name for c in CERTIFICATE_COLUMNS]


def certificate_cells(certificate: reporting.HeldCertificate | None) -> list[Any]:
    """The learner's certificate in the CSV: issued, code, revoked (yes/no); empty for none."""
    if certificate is None:
        return [None, None, None]
    return [certificate.issued_at, certificate.code, certificate.revoked]


LEARNER_COLUMNS = [
    Column("learner_id", "The learner's account id in Rapport"),
    Column("name", "The learner's name"),
    Column("email", "The learner's email address"),
    Column("active", "yes while the account may log in; no once deactivated"),
    Column("joined_at", "When the learner joined the cohort (UTC)"),
    Column("last_activity", "The learner's last lesson read or quiz submitted in the range (UTC)"),
    Column("modules_completed", "How many modules the learner completed"),
    *CERTIFICATE_COLUMNS,
]


def course_quizzes() -> list[Quiz]:
    """The course's quizzes in course order."""
    catalogue = get_catalogue()
    quizzes = [catalogue.quiz(q) for m in catalogue.modules for q in m.quizzes]
    return [q for q in quizzes if q is not None]


def learner_columns() -> list[Column]:
    """Every column of learners.csv in order: the learner, each module, each quiz, then the
    latest result of each self-assessment profile (added last: tools read the others by place)."""
    columns = list(LEARNER_COLUMNS)
    for module in get_catalogue().modules:
        columns += [
            Column(f"{module.id}: lessons read", f"Lessons of “{module.title}” read, "
                   f"of {len(module.lessons)}"),
            Column(f"{module.id}: completed", f"yes when every lesson of “{module.title}” is "
                   "read and each of its graded quizzes passed"),
        ]  # fmt: skip
    for quiz in course_quizzes():
        columns.append(Column(f"{quiz.id}: attempts", f"Attempts at “{quiz.title}”"))
        if quiz.is_graded:
            columns += [
                Column(f"{quiz.id}: best score", f"Best score in “{quiz.title}” (partial "
                       "credit gives fractions); empty if not taken"),
                Column(f"{quiz.id}: max score", f"The most points “{quiz.title}” gives"),
                Column(f"{quiz.id}: passed", f"yes once the learner passed “{quiz.title}”; "
                       "empty if not taken"),
            ]  # fmt: skip
    return columns + [column for _, column, _ in profile_columns()]


ProfileValue = Callable[[ProfileResult | None], Any]


def _trust_factor(trait_id: str) -> ProfileValue:
    return lambda r: points(r.stored.get("scores", {}).get(trait_id)) if r else None


def _profile_value(kind: str) -> ProfileValue:
    """The cell of a profile result: the trust score, the grid's quadrant, or the strongest
    trait(s) (a tie lists each, joined by " | ")."""
    if kind == "trust-formula":
        return lambda r: r.trust if r else None
    if kind == "grid":
        return lambda r: r.cell.title if r and r.cell else None
    return lambda r: " | ".join(t.label for t in r.traits) if r else None


def profile_columns() -> list[tuple[tuple[str, str], Column, ProfileValue]]:
    """learners.csv's columns for the profiles the course's self-assessments define, each with
    its (quiz id, profile id) and how to write a result: one column per profile, plus one per
    factor for a trust formula."""
    found = []
    for quiz, profile in reporting.profile_kinds():
        key, name, title = (
            (quiz.id, profile.id),
            f"{quiz.id}: {profile.id}",
            profile.title_for_cohort,
        )
        source = f"from “{quiz.title}”: the latest result since joining; empty if none"
        if profile.kind == "trust-formula":
            meaning = f"{title}: the trust score, 0 to 100, {source}"
        elif profile.kind == "grid":
            cells = ", ".join(c.title for c in profile.cells or [])
            meaning = f"{title}: the quadrant ({cells}), {source}"
        else:
            labels = ", ".join(t.label for t in profile.traits)
            meaning = f"{title}: the strongest ({labels}; a tie lists each, joined by |), {source}"
        found.append((key, Column(name, meaning), _profile_value(profile.kind)))
        if profile.kind == "trust-formula":
            found += [
                (key, Column(f"{name}: {t.id}", f"{title}: {t.label}, 1 to 10, {source}"),
                 _trust_factor(t.id))
                for t in profile.traits
            ]  # fmt: skip
    return found


def learners_csv(f: reporting.ReportFilter) -> Iterator[str]:
    """One row per learner: who they are, progress in each module, results in each quiz and
    their latest self-assessment results."""
    catalogue = get_catalogue()
    quizzes = course_quizzes()
    profiles = profile_columns()
    rows = reporting.learner_rows(f)
    results = reporting.latest_profiles(f)

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            learner = row.learner
            line: list[Any] = [
                learner.id,
                learner.name,
                learner.email,
                learner.active,
                learner.joined_at,
                row.last_activity,
                len(row.completed),
                *certificate_cells(row.certificate),
            ]
            for module in catalogue.modules:
                line += [row.lessons.get(module.id, 0), module.id in row.completed]
            for quiz in quizzes:
                cell = row.quizzes.get(quiz.id)
                line.append(cell.attempts if cell else 0)
                if quiz.is_graded:
                    line += [
                        points(cell.best) if cell else None,
                        quiz.max_score,
                        bool(cell.passed) if cell else None,
                    ]
            found = {(p.quiz.id, p.result.id): p.result for p in results.get(learner.id, [])}
            line += [value(found.get(key)) for key, _, value in profiles]
            yield line

    return csv_lines([c.name for c in learner_columns()], lines())


ANSWER_COLUMNS = [
    Column("learner_id", "The learner's account id in Rapport"),
    Column("name", "The learner's name"),
    Column("email", "The learner's email address"),
    Column("attempt_id", "The attempt's id: the answers of one submission share it"),
    Column("quiz_id", "The quiz (see the `quiz` rows of this codebook)"),
    Column("submitted_at", "When the attempt was submitted (UTC)"),
    Column("question_id", "The question (see the `question` rows)"),
    Column("question_version", "The question's version fingerprint when it was answered"),
    Column("current_version", "yes if the question is unchanged since; no if it was edited"),
    Column("chosen_option_ids", "The options chosen, joined by | (see the `option` rows)"),
    Column("chosen_option_texts", "The texts of the options chosen, joined by | "),
    Column("correct", "yes or no; empty for a profile question, which is never marked"),
    Column("credit", "The share of the question's point earned, 0 to 1; empty for a profile "
           "question"),
    Column("retake_of_attempt_id", "For a retake of missed questions, the attempt it retook"),
    Column("shown_option_ids", "The options in the order the learner saw them, joined by |; "
           "empty when they were not shuffled"),
]  # fmt: skip
ANSWER_HEADER = [c.name for c in ANSWER_COLUMNS]


def points(value: float | None) -> float | int | None:
    """A score for a spreadsheet: whole points as integers, fractions to four places."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def answers_csv(f: reporting.ReportFilter) -> Iterator[str]:
    """One row per answer of the cohort's learners; `correct` and `credit` are empty for
    profile questions; `retake_of_attempt_id` names the attempt a retake of missed questions
    retook; `shown_option_ids` is the order the options were shown in (empty before shuffling)."""
    catalogue = get_catalogue()

    def lines() -> Iterator[list[Any]]:
        for (
            user_id,
            name,
            email,
            attempt_id,
            quiz_id,
            submitted_at,
            question_id,
            version,
            selected,
            correct,
            credit,
            retake_of,
            order,
        ) in reporting.answer_rows(f):
            quiz = catalogue.quiz(quiz_id)
            question = quiz.question(question_id) if quiz else None
            texts = (
                question.question_kind.answer_texts(question, selected) if question else selected
            )
            yield [
                user_id,
                name,
                email,
                attempt_id,
                quiz_id,
                submitted_at,
                question_id,
                version,
                question is not None and question.version == version,
                "|".join(selected),
                " | ".join(texts),
                correct,
                points(float(correct) if credit is None and correct is not None else credit),
                retake_of,
                "|".join((order or {}).get(question_id, [])),
            ]

    return csv_lines(ANSWER_HEADER, lines())
