"""`flask --app run certificates revoke …` and `xapi send|status` (issue 13)."""

from __future__ import annotations

import os
import socket
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.services import certificates, xapi_sender

certificates_cli = AppGroup("certificates", help="Revoke certificates.")
xapi_cli = AppGroup("xapi", help="Send xAPI statements to the learning record store.")


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why: shown on the certificate's verify page.")
def revoke(code: str, reason: str) -> None:
    """Revoke the certificate with verification code CODE."""
    try:
        certificate = certificates.revoke(code, reason)
    except certificates.RevocationRefused as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        f"Revoked {certificate.code} ({certificate.learner_name}, {certificate.course_title})."
    )


def _lrs() -> xapi_sender.Lrs | None:
    config = current_app.config
    if not config.get("RAPPORT_XAPI_ENDPOINT"):
        return None
    return xapi_sender.Lrs(
        config["RAPPORT_XAPI_ENDPOINT"],
        config.get("RAPPORT_XAPI_USERNAME", ""),
        config.get("RAPPORT_XAPI_PASSWORD", ""),
    )


def send_pass(lrs: xapi_sender.Lrs, worker: str) -> tuple[int, int]:
    """Send every due statement, batch by batch; stop at the first failure. (sent, failed)."""
    config = current_app.config
    sent = failed = 0
    while True:
        rows = xapi_sender.claim(worker, config.get("RAPPORT_XAPI_BATCH_SIZE", 50))
        ids = [row.id for row in rows]
        db.session.commit()
        if not rows:
            return sent, failed
        problem = xapi_sender.send_batch(lrs, rows)
        xapi_sender.finish(worker, ids, problem, config.get("RAPPORT_XAPI_RETRY_SECONDS", 30))
        db.session.commit()
        if problem:
            click.echo(
                f"LRS refused or unreachable ({problem}); {len(ids)} will be retried.", err=True
            )
            return sent, failed + len(ids)
        sent += len(ids)


@xapi_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep running, sending new statements as they come.")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between passes (--watch)."
)
def send(watch: bool, interval: float) -> None:
    """Post pending statements to RAPPORT_XAPI_ENDPOINT; exit 0 when none is left pending."""
    lrs = _lrs()
    if lrs is None:
        pending = xapi_sender.status().pending
        click.echo(f"xAPI is off (RAPPORT_XAPI_ENDPOINT is empty); {pending} statement(s) kept.")
        return
    worker = f"{socket.gethostname()}:{os.getpid()}"[:64]
    while True:
        sent, failed = send_pass(lrs, worker)
        state = xapi_sender.status()
        db.session.commit()
        # Rows another sender holds are its to finish: they do not count against this pass.
        left = state.pending - state.in_flight
        if sent or failed or not watch:
            click.echo(f"sent {sent}, failed {failed}, pending {left}")
        if not watch:
            raise SystemExit(0 if left == 0 else 1)
        time.sleep(interval)


@xapi_cli.command("status")
def status() -> None:
    """How many statements are pending, waiting to retry and sent, and the last error."""
    state = xapi_sender.status()
    db.session.commit()
    endpoint = current_app.config.get("RAPPORT_XAPI_ENDPOINT") or "off (no RAPPORT_XAPI_ENDPOINT)"
    click.echo(f"LRS: {endpoint}")
    click.echo(
        f"pending: {state.pending} (being sent: {state.in_flight}, "
        f"waiting to retry: {state.waiting_to_retry})"
    )
    click.echo(f"sent: {state.sent}")
    if state.oldest_pending is not None:
        click.echo(f"oldest pending: {state.oldest_pending.isoformat(timespec='seconds')}Z")
    if state.last_error:
        click.echo(f"last error: {state.last_error}")
