"""Command-line tools: `flask --app run users …`, `content check`, and friends."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

from app.cli_content import decide_command, impact_command, record_command
from app.cli_records import certificates_cli, xapi_cli
from app.cli_trainer import cohorts_cli, demo_cli
from app.content import ContentError, load_catalogue
from app.content.lint import lint_content
from app.extensions import db
from app.models import User
from app.models.user import ROLES
from app.services import accounts, sign_in

users_cli = AppGroup("users", help="Create users, issue API tokens, change roles.")
content_cli = AppGroup(
    "content", help="Check and lint the course content; preview and decide what changes do."
)


def _user_or_fail(email: str) -> User:
    user = accounts.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the email {accounts.normalise_email(email)}")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", default="learner", show_default=True, help="learner, trainer or admin.")
@click.option("--password", help="The password (asked for when not given).")
def create_user(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user account."""
    if role not in ROLES:
        raise click.ClickException(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    if accounts.user_by_email(email) is not None:
        raise click.ClickException(
            f"an account with the email {accounts.normalise_email(email)} already exists"
        )
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, name, password, role)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
def create_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL (only its hash is stored)."""
    user = _user_or_fail(email)
    token = accounts.issue_api_token(user, label, current_app.config["API_TOKEN_DAYS"])
    db.session.commit()
    click.echo(token)


@users_cli.command("reset-link")
@click.argument("email")
def reset_link(email: str) -> None:
    """Print a one-time password-reset link for EMAIL (valid 24 hours; Rapport sends no email:
    hand it over yourself). The link is the last line of the output."""
    user = _user_or_fail(email)
    if user.deleted_at is not None:
        raise click.ClickException("that account has been deleted")
    secret = sign_in.issue_reset(user, None)
    db.session.commit()
    base = (current_app.config.get("RAPPORT_BASE_URL") or "").rstrip("/")
    with current_app.test_request_context():
        path = url_for("auth.reset_password", secret=secret)
    click.echo(
        f"A password-reset link for {user.email}, valid {sign_in.RESET_HOURS} hours, once. "
        "Earlier links for this account no longer work."
    )
    if not base:
        click.echo("Set RAPPORT_BASE_URL to print a full address; put the site's address first.")
    click.echo(base + path)


@users_cli.command("role")
@click.argument("email")
@click.argument("role")
def change_role(email: str, role: str) -> None:
    """Change a user's role (learner, trainer or admin)."""
    user = _user_or_fail(email)
    try:
        accounts.set_role(user, role)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate a user: they cannot log in and their sessions and tokens stop working."""
    user = _user_or_fail(email)
    accounts.set_active(user, False)
    db.session.commit()
    click.echo(f"{user.email} is deactivated.")


@users_cli.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Let a deactivated user log in again."""
    user = _user_or_fail(email)
    accounts.set_active(user, True)
    db.session.commit()
    click.echo(f"{user.email} is active.")


content_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder holding modules/ and quizzes/ (default: RAPPORT_CONTENT_DIR).",
)


def _fail_with_problems(error: ContentError) -> NoReturn:
    for problem in error.problems:
        click.echo(str(problem))
    click.echo(f"{len(error.problems)} problem(s) found.", err=True)
    raise SystemExit(1) from None


@content_cli.command("check")
@content_dir_option
def check_content(directory: Path | None) -> None:
    """Validate every module and quiz file; print path:line problems or a summary."""
    try:
        catalogue = load_catalogue(directory or current_app.config["CONTENT_DIR"])
    except ContentError as error:
        _fail_with_problems(error)
    click.echo(catalogue.summary())


@content_cli.command("lint")
@content_dir_option
@click.option("--strict", is_flag=True, help="Exit 1 when there is any warning.")
def lint_content_command(directory: Path | None, strict: bool) -> None:
    """Teaching checks that `check` does not make; print path:line warnings."""
    try:
        warnings = lint_content(directory or current_app.config["CONTENT_DIR"])
    except ContentError as error:
        _fail_with_problems(error)
    for warning in warnings:
        click.echo(str(warning))
    click.echo(f"{len(warnings)} warning(s).", err=True)
    if strict and warnings:
        raise SystemExit(1)


content_cli.add_command(impact_command)
content_cli.add_command(decide_command)
content_cli.add_command(record_command)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(cohorts_cli)
    app.cli.add_command(demo_cli)
