"""The content loader: a valid course loads; every kind of broken file is named at path:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content import ContentError, load_catalogue
from tests.conftest import start_in_a_process

SAMPLE = Path(__file__).parent / "sample"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the sample course."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    return target


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_catalogue(content)
    return [str(p) for p in caught.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_sample_course_loads():
    catalogue = load_catalogue(SAMPLE)
    assert [m.id for m in catalogue.modules] == ["basics"]
    assert set(catalogue.quizzes) == {"basics-check", "basics-profile"}
    lesson = catalogue.module("basics").lesson("second")
    assert '<table class="grid-table">' in lesson.html
    assert "Cooperation" in lesson.html
    assert catalogue.summary().startswith(
        "content OK: 1 modules, 2 lessons, 2 quizzes, 4 questions"
    )


def test_unknown_key_is_named_with_a_suggestion(content: Path):
    quiz = content / "quizzes/basics-check.yaml"
    edit(quiz, "    explanation: A is right.", "    explanaton: A is right.")
    problems = problems_of(content)
    line = line_of(quiz, "explanaton")
    assert (
        f"quizzes/basics-check.yaml:{line}: question 'one': unknown key 'explanaton'; "
        "did you mean 'explanation'?" in problems
    )


def test_missing_field(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "estimated_minutes: 5\n", "")
    assert "modules/basics.yaml:1: missing required key 'estimated_minutes'" in problems_of(content)


def test_duplicate_id_across_files(content: Path):
    copy = content / "quizzes/copy.yaml"
    shutil.copy(content / "quizzes/basics-check.yaml", copy)
    problems = problems_of(content)
    assert any(
        p.startswith("quizzes/copy.yaml:1: quiz id 'basics-check' is already used by")
        for p in problems
    ), problems


def test_module_names_a_quiz_that_does_not_exist(content: Path):
    module = content / "modules/basics.yaml"
    edit(
        module,
        "quizzes: [basics-check, basics-profile]",
        "quizzes: [basics-check, basics-profile, nope]",
    )
    problems = problems_of(content)
    assert any(
        p.startswith(
            f"modules/basics.yaml:{line_of(module, 'quizzes:')}: quiz 'nope' does not exist"
        )
        for p in problems
    )


def test_quiz_used_by_no_module(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "quizzes: [basics-check, basics-profile]", "quizzes: [basics-check]")
    problems = problems_of(content)
    assert any("quiz 'basics-profile' is not listed in any module" in p for p in problems)
    # the grid figure now points at a quiz nobody takes, but it still exists: not reported twice
    assert len(problems) == 1


def test_right_answer_that_is_not_an_option(content: Path):
    quiz = content / "quizzes/basics-check.yaml"
    edit(quiz, "    correct_order: [x, y, z]", "    correct_order: [x, y, w]")
    problems = problems_of(content)
    line = line_of(quiz, "- id: order")
    assert any(
        p.startswith(
            f"quizzes/basics-check.yaml:{line}: question 'order': `correct_order` must list every option id"
        )
        for p in problems
    ), problems


def test_single_question_needs_exactly_one_right_option(content: Path):
    quiz = content / "quizzes/basics-check.yaml"
    edit(
        quiz,
        "      - {id: b, text: B, feedback: Not B.}",
        "      - {id: b, text: B, correct: true}",
    )
    problems = problems_of(content)
    assert any("exactly one option with `correct: true` (found 2)" in p for p in problems)


def test_ordering_question_without_an_order(content: Path):
    quiz = content / "quizzes/basics-check.yaml"
    edit(quiz, "    correct_order: [x, y, z]\n", "")
    problems = problems_of(content)
    assert any("an ordering question needs `correct_order`" in p for p in problems)


def test_raw_html_in_markdown_names_the_line_inside_the_body(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "      Some **bold** text.", "      Some <script>alert(1)</script> text.")
    problems = problems_of(content)
    line = line_of(module, "<script>")
    assert any(
        p.startswith(f"modules/basics.yaml:{line}: raw HTML is not allowed in Markdown")
        for p in problems
    ), problems


def test_tab_in_yaml(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "  - id: first", "\t- id: first")
    assert (
        f"modules/basics.yaml:{line_of(module, 'id: first')}: tab character in indentation; indent with spaces"
        in problems_of(content)
    )


def test_duplicate_key(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "title: Basics\n", "title: Basics\ntitle: Again\n")
    problems = problems_of(content)
    assert any(p.startswith("modules/basics.yaml:") and "duplicate key" in p for p in problems), (
        problems
    )


def test_yaml_syntax_error(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "title: Basics", "title: [Basics")
    problems = problems_of(content)
    assert len(problems) == 1
    assert problems[0].startswith("modules/basics.yaml:")
    assert "YAML error" in problems[0]


def test_not_utf8_and_not_a_mapping(content: Path):
    (content / "modules/basics.yaml").write_bytes(b"id: caf\xe9\n")
    (content / "quizzes/basics-profile.yaml").write_text("- just\n- a list\n")
    problems = problems_of(content)
    assert "modules/basics.yaml:1: is not UTF-8 text; save it as UTF-8" in problems
    assert (
        "quizzes/basics-profile.yaml:1: the file must be a mapping of keys (id:, title:, …)"
        in problems
    )


def test_grid_figure_must_name_a_grid_profile(content: Path):
    module = content / "modules/basics.yaml"
    edit(module, "      basics-profile/position", "      basics-profile/nothing")
    problems = problems_of(content)
    assert any("grid figure 'basics-profile/nothing' names no grid profile" in p for p in problems)


def test_profile_rules(content: Path):
    quiz = content / "quizzes/basics-profile.yaml"
    edit(quiz, "weights: {self: 1, others: -1}", "weights: {self: 1, mood: -1}")
    edit(content / "quizzes/basics-check.yaml", "pass_mark: 75\n", "")
    problems = problems_of(content)
    assert any(
        "weight on trait 'mood', which no profile of this quiz declares" in p for p in problems
    )
    assert any("a graded quiz needs a `pass_mark`" in p for p in problems)


def test_every_problem_is_reported_at_once(content: Path):
    edit(content / "modules/basics.yaml", "estimated_minutes: 5", "estimated_minutes: soon")
    edit(content / "quizzes/basics-check.yaml", "    kind: single", "    kind: essay")
    edit(
        content / "quizzes/basics-profile.yaml",
        "kind: self-assessment",
        "kind: self-assessment\nextra: 1",
    )
    problems = problems_of(content)
    files = {p.split(":")[0] for p in problems}
    assert files == {
        "modules/basics.yaml",
        "quizzes/basics-check.yaml",
        "quizzes/basics-profile.yaml",
    }


def test_missing_folders(tmp_path: Path):
    problems = problems_of(tmp_path)
    assert problems == [
        "modules/:1: folder is missing from " + str(tmp_path),
        "quizzes/:1: folder is missing from " + str(tmp_path),
    ]


def test_question_versions_change_with_meaning_not_with_explanations(content: Path):
    before = load_catalogue(content).quiz("basics-check").question("one").version
    edit(
        content / "quizzes/basics-check.yaml",
        "    explanation: A is right.",
        "    explanation: A is right, as the lesson says.",
    )
    assert load_catalogue(content).quiz("basics-check").question("one").version == before
    edit(
        content / "quizzes/basics-check.yaml",
        "    prompt: Pick A.",
        "    prompt: Pick the letter A.",
    )
    assert load_catalogue(content).quiz("basics-check").question("one").version != before


def test_markdown_is_sanitised(content: Path):
    edit(
        content / "modules/basics.yaml",
        "      Some **bold** text.",
        "      [click](javascript:alert(1)) and ![x](data:text/html;base64,AAAA)",
    )
    html = load_catalogue(content).module("basics").lesson("first").html
    assert 'href="javascript:' not in html
    assert "<img" not in html


def test_content_check_cli(runner, content: Path):
    result = runner.invoke(args=["content", "check", "--dir", str(SAMPLE)])
    assert result.exit_code == 0
    assert result.output.startswith("content OK: 1 modules")
    edit(
        content / "quizzes/basics-check.yaml",
        "    explanation: A is right.",
        "    explanaton: A is right.",
    )
    result = runner.invoke(args=["content", "check", "--dir", str(content)])
    assert result.exit_code == 1
    assert "quizzes/basics-check.yaml:" in result.output
    assert "Traceback" not in result.output


def test_the_app_refuses_to_start_on_broken_content(content: Path, tmp_path: Path):
    edit(content / "quizzes/basics-check.yaml", "    kind: single", "    kind: essay")
    result = start_in_a_process(content, tmp_path / "instance")
    assert result.returncode == 1
    assert "Rapport cannot start: the course content has problems:" in result.stderr
    assert "quizzes/basics-check.yaml:" in result.stderr
    assert "Traceback" not in result.stderr
