"""The codebook of a cohort's CSV exports (issue 12): what each column of learners.csv and
answers.csv means, and the words behind every id they hold (modules, quizzes, questions,
options), with the content version. A second CSV, safe in a spreadsheet like the others."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.services import exports
from app.services.catalogue import get_catalogue

CODEBOOK_HEADER = ["kind", "file", "id", "meaning", "quiz_id", "question_id", "version"]


def codebook_rows() -> Iterator[list[Any]]:
    """One row per entry: the content version, then each column of the two exports, then each
    module, quiz, question and option of the course as it is now."""
    catalogue = get_catalogue()
    yield [
        "content", None, "version",
        "The version of the course content; question texts below are those of this version "
        "(answers.csv marks answers to an older version of a question)",
        None, None, catalogue.version,
    ]  # fmt: skip
    for file, columns in (
        ("learners.csv", exports.learner_columns()),
        ("answers.csv", exports.ANSWER_COLUMNS),
    ):
        for column in columns:
            yield ["column", file, column.name, column.meaning, None, None, None]
    for module in catalogue.modules:
        yield ["module", None, module.id, module.title, None, None, None]
    for quiz in exports.course_quizzes():
        yield ["quiz", None, quiz.id, quiz.title, quiz.id, None, quiz.version]
        for question in quiz.questions:
            version = question.version
            yield ["question", None, question.id, question.prompt, quiz.id, question.id, version]
            for option in question.options:
                yield ["option", None, option.id, option.text, quiz.id, question.id, version]


def codebook_csv() -> Iterator[str]:
    """The codebook as CSV text, a line at a time."""
    return exports.csv_lines(CODEBOOK_HEADER, codebook_rows())
