"""Self-assessment profiles: the cohort's profile results (each learner's latest within the
range), as counts only. Computed live: a handful of rows per learner, read in one query; there
is no summary to keep or rebuild."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.content import Quiz
from app.content.profiles import read_trust
from app.extensions import db
from app.models import Attempt
from app.services.catalogue import get_catalogue
from app.services.reporting.common import ReportFilter

# Self-assessment figures are shown only when this many learners have a result, so that no one's
# answers can be read off a distribution.
MIN_GROUP = 3


@dataclass
class ProfileDistribution:
    quiz: Quiz
    profile_id: str
    title: str
    kind: str
    learners: int
    shown: bool  # False when too few learners have a result to show without singling anyone out
    counts: list[dict[str, Any]] = field(default_factory=list)  # dominant: per trait
    cell_counts: dict[tuple[str, str], int] = field(default_factory=dict)  # grid: per (x, y)
    trust: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: value buckets
    factors: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: mean per factor
    focus: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: what to work on


# Trust scores on the 0–100 scale learners see (app.content.profiles.trust_score).
TRUST_BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100.01))


def self_assessment(f: ReportFilter) -> list[ProfileDistribution]:
    """The cohort's profile results (each learner's latest within the range), as counts only."""
    catalogue = get_catalogue()
    quizzes = [q for q in catalogue.quizzes.values() if q.profiles]
    if not quizzes:
        return []
    latest = (
        select(func.max(Attempt.id))
        .where(*f.attempts(), Attempt.quiz_id.in_([q.id for q in quizzes]))
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )
    results: dict[str, list[dict]] = defaultdict(list)
    for quiz_id, profile in db.session.execute(
        select(Attempt.quiz_id, Attempt.profile).where(Attempt.id.in_(latest))
    ):
        if profile:
            results[quiz_id].append(profile)
    found = []
    for module in catalogue.modules:
        for quiz in (catalogue.quiz(q) for q in module.quizzes):
            if quiz is None or not quiz.profiles:
                continue
            for profile in quiz.profiles:
                values = [r[profile.id] for r in results.get(quiz.id, []) if r.get(profile.id)]
                entry = ProfileDistribution(
                    quiz,
                    profile.id,
                    profile.title_for_cohort,
                    profile.kind,
                    len(values),
                    len(values) >= MIN_GROUP,
                )
                if entry.shown:
                    _fill_distribution(entry, profile, values)
                found.append(entry)
    return found


def _fill_distribution(entry: ProfileDistribution, profile: Any, values: list[dict]) -> None:
    if profile.kind == "dominant":
        counts = Counter(t for v in values for t in v.get("traits", []))
        entry.counts = [
            {"id": t.id, "label": t.label, "learners": counts.get(t.id, 0)} for t in profile.traits
        ]
    elif profile.kind == "grid":
        counts = Counter((v.get("x"), v.get("y")) for v in values)
        entry.cell_counts = {(c.x, c.y): counts.get((c.x, c.y), 0) for c in profile.cells or []}
        entry.counts = [
            {"x": c.x, "y": c.y, "title": c.title, "learners": entry.cell_counts[(c.x, c.y)]}
            for c in profile.cells or []
        ]
    elif profile.kind == "trust-formula":
        # Worked out again from the stored factor scores, so older results count on this scale.
        readings = [read_trust(v["scores"]) for v in values if v.get("scores")]
        for low, high in TRUST_BUCKETS:
            entry.trust.append(
                {
                    "label": f"{low}–{min(high, 100):.0f}",
                    "learners": sum(1 for r in readings if low <= round(r.score) < high),
                }
            )
        for trait in profile.traits:
            scores = [
                float(v["scores"][trait.id]) for v in values if trait.id in v.get("scores", {})
            ]
            entry.factors.append(
                {
                    "id": trait.id,
                    "label": trait.label,
                    "mean": round(sum(scores) / len(scores), 1) if scores else None,
                }
            )
        focus = Counter(r.focus for r in readings if r.focus)
        entry.focus = [
            {"id": t.id, "label": t.label, "learners": focus.get(t.id, 0)} for t in profile.traits
        ]
