"""`flask --app run content impact` and `content decide`: what a content change does to stored
answers, and the decisions taken about them."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app

from app.content import Catalogue, ContentError, load_catalogue
from app.extensions import db
from app.services import accounts
from app.services.catalogue import get_catalogue
from app.services.content_decisions import DecisionRefused, decide, revert_question
from app.services.content_impact import impact
from app.services.question_versions import record_versions

dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder holding the edited modules/ and quizzes/ (default: RAPPORT_CONTENT_DIR).",
)


def _catalogues(directory: Path | None) -> tuple[Catalogue, Catalogue | None]:
    """The content to judge answers by, and the content the app serves when they differ (it
    may still hold the older versions' text)."""
    served = get_catalogue()
    if (
        directory is None
        or directory.resolve() == Path(current_app.config["CONTENT_DIR"]).resolve()
    ):
        return served, None
    try:
        return load_catalogue(directory), served
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        raise click.ClickException(f"{len(error.problems)} problem(s) in {directory}") from None


@click.command("impact")
@dir_option
def impact_command(directory: Path | None) -> None:
    """Per changed or removed question, the answers given to an older version. Writes nothing."""
    catalogue, reference = _catalogues(directory)
    found = impact(catalogue, reference)
    db.session.rollback()
    for item in found.questions:
        click.echo(item.line)
        click.echo(f"    changed: {item.description}")
        for decision, attempts in item.pass_to_fail.items():
            if attempts:
                click.echo(
                    f"    {decision} would turn {len(attempts)} pass(es) into fails "
                    f"(attempts {', '.join(map(str, attempts))}): it needs --force"
                )
        if not item.rescorable:
            click.echo(f"    rescore is not possible: {item.why_not_rescorable}")
        if item.decision is not None:
            d = item.decision
            click.echo(f"    decided: {d.decision} on {d.decided_at:%Y-%m-%d} ({d.decided_via})")
    click.echo(found.total_line)


@click.command("record")
def record_command() -> None:
    """Store the text of the served content's question versions not on record yet (the app
    also does it when it starts), so that later edits can be described against them."""
    catalogue = get_catalogue()
    new = record_versions(db.session.connection(), catalogue)
    db.session.commit()
    click.echo(
        f"{new} new question version(s) stored (content version {catalogue.version}); "
        "the others were on record already."
    )


@click.command("decide")
@click.argument("question")
@click.option("--rescore", "decision", flag_value="rescore", help="Re-grade with today's key.")
@click.option(
    "--keep", "decision", flag_value="keep", help="Leave the answers as they were scored."
)
@click.option(
    "--void", "decision", flag_value="void", help="Take the question out of their scores."
)
@click.option("--revert", "decision", flag_value="revert", help="Undo the decision in force.")
@click.option("--force", is_flag=True, help="Also when it turns passed attempts into fails.")
@click.option("--by", "email", help="The administrator taking the decision (their email).")
@dir_option
def decide_command(
    question: str, decision: str | None, force: bool, email: str | None, directory: Path | None
) -> None:
    """Decide what answers to an older version of QUIZ/QUESTION count for."""
    if decision is None:
        raise click.UsageError("give one of --rescore, --keep, --void or --revert")
    if question.count("/") != 1:
        raise click.UsageError("name the question as QUIZ_ID/QUESTION_ID")
    by_id = None
    if email:
        user = accounts.user_by_email(email)
        if user is None or not user.is_admin:
            raise click.ClickException(f"no administrator with the email {email}")
        by_id = user.id
    catalogue, reference = _catalogues(directory)
    via = f"command line ({email or getpass.getuser()})"
    try:
        if decision == "revert":
            record = revert_question(question, via=via)
            db.session.commit()
            click.echo(f"{question}: the {record.decision} decision is reverted.")
            return
        result = decide(
            catalogue, question, decision, by_id=by_id, via=via, force=force, reference=reference
        )
    except DecisionRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        f"{question}: {decision} recorded (content version {catalogue.version}); "
        f"{result.attempts_changed} attempt(s) changed, report summaries rebuilt."
    )
    if result.kept_for_certificates:
        click.echo(
            f"{result.kept_for_certificates} attempt(s) a certificate was issued on keep "
            "their score."
        )
