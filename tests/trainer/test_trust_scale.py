"""The trainer's self-assessment page counts trust on the 0–100 scale learners see."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Attempt
from tests.trainer.conftest import World, answer, log_in

# Care 1, accountability 10, communication 10: (1 × 10) ^ (10 ÷ 10) = 10 → 100 × log10(10) ÷ 2 = 50.
MIXED = {"m-care": ["r"], "m-acc": ["a"], "m-com": ["a"]}


def bands(html: str) -> dict[str, int]:
    table = html[html.index("The cohort&#39;s trust scores: learners per band") :]
    return {
        label: int(count)
        for label, count in re.findall(r'<th scope="row">(\d+–\d+)</th><td>(\d+)</td>', table)[:5]
    }


def test_the_trainer_sees_the_cohorts_trust_scores_on_the_new_scale(sclient, world: World):
    answer(world.learners[3], "mood", MIXED, world.now)
    # L5's result was stored before the 0–100 scale (Trust raw, old advice): only scores count.
    stored = answer(world.learners[4], "mood", MIXED, world.now)
    profile = dict(stored.profile["trust"], trust=10.0, focus="communication")
    db.session.get(Attempt, stored.id).profile = {"trust": profile}
    db.session.commit()
    log_in(sclient, world.trainer)
    page = sclient.get(f"/trainer/cohorts/{world.cohort.id}/self-assessment")
    assert page.status_code == 200
    assert "Your trust formula" not in page.text
    # L1, L2 all 10 → 100; L3 care 1, accountability 1 → 0; L4 and L5 → 50.
    assert bands(page.text) == {"0–20": 1, "20–40": 0, "40–60": 2, "60–80": 0, "80–100": 2}
    weakest = re.findall(
        r'<th scope="row">(Care|Accountability|Communication)</th><td[^>]*>[\d.–]+</td><td[^>]*>(\d+)</td>',
        page.text,
    )
    # L3 (1, 1, 10) and L4, L5 (1, 10, 10): care is the weakest factor of all three.
    assert dict(weakest) == {"Care": "3", "Accountability": "0", "Communication": "0"}
