"""Reading a self-assessment: from the options a learner chose to a profile result.

Results are plain JSON-able dicts holding ids and numbers only, so they can be stored with the
attempt; labels and descriptions are looked up in the catalogue when a result is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.content.profile_schema import Profile
    from app.content.schema import Quiz

TRUST_FACTORS = ("care", "accountability", "communication")
TRUST_SCALE = 10.0


def trait_totals(profile: Profile, quiz: Quiz, answers: Mapping[str, Sequence[str]]) -> dict:
    """Sum each trait's weights over the chosen options, with the least and most possible."""
    totals = {trait.id: 0 for trait in profile.traits}
    lowest = dict(totals)
    highest = dict(totals)
    for question in quiz.questions:
        if question.graded:
            continue  # only questions that are never marked weigh on traits
        for trait_id in totals:
            weights = [option.weights.get(trait_id, 0) for option in question.options]
            lowest[trait_id] += min(weights)
            highest[trait_id] += max(weights)
        for option_id in answers.get(question.id, ()):
            option = question.option(option_id)
            if option is None:
                continue
            for trait_id, weight in option.weights.items():
                if trait_id in totals:
                    totals[trait_id] += weight
    return {"totals": totals, "lowest": lowest, "highest": highest}


def _dominant(profile: Profile, sums: dict) -> dict:
    totals = sums["totals"]
    best = max(totals.values())
    return {"traits": [trait_id for trait_id, total in totals.items() if total == best]}


def _grid(profile: Profile, sums: dict) -> dict:
    assert profile.axes is not None
    totals = sums["totals"]
    x = totals[profile.axes.x.trait]
    y = totals[profile.axes.y.trait]
    return {
        "x": "positive" if x >= 0 else "negative",
        "y": "positive" if y >= 0 else "negative",
    }


def trust_value(scores: Mapping[str, float]) -> float:
    """Trust = (Care × Accountability) ^ (Effective communication ÷ 10), from 1 to 100."""
    return (scores["care"] * scores["accountability"]) ** (scores["communication"] / TRUST_SCALE)


def trust_score(scores: Mapping[str, float]) -> float:
    """The trust value on the 0–100 scale learners see: 100 × log10(Trust) ÷ 2.

    Trust itself runs from 1 to 100 and bunches most real results below 20; its logarithm
    spreads them (all factors 1 → 0, all 10 → 100, all 5 → 35) and keeps communication the
    exponent: the score is communication ÷ 10 × the mean of log10 care and log10 accountability.
    """
    return 50 * math.log10(trust_value(scores))


TRUST_LABELS = {
    "care": "care",
    "accountability": "accountability",
    "communication": "effective communication",
}


@dataclass(frozen=True)
class TrustReading:
    """One trust result worked out from the three factor scores (each 1 to 10)."""

    scores: dict[str, float]
    value: float  # (C × A) ^ (E ÷ 10), 1 to 100
    score: float  # on the 0–100 scale shown
    gains: dict[str, float]  # what one more point on each factor below 10 adds to `score`
    focus: str | None  # the weakest factor (None when all are 10)

    @property
    def product(self) -> float:
        return self.scores["care"] * self.scores["accountability"]

    @property
    def exponent(self) -> float:
        return self.scores["communication"] / TRUST_SCALE

    @property
    def focus_label(self) -> str | None:
        return TRUST_LABELS[self.focus] if self.focus else None

    @property
    def advice(self) -> list[str]:
        """Why to work on the focus first, in words, with what one more point adds."""
        if self.focus is None:
            return ["You are at the top of every factor: 10 on each gives 100 out of 100."]
        label, mine = TRUST_LABELS[self.focus], self.scores[self.focus]
        said = [
            f"Your weakest factor is {label} ({mine:g}/10): one more point there adds "
            f"{_points(self.gains[self.focus])} to your trust score."
        ]
        if self.focus == "communication":
            said.append(
                "Communication is also the exponent: each point of it raises the power that "
                "care × accountability is taken to, so it multiplies everything the other two build."
            )
        elif self.gains.get("communication", 0) < 0.5:
            said.append(
                "Effective communication is the exponent: it multiplies what care and "
                "accountability build, so it adds little while they are low. Build those first."
            )
        elif "communication" in self.gains:
            said.append(
                f"One more point of effective communication adds "
                f"{_points(self.gains['communication'])}, because it is the exponent: it "
                "multiplies everything care and accountability build. Work on your weakest "
                "factor first, and keep communication in view."
            )
        return said


def _points(gain: float) -> str:
    whole = round(gain)
    if whole < 1:
        return "less than 1 point"
    return f"{whole} point" + ("s" if whole != 1 else "")


def read_trust(scores: Mapping[str, float]) -> TrustReading:
    """Trust worked out from the factor scores, with what one more point on each factor adds
    and the advice: the learner's weakest factor (on a tie, the one where a point adds most).
    The self-assessment and the lesson's calculator both call this."""
    given = {factor: float(scores[factor]) for factor in TRUST_FACTORS}
    score = trust_score(given)
    gains = {}
    for factor in TRUST_FACTORS:
        if given[factor] < TRUST_SCALE:
            raised = dict(given, **{factor: min(TRUST_SCALE, given[factor] + 1)})
            gains[factor] = trust_score(raised) - score
    focus = min(gains, key=lambda f: (given[f], -gains[f]), default=None)
    return TrustReading(given, trust_value(given), score, gains, focus)


def _trust_formula(profile: Profile, sums: dict) -> dict:
    scores: dict[str, float] = {}
    for factor in TRUST_FACTORS:
        low, high = sums["lowest"][factor], sums["highest"][factor]
        share = (sums["totals"][factor] - low) / (high - low) if high > low else 1.0
        scores[factor] = round(1 + (TRUST_SCALE - 1) * share, 1)
    reading = read_trust(scores)
    # `trust` keeps its first meaning, (C × A) ^ (E ÷ 10); what is shown is always worked out
    # again from `scores`, so results stored before the 0–100 scale still display.
    return {"scores": scores, "trust": round(reading.value, 1), "focus": reading.focus}


PROFILE_READERS: dict[str, Callable[[Profile, dict], dict]] = {
    "dominant": _dominant,
    "grid": _grid,
    "trust-formula": _trust_formula,
}


def read_profiles(quiz: Quiz, answers: Mapping[str, Sequence[str]]) -> dict[str, dict]:
    """Every profile of the quiz read from these answers, keyed by profile id."""
    results = {}
    for profile in quiz.profiles:
        sums = trait_totals(profile, quiz, answers)
        results[profile.id] = {
            "kind": profile.kind,
            "totals": sums["totals"],
            **PROFILE_READERS[profile.kind](profile, sums),
        }
    return results
