"""The shape of a self-assessment's profiles: traits, and for a grid its axes and four cells."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from app.content.fields import Id, Markdown, Strict, Text


class Trait(Strict):
    id: Id
    label: Text
    description: Text | None = None


class Axis(Strict):
    trait: Id
    label: Text
    positive: Text
    negative: Text


class Axes(Strict):
    x: Axis
    y: Axis


class GridCell(Strict):
    x: Literal["positive", "negative"]
    y: Literal["positive", "negative"]
    title: Text
    subtitle: Text
    description: Text
    advice: Markdown | None = None

    _advice_html: str = PrivateAttr(default="")

    @property
    def advice_html(self) -> str:
        return self._advice_html


class Profile(Strict):
    id: Id
    title: Text
    # How a trainer's cohort page names it; by default the title without its leading "Your".
    cohort_title: Text | None = None
    kind: Literal["dominant", "grid", "trust-formula"]
    traits: list[Trait] = Field(min_length=1)
    axes: Axes | None = None
    cells: list[GridCell] | None = None

    @model_validator(mode="after")
    def _rules_of_its_kind(self) -> Profile:
        trait_ids = [trait.id for trait in self.traits]
        if len(set(trait_ids)) != len(trait_ids):
            raise ValueError("trait ids must be unique within a profile")
        if self.kind == "grid":
            if self.axes is None or self.cells is None:
                raise ValueError("a grid profile needs `axes` (x and y) and four `cells`")
            for axis in (self.axes.x, self.axes.y):
                if axis.trait not in trait_ids:
                    raise ValueError(
                        f"axis trait {axis.trait!r} is not one of this profile's traits"
                    )
            quadrants = {(cell.x, cell.y) for cell in self.cells}
            if len(self.cells) != 4 or len(quadrants) != 4:
                raise ValueError("a grid profile needs exactly four cells, one per x/y quadrant")
        elif self.axes is not None or self.cells is not None:
            raise ValueError(f"`axes` and `cells` belong to grid profiles, not {self.kind!r}")
        if self.kind == "trust-formula" and sorted(trait_ids) != [
            "accountability",
            "care",
            "communication",
        ]:
            raise ValueError(
                "a trust-formula profile needs exactly the traits care, accountability and "
                "communication"
            )
        return self

    def trait(self, trait_id: str) -> Trait | None:
        return next((t for t in self.traits if t.id == trait_id), None)

    @property
    def title_for_cohort(self) -> str:
        """The title as a cohort page says it: "Your life position" becomes "Life position"."""
        if self.cohort_title:
            return self.cohort_title
        title = self.title.removeprefix("Your ").removeprefix("your ")
        return title[:1].upper() + title[1:]

    def cell(self, x: str, y: str) -> GridCell | None:
        return next((c for c in self.cells or [] if c.x == x and c.y == y), None)
