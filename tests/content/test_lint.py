"""`content lint`: teaching warnings at path:line, through the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MODULE = """\
id: m
position: 1
title: A module
summary: For the lint tests.
estimated_minutes: 5
lessons:
  - id: l
    title: A lesson
    body: Some text.
quizzes: [q]
"""


def single(qid: str, right: int, texts: list[str], feedback: bool = True) -> str:
    """A single-answer question with the right option at index `right`."""
    lines = [f"  - id: {qid}", "    kind: single", f"    prompt: Question {qid}?", "    options:"]
    for index, text in enumerate(texts):
        lines.append(f"      - id: o{index}")
        lines.append(f"        text: {text}")
        if index == right:
            lines.append("        correct: true")
        elif feedback:
            lines.append(f"        feedback: Why {text} is wrong.")
    lines.append("    explanation: Because.")
    return "\n".join(lines) + "\n"


def quiz_file(questions: str, kind: str = "graded", profiles: str = "") -> str:
    head = f"id: q\ntitle: A quiz\nkind: {kind}\n"
    if kind == "graded":
        head += "pass_mark: 50\n"
    return head + profiles + "questions:\n" + questions


def lint(runner, tmp_path: Path, quiz: str, *args: str):
    (tmp_path / "modules").mkdir(exist_ok=True)
    (tmp_path / "quizzes").mkdir(exist_ok=True)
    (tmp_path / "modules" / "m.yaml").write_text(MODULE)
    (tmp_path / "quizzes" / "q.yaml").write_text(quiz)
    return runner.invoke(args=["content", "lint", "--dir", str(tmp_path), *args])


def warnings_of(result) -> list[str]:
    assert "problem(s) found" not in result.output, result.output  # the crafted file loads
    return [line for line in result.output.splitlines() if ": warning: " in line]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line holding `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


# Four questions whose right options vary in position and are never the longest.
CLEAN = (
    single("s1", 0, ["Rephrase", "Reassure them", "Ask questions"])
    + single("s2", 1, ["Speak softly now", "Raise it", "Shout loudly"])
    + single("s3", 2, ["Go laid back", "Stay distant", "Be formal"])
    + single("s4", 1, ["A long wrong one", "Short", "Another wrong"])
)


def test_clean_content_passes_strict(runner, tmp_path: Path):
    result = lint(runner, tmp_path, quiz_file(CLEAN), "--strict")
    assert result.exit_code == 0, result.output
    assert warnings_of(result) == []


def test_the_shipped_course_is_lint_clean_under_strict(runner):
    result = runner.invoke(args=["content", "lint", "--strict"])
    assert result.exit_code == 0, result.output
    assert warnings_of(result) == []


def test_the_longest_right_option(runner, tmp_path: Path):
    questions = (
        single("s1", 0, ["The right and much longer option", "No", "Nope"])
        + single("s2", 1, ["No", "The right and much longer option", "Nope"])
        + single("s3", 2, ["No", "Nope", "The right and much longer option"])
        + single("s4", 1, ["A long wrong one", "Short", "Another wrong"])
    )
    text = quiz_file(questions)
    result = lint(runner, tmp_path, text)
    assert result.exit_code == 0  # warnings alone do not fail without --strict
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, 'questions:')}: warning: the right option is the longest "
        "in 3 of 4 single-answer questions (s1, s2, s3): make the wrong options as long and "
        "plausible"
    ]
    assert lint(runner, tmp_path, text, "--strict").exit_code == 1


def test_the_longest_right_option_needs_four_single_questions(runner, tmp_path: Path):
    questions = single("s1", 0, ["The right and much longer option", "No", "Nope"]) + single(
        "s2", 1, ["No", "The right and much longer option", "Nope"]
    )
    assert warnings_of(lint(runner, tmp_path, quiz_file(questions))) == []


def test_a_wrong_option_without_feedback(runner, tmp_path: Path):
    text = quiz_file(CLEAN.replace("        feedback: Why Stay distant is wrong.\n", ""))
    result = lint(runner, tmp_path, text, "--strict")
    assert result.exit_code == 1
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, '- id: o1', 3)}: warning: question 's3', option 'o1': "
        "a wrong option without `feedback` (say why it is wrong)"
    ]


@pytest.mark.parametrize("words", ["All of the above", "none of the  above"])
def test_all_or_none_of_the_above(runner, tmp_path: Path, words: str):
    text = quiz_file(CLEAN.replace("text: Another wrong", f"text: {words}"))
    result = lint(runner, tmp_path, text)
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, words)}: warning: question 's4', option 'o2': "
        f"“{words}” tests test-taking, not the subject; write a real option"
    ]


def test_a_profile_prompt_speaking_of_a_correct_answer(runner, tmp_path: Path):
    profiles = textwrap.dedent("""\
        profiles:
          - id: p
            title: Your way
            kind: dominant
            traits:
              - {id: x, label: X}
              - {id: y, label: Y}
        """)
    questions = textwrap.dedent("""\
          - id: about-you
            kind: profile
            prompt: |
              What comes to mind first?

              Check the correct response.
            options:
              - {id: a, text: One, weights: {x: 1}}
              - {id: b, text: Other, weights: {y: 1}}
            explanation: There is no right answer here.
        """)
    text = quiz_file(questions, kind="self-assessment", profiles=profiles)
    result = lint(runner, tmp_path, text)
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, 'Check the correct')}: warning: question 'about-you' is "
        "not marked, but its prompt speaks of a “correct response”"
    ]


@pytest.mark.parametrize(
    ("sentence", "letter"),
    [
        ("So a) is the one to pick.", "a)"),
        ("Pick option B next time.", "option B"),
        ("The answer (c) says it all.", "answer (c)"),
        ("- **d, Resignation:** you give up.", "- **d,"),
    ],
)
def test_an_explanation_naming_an_option_letter(runner, tmp_path: Path, sentence, letter):
    explanation = f"    explanation: |\n      First line.\n      {sentence}\n"
    text = quiz_file(CLEAN.replace("    explanation: Because.\n", explanation, 1))
    result = lint(runner, tmp_path, text)
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, sentence)}: warning: question 's1': the explanation "
        f"names an option letter (“{letter}”); options are not lettered on the page (and may be "
        "shuffled): name the option instead"
    ]


def test_feedback_naming_an_option_letter(runner, tmp_path: Path):
    text = quiz_file(CLEAN.replace("Why Shout loudly is wrong.", "Unlike option a, it shouts."))
    assert warnings_of(lint(runner, tmp_path, text)) == [
        f"quizzes/q.yaml:{line_of(text, 'Unlike option a')}: warning: question 's2', option "
        "'o2': the feedback names an option letter (“option a”); options are not lettered on the "
        "page (and may be shuffled): name the option instead"
    ]


def test_ordinary_words_are_not_taken_for_letters(runner, tmp_path: Path):
    explanation = (
        "    explanation: |\n"
        "      A customer asks a question: answer a question with care (e.g. a map).\n"
        "      Be open (and clear). A calm voice helps.\n"
    )
    text = quiz_file(CLEAN.replace("    explanation: Because.\n", explanation, 1))
    assert warnings_of(lint(runner, tmp_path, text, "--strict")) == []


def test_right_options_in_the_same_position(runner, tmp_path: Path):
    tick_all = (
        "  - id: m1\n    kind: multiple\n    prompt: Tick all.\n    options:\n"
        "      - {id: a, text: One, correct: true}\n"
        "      - {id: b, text: Two, correct: true}\n"
        "      - {id: c, text: Three, feedback: Not this.}\n"
        "    explanation: Because.\n"
    )
    questions = (
        single("s1", 0, ["Go", "Stay here", "Wait here"])
        + single("s2", 1, ["Stay here", "Go", "Wait here"])
        + single("s3", 0, ["Go", "Stay here", "Wait here"])
        + tick_all
    )
    unshuffled = questions.replace(
        "    explanation: Because.\n", "    shuffle: false\n    explanation: Because.\n"
    )
    text = quiz_file(unshuffled)
    result = lint(runner, tmp_path, text)
    assert warnings_of(result) == [
        f"quizzes/q.yaml:{line_of(text, 'questions:')}: warning: the right options are at the "
        "top in 3 of 4 questions (s1, s3, m1): vary where they sit"
    ]


def test_shuffled_options_give_no_position_away(runner, tmp_path: Path):
    """Options are shuffled unless a question says `shuffle: false`: the same written positions
    are no cue then, and only the unshuffled questions are counted."""
    questions = "".join(single(f"s{n}", 0, ["Go", "Stay here", "Wait here"]) for n in range(4))
    assert warnings_of(lint(runner, tmp_path, quiz_file(questions), "--strict")) == []
    two_fixed = questions.replace(
        "    explanation: Because.\n", "    shuffle: false\n    explanation: Because.\n", 2
    )
    assert warnings_of(lint(runner, tmp_path, quiz_file(two_fixed), "--strict")) == []


def test_a_self_assessment_has_no_position_rule(runner, tmp_path: Path):
    profiles = "profiles:\n  - {id: p, title: P, kind: dominant, traits: [{id: x, label: X}]}\n"
    question = (
        "  - id: {qid}\n    kind: profile\n    prompt: About you?\n    options:\n"
        "      - {{id: a, text: One, weights: {{x: 1}}}}\n"
        "      - {{id: b, text: Two, weights: {{x: 2}}}}\n    explanation: Fine.\n"
    )
    questions = "".join(question.format(qid=f"p{n}") for n in range(5))
    text = quiz_file(questions, kind="self-assessment", profiles=profiles)
    assert warnings_of(lint(runner, tmp_path, text, "--strict")) == []


def test_content_that_does_not_load_is_reported_as_by_check(runner, tmp_path: Path):
    result = lint(runner, tmp_path, quiz_file(CLEAN).replace("kind: graded", "kind: gradd"))
    assert result.exit_code == 1
    assert "quizzes/q.yaml:3: kind:" in result.output
