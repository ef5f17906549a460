"""Reading a self-assessment: from the options a learner chose to a profile result.

Results are plain JSON-able dicts holding ids and numbers only, so they can be stored with the
attempt; labels and descriptions are looked up in the catalogue when a result is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.content.schema import Profile, Quiz

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


def _trust_formula(profile: Profile, sums: dict) -> dict:
    scores: dict[str, float] = {}
    for factor in TRUST_FACTORS:
        low, high = sums["lowest"][factor], sums["highest"][factor]
        share = (sums["totals"][factor] - low) / (high - low) if high > low else 1.0
        scores[factor] = round(1 + (TRUST_SCALE - 1) * share, 1)
    trust = trust_value(scores)
    focus, best_gain = None, 0.0
    for factor in TRUST_FACTORS:
        improved = dict(scores, **{factor: min(TRUST_SCALE, scores[factor] + 1)})
        gain = trust_value(improved) - trust
        if gain > best_gain + 1e-9:
            focus, best_gain = factor, gain
    return {"scores": scores, "trust": round(trust, 1), "focus": focus}


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
