"""The trust calculator of the trust-formula lesson: a GET form the server answers, so it works
without JavaScript; with it, app/static/trust-calculator.js asks for just the result as the sliders
move. Nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.content.profiles import TRUST_FACTORS, TRUST_LABELS, TrustReading, read_trust
from app.learn.blueprint import bp
from app.services.catalogue import get_catalogue

DEFAULT_SCORE = 5


@dataclass
class Calculation:
    """What the calculator shows: the numbers as given, a message per bad one, the result."""

    given: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    reading: TrustReading | None = None


def calculate(args: MultiDict[str, str]) -> Calculation:
    """Read care, accountability and communication (whole numbers 1 to 10) and work trust out;
    a factor not given counts as 5."""
    found = Calculation()
    scores = {}
    for factor in TRUST_FACTORS:
        raw = args.get(factor, str(DEFAULT_SCORE)).strip()[:20]
        found.given[factor] = raw
        value = int(raw) if raw.isascii() and raw.isdigit() else None
        if value is None or not 1 <= value <= 10:
            found.errors[factor] = (
                f"{TRUST_LABELS[factor].capitalize()} must be a whole number from 1 to 10 "
                f"(you gave “{raw}”)."
            )
        else:
            scores[factor] = value
    if not found.errors:
        found.reading = read_trust(scores)
    return found


@bp.app_context_processor
def calculator_helpers() -> dict:
    """Lets the calculator's partial show its starting result inside any lesson."""
    return {"default_calculation": lambda: calculate(MultiDict())}


@bp.get("/trust-calculator")
@login_required
def trust_calculator() -> ResponseReturnValue:
    calc = calculate(request.args)
    status = 400 if calc.errors else 200
    if request.args.get("partial") == "1":
        return render_template("widgets/_trust-calculator-result.html", calc=calc), status
    found = get_catalogue().lesson_with_widget("trust-calculator")
    module, lesson = found if found else (None, None)
    return render_template(
        "learn/trust_calculator.html", calc=calc, module=module, lesson=lesson
    ), status
