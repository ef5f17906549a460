"""The figures of one question's item analysis (facility, discrimination, options, flags) and
how they are finished from counted answers, whether counted live or read from the summaries.

Both rest on each answer's credit, the share of the point it earned: 1 or 0 for an all-or-nothing
question, so that facility is the share right; a fraction under partial scoring, so that facility
is the average credit (the share fully right is reported beside it)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from app.content import Question
from app.content.kinds import QUESTION_KINDS
from app.services.catalogue import get_catalogue

# Item-analysis flags: a facility above EASY or below HARD, or a negative discrimination,
# deserves a second look once at least FLAG_MIN_ANSWERS learners answered.
EASY = 0.95
HARD = 0.20
FLAG_MIN_ANSWERS = 5

# What to do about each flag, in plain words.
SUGGESTIONS = {
    "too easy": (
        "Nearly everyone gets it right: make the wrong options more plausible, or ask about a "
        "harder case."
    ),
    "too hard": (
        "Few get it right: check the answer key, then whether the lesson teaches it clearly "
        "and the prompt says what it asks."
    ),
    "negative discrimination": (
        "Learners who did well on the rest of the quiz got this one wrong more often: check the "
        "answer key and look for a second defensible answer or an ambiguous prompt."
    ),
}

ItemKey = tuple[str, str, str]  # quiz id, question id, question version
# Sums of fractional credits that differ from the count of right answers by less than this are
# the same number (float addition in another order).
CREDIT_TOLERANCE = 1e-6


@dataclass
class OptionCount:
    id: str
    text: str
    correct: bool
    count: int = 0
    in_place: int | None = None  # kinds that count placement: how many put it in its place
    most_chosen_wrong: bool = False


@dataclass
class QuestionStats:
    """Item analysis of one question (one version of it) over learners' first attempts."""

    id: str
    version: str
    question: Question | None
    current: bool
    answered: int = 0
    right: int = 0  # fully right
    facility: float | None = None  # the average credit (the share right, when all or nothing)
    discrimination: float | None = None
    options: list[OptionCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    # Σx, Σy, Σxy, Σx², Σy²: x = the credit earned on this question, y = the rest of the attempt.
    sums: list[float] = field(default_factory=lambda: [0.0] * 5, repr=False)

    @property
    def partial(self) -> bool:
        """Whether answers earn a share of the point: today's question says `scoring: partial`,
        or (an older version, whose definition is not on record) some answer earned a fraction."""
        if self.question is not None and self.current:
            return self.question.scoring == "partial"
        return abs(self.sums[0] - self.right) > CREDIT_TOLERANCE

    @property
    def average_credit(self) -> float | None:
        """The mean share of the point earned (0 to 1); the facility, for a partial question."""
        return self.sums[0] / self.answered if self.answered else None

    @property
    def fully_right(self) -> float | None:
        """The share of learners whose answer was entirely right."""
        return self.right / self.answered if self.answered else None

    @property
    def concepts(self) -> list[str]:
        """The concepts the question tests (today's version's tags)."""
        return list(self.question.concepts) if self.question is not None else []

    @property
    def suggestions(self) -> list[str]:
        return [SUGGESTIONS[flag] for flag in self.flags]

    @property
    def most_chosen_wrong(self) -> OptionCount | None:
        return next((o for o in self.options if o.most_chosen_wrong), None)

    @property
    def counts_placement(self) -> bool:
        """Whether its options are counted by place (the current version of such a kind)."""
        question = self.question
        return (
            question is not None and self.current and QUESTION_KINDS[question.kind].counts_placement
        )


def pearson(n: float, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)); None when it cannot be computed."""
    if n < 2:
        return None
    denominator = (n * sxx - sx * sx) * (n * syy - sy * sy)
    if denominator <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(denominator)


def finish_items(
    graded: list[str],
    found: dict[ItemKey, QuestionStats],
    option_counts: dict[ItemKey, Counter],
    in_place: dict[ItemKey, Counter],
) -> dict[str, list[QuestionStats]]:
    """Facility, discrimination, options and flags from the counted answers, per quiz: current
    versions first, in quiz order; older versions follow."""
    catalogue = get_catalogue()
    result: dict[str, list[QuestionStats]] = {quiz_id: [] for quiz_id in graded}
    for key, stats in found.items():
        stats.facility = stats.average_credit
        stats.discrimination = pearson(stats.answered, *stats.sums)
        stats.options = _options(stats, option_counts[key], in_place.get(key))
        stats.flags = _flags(stats)
        result.setdefault(key[0], []).append(stats)
    for quiz_id, entries in result.items():
        quiz = catalogue.quiz(quiz_id)
        order = {q.id: i for i, q in enumerate(quiz.questions)} if quiz else {}
        entries.sort(key=lambda s: (not s.current, order.get(s.id, 10_000), s.id, s.version))
    return result


def _options(stats: QuestionStats, counts: Counter, placed: Counter | None) -> list[OptionCount]:
    question = stats.question
    if question is not None and stats.current:
        right = set(question.correct_option_ids)
        options = [
            OptionCount(o.id, o.text, o.id in right, counts.get(o.id, 0)) for o in question.options
        ]
    else:  # an older version: the ids chosen then, without today's texts
        options = [OptionCount(i, i, False, c) for i, c in sorted(counts.items())]
    if stats.counts_placement:
        for option in options:
            option.in_place = (placed or Counter()).get(option.id, 0)
            option.correct = False
        misplaced = [o for o in options if o.in_place < stats.answered]
        if misplaced:
            min(misplaced, key=lambda o: o.in_place).most_chosen_wrong = True
        return options
    wrong = [o for o in options if not o.correct and o.count]
    if wrong and stats.current:
        max(wrong, key=lambda o: o.count).most_chosen_wrong = True
    return options


def _flags(stats: QuestionStats) -> list[str]:
    if stats.answered < FLAG_MIN_ANSWERS or stats.facility is None:
        return []
    flags = []
    if stats.facility > EASY:
        flags.append("too easy")
    if stats.facility < HARD:
        flags.append("too hard")
    if stats.discrimination is not None and stats.discrimination < 0:
        flags.append("negative discrimination")
    return flags
