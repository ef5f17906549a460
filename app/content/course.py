"""The course file (`course.yaml`): the course's title, its version and what completes it.

It is optional: without it the course has no completion rules and no certificates. Its problems
are reported at path:line with the modules' and quizzes', through the loader's own machinery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.content.fields import Id, Strict, Text
from app.content.schema import Quiz
from app.content.sources import ContentProblem, SourceFile, line_of, read_yaml, validate

COURSE_FILE = "course.yaml"

Version = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^\S+$")
]


class Completion(Strict):
    """What a learner must have done for the course to count as completed."""

    every_lesson_read: bool = True
    every_graded_quiz_passed: bool = True
    self_assessments_taken: list[Id] = Field(default_factory=list)
    # quiz id -> the lowest best score (percent of the quiz's maximum) that counts
    minimum_scores: dict[Id, Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=dict)

    def may_be_met_by_attempt(self, quiz_id: str, passed: bool | None) -> bool:
        """Whether an attempt at this quiz can be the step that completes the course: a pass, or
        an attempt at a quiz the rules name. A failed attempt elsewhere changes nothing the rules
        read, so the check (two queries) is skipped for it."""
        return (
            bool(passed) or quiz_id in self.self_assessments_taken or quiz_id in self.minimum_scores
        )


class Concept(Strict):
    """An idea the course teaches, which questions test (`concepts:` on a question)."""

    id: Id
    title: Text
    lesson: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]  # module/lesson


class Course(Strict):
    id: Id
    title: Text
    version: Version
    completion: Completion = Field(default_factory=Completion)
    concepts: list[Concept] = Field(default_factory=list, max_length=200)

    def concept(self, concept_id: str) -> Concept | None:
        return next((c for c in self.concepts if c.id == concept_id), None)


def read_course(
    content_dir: Path, careful: bool, quizzes: dict[str, Quiz]
) -> tuple[Course | None, SourceFile | None, list[Any]]:
    """The course file under content_dir (None when there is none), its source and problems."""
    path = content_dir / COURSE_FILE
    if not path.is_file():
        return None, None, []
    tree, problems = read_yaml(path, COURSE_FILE, careful)
    if tree is None:
        return None, None, problems
    source = SourceFile(COURSE_FILE, tree)
    problems = validate(source, Course)
    course = source.model
    if course is None:
        return None, source, problems
    completion = course.completion
    for index, quiz_id in enumerate(completion.self_assessments_taken):
        quiz = quizzes.get(quiz_id)
        if quiz is None or quiz.is_graded:
            line = line_of(tree, ("completion", "self_assessments_taken", index))
            what = "does not exist" if quiz is None else "is graded, not a self-assessment"
            problems.append(ContentProblem(COURSE_FILE, line, f"quiz '{quiz_id}' {what}"))
    for quiz_id in completion.minimum_scores:
        quiz = quizzes.get(quiz_id)
        if quiz is None or not quiz.is_graded:
            line = line_of(tree, ("completion", "minimum_scores", quiz_id))
            what = "does not exist" if quiz is None else "is a self-assessment and has no score"
            problems.append(ContentProblem(COURSE_FILE, line, f"quiz '{quiz_id}' {what}"))
    return (None if problems else course), source, problems
