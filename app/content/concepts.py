"""Concepts across files: those course.yaml declares, the lessons that teach them, the questions
that test them, and pre-tests (`pre_test_of`) that check them before a module's lessons."""

from __future__ import annotations

from app.content.course import Course
from app.content.schema import Module, Quiz
from app.content.sources import ContentProblem, SourceFile, line_of


def check_concepts(
    course_source: SourceFile | None,
    modules: list[SourceFile],
    quizzes: dict[str, SourceFile],
) -> list[ContentProblem]:
    """Each concept's lesson exists, each question names declared concepts, and each pre-test
    belongs to its quiz's module and tests that quiz's concepts."""
    course: Course | None = course_source.model if course_source else None
    problems = _declared(course_source, modules) if course_source and course else []
    known = {c.id for c in course.concepts} if course else set()
    for source in quizzes.values():
        quiz: Quiz = source.model
        for q_index, question in enumerate(quiz.questions):
            for c_index, concept in enumerate(question.concepts):
                if concept not in known:
                    where = ("questions", q_index, "concepts", c_index)
                    declared = ", ".join(sorted(known)) or "none: declare them in course.yaml"
                    problems.append(
                        ContentProblem(
                            source.path,
                            line_of(source.tree, where),
                            f"question '{question.id}': unknown concept '{concept}' "
                            f"(declared: {declared})",
                        )
                    )
        if quiz.pre_test_of is not None:
            problems += _pre_test(source, quizzes, modules)
    return problems


def _declared(source: SourceFile, modules: list[SourceFile]) -> list[ContentProblem]:
    course: Course = source.model
    lessons = {f"{m.model.id}/{lesson.id}" for m in modules for lesson in m.model.lessons}
    problems, seen = [], set()
    for index, concept in enumerate(course.concepts):
        if concept.id in seen:
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("concepts", index, "id")),
                    f"concept '{concept.id}' is declared twice",
                )
            )
        seen.add(concept.id)
        if concept.lesson not in lessons:
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("concepts", index, "lesson")),
                    f"concept '{concept.id}': no lesson '{concept.lesson}' "
                    "(write module-id/lesson-id)",
                )
            )
    return problems


def _module_of(quiz_id: str, modules: list[SourceFile]) -> Module | None:
    return next((m.model for m in modules if quiz_id in m.model.quizzes), None)


def _pre_test(
    source: SourceFile, quizzes: dict[str, SourceFile], modules: list[SourceFile]
) -> list[ContentProblem]:
    quiz: Quiz = source.model
    line = line_of(source.tree, ("pre_test_of",))
    target = quizzes.get(quiz.pre_test_of or "")
    if target is None or not target.model.is_graded:
        what = "does not exist" if target is None else "is not a graded quiz with a pass mark"
        return [ContentProblem(source.path, line, f"pre_test_of: quiz '{quiz.pre_test_of}' {what}")]
    problems = []
    mine, theirs = _module_of(quiz.id, modules), _module_of(target.model.id, modules)
    if mine is None or theirs is None or mine.id != theirs.id:
        problems.append(
            ContentProblem(
                source.path,
                line,
                f"a pre-test is listed in the `quizzes` of the module of '{target.model.id}'",
            )
        )
    tested = {c for q in target.model.questions for c in q.concepts}
    for index, question in enumerate(quiz.questions):
        if not question.concepts:
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("questions", index)),
                    f"question '{question.id}': a pre-test question needs `concepts`",
                )
            )
        for concept in question.concepts:
            if concept not in tested:
                problems.append(
                    ContentProblem(
                        source.path,
                        line_of(source.tree, ("questions", index, "concepts")),
                        f"question '{question.id}': concept '{concept}' is not tested by "
                        f"'{target.model.id}', so no gain can be measured",
                    )
                )
    return problems
