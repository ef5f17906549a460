"""Markdown to safe HTML, and the grid figure drawn from a grid profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape
from mdit_py_plugins.superscript import superscript_plugin

if TYPE_CHECKING:
    from app.content.profile_schema import Profile

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
FIGURE_SLOT = '<div class="figure-slot-{index}"></div>'


def _markdown(html: bool) -> MarkdownIt:
    # `^…^` is a superscript (Pandoc's syntax: a space inside is written `\ `), for formulas
    # such as the trust formula's exponent.
    md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    return md.use(superscript_plugin)


_render_md = _markdown(html=False)
_detect_md = _markdown(html=True)


@dataclass(frozen=True)
class MarkdownProblem:
    line: int  # 0-based line inside the Markdown text
    message: str


def markdown_problems(text: str) -> list[MarkdownProblem]:
    """What in this Markdown would not render as the author meant (raw HTML, odd fences)."""
    problems = []
    for token in _detect_md.parse(text):
        if token.type in {"html_block", "html_inline"} or (
            token.type == "inline" and any(c.type == "html_inline" for c in token.children or [])
        ):
            line = token.map[0] if token.map else 0
            snippet = token.content.strip().splitlines()[0][:40] if token.content.strip() else ""
            problems.append(
                MarkdownProblem(line, f"raw HTML is not allowed in Markdown: {snippet!r}")
            )
        if token.type == "fence" and token.info.strip() not in {"", "grid", "text"}:
            problems.append(
                MarkdownProblem(
                    token.map[0] if token.map else 0,
                    f"unknown fenced block type {token.info.strip()!r} (use ```grid or a plain ```)",
                )
            )
    return problems


def grid_references(text: str) -> list[tuple[int, str]]:
    """(line, 'quiz-id/profile-id') for every ```grid fence in this Markdown."""
    return [
        (token.map[0] if token.map else 0, token.content.strip())
        for token in _render_md.parse(text)
        if token.type == "fence" and token.info.strip() == "grid"
    ]


def render_markdown(text: str, figures: list[str] | None = None) -> str:
    """Markdown → sanitised HTML. Each ```grid fence is replaced by the next of `figures`."""
    md = _render_md
    tokens = md.parse(text)
    slot = 0
    for token in tokens:
        if token.type == "fence" and token.info.strip() == "grid":
            token.type = "html_block"
            token.content = FIGURE_SLOT.format(index=slot)
            slot += 1
    html = md.renderer.render(tokens, md.options, {})
    # html_block tokens are rendered as-is; we only ever emit our own slot markers that way.
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"div"},
        attributes={**ALLOWED_ATTRIBUTES, "div": {"class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    for index, figure in enumerate(figures or []):
        html = html.replace(FIGURE_SLOT.format(index=index), figure)
    return html


# One orientation everywhere a grid is drawn: the positive side of each axis first (top row,
# left column), as the life-positions lesson draws it.
GRID_SIDES = ("positive", "negative")


def render_grid_figure(
    profile: Profile,
    highlight: tuple[str, str] | None = None,
    counts: dict[tuple[str, str], int] | None = None,
) -> str:
    """An accessible 2×2 table for a grid profile, with both axes labelled. `highlight` marks the
    learner's quadrant; with `counts` (learners per (x, y)) each cell shows its count instead of
    its description, for a cohort."""
    assert profile.axes is not None
    x_axis, y_axis = profile.axes.x, profile.axes.y
    rows = []
    for y in GRID_SIDES:
        cells = []
        for x in GRID_SIDES:
            cell = profile.cell(x, y)
            assert cell is not None
            here = highlight == (x, y)
            marker = '<strong class="grid-you">You are here</strong>' if here else ""
            if counts is None:
                body = f'<span class="grid-text">{escape(cell.description)}</span>'
            else:
                n = counts.get((x, y), 0)
                body = (
                    f'<span class="grid-count"><strong>{n}</strong> '
                    f"learner{'' if n == 1 else 's'}</span>"
                )
            cells.append(
                f'<td class="grid-cell grid-{x}-{y}{" is-you" if here else ""}">'
                f"{marker}"
                f'<span class="grid-title">{escape(cell.title)}</span>'
                f'<span class="grid-subtitle">{escape(cell.subtitle)}</span>'
                f"{body}</td>"
            )
        label = getattr(y_axis, y)
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>')
    head = "".join(f'<th scope="col">{escape(getattr(x_axis, x))}</th>' for x in GRID_SIDES)
    title = profile.title if counts is None else f"{profile.title_for_cohort}: learners in each"
    return (
        f'<figure class="grid-figure">'
        f'<table class="grid-table"><caption>{escape(title)}: '
        f"{escape(y_axis.label)} (rows) × {escape(x_axis.label)} (columns)</caption>"
        f'<thead><tr><td class="grid-corner">'
        f'<span class="grid-axis">↓ {escape(y_axis.label)}<br>→ {escape(x_axis.label)}</span>'
        f"</td>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"</figure>"
    )
