"""Teaching checks on content that loads: cues that give the answer away, missing feedback.

`content check` decides whether the course can be served; these warnings say where a quiz teaches
less than it could. Each points at the YAML node at fault, as `path:line: warning: message`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.content.loader import load_catalogue
from app.content.schema import Question, Quiz
from app.content.sources import ContentProblem, collect_files, line_of, read_yaml, text_start

MIN_QUESTIONS_FOR_A_PATTERN = 4  # below this, a "usual" length or position is chance

ABOVE = re.compile(r"\b(all|none)\s+of\s+the\s+above\b", re.IGNORECASE)
RIGHT_ANSWER = re.compile(
    r"(?<!\bno )\b(correct|right)\s+(answer|response|option|choice)s?\b", re.IGNORECASE
)
OPTION_LETTER = re.compile(
    r"""
    (?<![\w'’.])\(?[a-hA-H]\)(?!\w)                                   # a)  (c)  B)
    | \b(?i:option|answer|choice|response)s?\s+
      (?:\([a-hA-H]\) | [A-H](?![\w'’]) | [a-h](?=[.,;:!?)]|\s+(?:and|or)\s+\(?[a-hA-H]\b|$))
    | ^\s*(?:[-*+]\s+|\d+\.\s+)?(?:\*\*|__|\*|_)?[a-hA-H](?:\.\s|:\s|,\s)  # "- **a, …" "B. …"
    """,
    re.VERBOSE | re.MULTILINE,
)


class LintWarning(ContentProblem):
    """A teaching warning at path:line; the content still loads and can be served."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


@dataclass(frozen=True)
class _QuizFile:
    path: str
    tree: Any
    quiz: Quiz

    def warn(self, loc: tuple, message: str) -> LintWarning:
        return LintWarning(self.path, line_of(self.tree, loc), message)

    def warn_in_text(self, loc: tuple, offset: int, message: str) -> LintWarning:
        """A warning on line `offset` (0-based) of the text value at `loc`."""
        return LintWarning(self.path, text_start(self.tree, loc) + offset + 1, message)


def lint_content(content_dir: Path | str) -> list[LintWarning]:
    """Every teaching warning for the content under content_dir; ContentError if it does not load."""
    content_dir = Path(content_dir)
    catalogue = load_catalogue(content_dir)
    warnings: list[LintWarning] = []
    files, _ = collect_files(content_dir, "quizzes")
    for path in files:
        shown = f"quizzes/{path.name}"
        tree, _ = read_yaml(path, shown, careful=True)
        quiz = catalogue.quiz(str(tree["id"])) if tree is not None else None
        if quiz is not None:
            source = _QuizFile(shown, tree, quiz)
            for rule in RULES:
                warnings.extend(rule(source))
    return sorted(warnings)


def _right_positions(question: Question) -> list[int]:
    return [index for index, option in enumerate(question.options) if option.correct]


def _longest_right_option(source: _QuizFile) -> Iterator[LintWarning]:
    singles = [q for q in source.quiz.questions if len(_right_positions(q)) == 1]
    if len(singles) < MIN_QUESTIONS_FOR_A_PATTERN:
        return
    longest = []
    for question in singles:
        right = next(o for o in question.options if o.correct)
        if all(len(right.text) > len(o.text) for o in question.options if o is not right):
            longest.append(question.id)
    if 2 * len(longest) > len(singles):
        yield source.warn(
            ("questions",),
            f"the right option is the longest in {len(longest)} of {len(singles)} single-answer "
            f"questions ({', '.join(longest)}): make the wrong options as long and plausible",
        )


def _wrong_option_without_feedback(source: _QuizFile) -> Iterator[LintWarning]:
    for q_index, question in enumerate(source.quiz.questions):
        if not _right_positions(question):
            continue  # no option is right or wrong (ordering, profile)
        for o_index, option in enumerate(question.options):
            if not option.correct and not option.feedback:
                yield source.warn(
                    ("questions", q_index, "options", o_index),
                    f"question '{question.id}', option '{option.id}': a wrong option without "
                    "`feedback` (say why it is wrong)",
                )


def _all_or_none_of_the_above(source: _QuizFile) -> Iterator[LintWarning]:
    for q_index, question in enumerate(source.quiz.questions):
        for o_index, option in enumerate(question.options):
            found = ABOVE.search(option.text)
            if found:
                yield source.warn(
                    ("questions", q_index, "options", o_index, "text"),
                    f"question '{question.id}', option '{option.id}': “{found.group(0)}” tests "
                    "test-taking, not the subject; write a real option",
                )


def _profile_prompt_with_right_answer(source: _QuizFile) -> Iterator[LintWarning]:
    for q_index, question in enumerate(source.quiz.questions):
        if question.graded:
            continue
        for offset, line in enumerate(question.prompt.splitlines()):
            found = RIGHT_ANSWER.search(line)
            if found:
                yield source.warn_in_text(
                    ("questions", q_index, "prompt"),
                    offset,
                    f"question '{question.id}' is not marked, but its prompt speaks of a "
                    f"“{found.group(0)}”",
                )


def _letters_in(text: str) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(text.splitlines()):
        found = OPTION_LETTER.search(line)
        if found:
            yield offset, found.group(0).strip()


def _option_letters(source: _QuizFile) -> Iterator[LintWarning]:
    hint = "options are not lettered on the page (and may be shuffled): name the option instead"
    for q_index, question in enumerate(source.quiz.questions):
        for offset, letter in _letters_in(question.explanation):
            yield source.warn_in_text(
                ("questions", q_index, "explanation"),
                offset,
                f"question '{question.id}': the explanation names an option letter "
                f"(“{letter}”); {hint}",
            )
        for o_index, option in enumerate(question.options):
            for offset, letter in _letters_in(option.feedback or ""):
                yield source.warn_in_text(
                    ("questions", q_index, "options", o_index, "feedback"),
                    offset,
                    f"question '{question.id}', option '{option.id}': the feedback names an "
                    f"option letter (“{letter}”); {hint}",
                )


def _position_label(question: Question) -> str:
    """Where the right options sit: a single answer at the top and the right answers of a
    tick-all question at the top are the same cue (choose the top ones)."""
    right, count = _right_positions(question), len(question.options)
    if right == list(range(len(right))):
        return "at the top"
    if right == list(range(count - len(right), count)):
        return "at the bottom"
    return "in position " + ", ".join(str(index + 1) for index in right)


def _shown_in_written_order(question: Question) -> bool:
    # Questions are unshuffled today; once a question can say `shuffle:`, its options no longer
    # sit where they are written, so their position gives nothing away.
    return not getattr(question, "shuffle", False)


def _same_right_position(source: _QuizFile) -> Iterator[LintWarning]:
    if not source.quiz.is_graded:
        return
    questions = [
        q for q in source.quiz.questions if _right_positions(q) and _shown_in_written_order(q)
    ]
    if len(questions) < MIN_QUESTIONS_FOR_A_PATTERN:
        return
    labels = Counter(_position_label(q) for q in questions)
    label, count = labels.most_common(1)[0]
    if 2 * count > len(questions):
        ids = [q.id for q in questions if _position_label(q) == label]
        yield source.warn(
            ("questions",),
            f"the right options are {label} in {count} of {len(questions)} questions "
            f"({', '.join(ids)}): vary where they sit",
        )


RULES = (
    _longest_right_option,
    _wrong_option_without_feedback,
    _all_or_none_of_the_above,
    _profile_prompt_with_right_answer,
    _option_letters,
    _same_right_position,
)
