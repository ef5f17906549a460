"""CSV exports of a cohort: one row per learner, or one row per answer. Safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from app.services import reporting
from app.services.catalogue import get_catalogue

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


CERTIFICATE_HEADER = ["certificate_issued_at", "certificate_code", "certificate_revoked"]


def certificate_cells(certificate: reporting.HeldCertificate | None) -> list[Any]:
    """The learner's certificate in the CSV: issued, code, revoked (yes/no); empty for none."""
    if certificate is None:
        return [None, None, None]
    return [certificate.issued_at, certificate.code, certificate.revoked]


def learners_csv(f: reporting.ReportFilter) -> Iterator[str]:
    """One row per learner: who they are, progress in each module and results in each quiz."""
    catalogue = get_catalogue()
    quizzes = [catalogue.quiz(q) for m in catalogue.modules for q in m.quizzes]
    quizzes = [q for q in quizzes if q is not None]
    header = ["learner_id", "name", "email", "active", "joined_at", "last_activity"]
    header += ["modules_completed", *CERTIFICATE_HEADER]
    for module in catalogue.modules:
        header += [f"{module.id}: lessons read", f"{module.id}: completed"]
    for quiz in quizzes:
        header.append(f"{quiz.id}: attempts")
        if quiz.is_graded:
            header += [f"{quiz.id}: best score", f"{quiz.id}: max score", f"{quiz.id}: passed"]
    rows = reporting.learner_rows(f)

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
            yield line

    return csv_lines(header, lines())


ANSWER_HEADER = [
    "learner_id",
    "name",
    "email",
    "attempt_id",
    "quiz_id",
    "submitted_at",
    "question_id",
    "question_version",
    "current_version",
    "chosen_option_ids",
    "chosen_option_texts",
    "correct",
    "credit",
    "retake_of_attempt_id",
    "shown_option_ids",
]


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
