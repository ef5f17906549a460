"""`widget:` and `figures:` on a lesson name registered parts; anything else is a path:line error."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.content.lesson_parts import LESSON_FIGURES, LESSON_WIDGETS
from tests.conftest import PROJECT_ROOT


def test_an_unknown_widget_or_figure_is_reported_at_path_line(runner, tmp_path):
    for folder in ("modules", "quizzes"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    module = tmp_path / "modules" / "02-five-steps.yaml"
    text = module.read_text()
    text = text.replace("    figures: [five-steps]\n", "    figures: [five-step]\n")
    text = text.replace(
        "  - id: three-keys\n    title: The three keys to customer relations\n",
        "  - id: three-keys\n    title: The three keys to customer relations\n    widget: clock\n",
    )
    module.write_text(text)
    lines = text.splitlines()
    figure_line = lines.index("    figures: [five-step]") + 1
    widget_line = lines.index("    widget: clock") + 1

    result = runner.invoke(args=["content", "check", "--dir", str(tmp_path)])

    assert result.exit_code == 1
    assert (
        f"modules/02-five-steps.yaml:{figure_line}: lesson 'the-five-steps', figure #1: "
        "unknown figure 'five-step' (did you mean 'five-steps'?)" in result.output
    )
    assert (
        f"modules/02-five-steps.yaml:{widget_line}: lesson 'three-keys': "
        "unknown widget 'clock'" in result.output
    )
    assert "the widgets are: trust-calculator" in result.output


def test_every_figure_and_widget_has_its_partial_and_script(app):
    for name in LESSON_FIGURES:
        app.jinja_env.get_template(f"figures/{name}.html")  # raises TemplateNotFound
    for name in LESSON_WIDGETS:
        app.jinja_env.get_template(f"widgets/{name}.html")
        assert Path(app.static_folder, f"{name}.js").is_file(), name
