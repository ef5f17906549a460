from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.content import render_grid_figure
from app.db import writes
from app.extensions import db
from app.forms import ConfirmForm
from app.models import Cohort
from app.responses import csv_download
from app.services import cohorts, invitations, learner_lists, reporting, sign_in
from app.services.catalogue import get_catalogue
from app.trainer.blueprint import bp
from app.trainer.forms import AddLearnersForm, CohortForm, TrainerForm, UploadLearnersForm


@bp.before_request
def trainers_only() -> Response | None:
    """Log in first; then every page is for trainers, and answers 404 to others."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_trainer:
        abort(404)
    return None


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = cohorts.cohort_for(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _filter(cohort: Cohort) -> reporting.ReportFilter:
    try:
        return reporting.ReportFilter.parse(
            cohort.id, request.args.get("from"), request.args.get("to")
        )
    except reporting.ReportFilterError as error:
        abort(400, str(error))


def _page(template: str, cohort: Cohort, f: reporting.ReportFilter, **values: Any) -> str:
    return render_template(
        f"trainer/{template}", cohort=cohort, filter=f, catalogue=get_catalogue(), **values
    )


@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("trainer.cohorts"))


@bp.route("/cohorts", methods=["GET", "POST"], endpoint="cohorts")
@writes("POST")
def cohorts_page() -> ResponseReturnValue:
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = cohorts.create_cohort(current_user, form.name.data, form.description.data)
        except cohorts.CohortError as error:
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                f"Cohort “{cohort.name}” created. Share its join code or add learners.", "success"
            )
            return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)
    return render_template(
        "trainer/cohorts.html", cohorts=cohorts.cohorts_for(current_user), form=form
    ), 422 if form.errors else 200


@bp.get("/cohorts/<int:cohort_id>")
def overview(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    return _page(
        "overview.html",
        cohort,
        f,
        report=reporting.cohort_report(f, with_items=False, with_learners=False),
        min_gain_learners=reporting.MIN_LEARNERS,
    )


@bp.get("/cohorts/<int:cohort_id>/progress")
def progress(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    sort = request.args.get("sort", "name")[:80]
    descending = request.args.get("dir") == "desc"
    rows = reporting.sort_rows(reporting.learner_rows(f), sort, descending)
    return _page(
        "progress.html",
        cohort,
        f,
        rows=rows,
        groups=reporting.matrix_columns(),
        sort=sort,
        descending=descending,
    )


@bp.get("/cohorts/<int:cohort_id>/items")
def items(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    report = reporting.cohort_report(f, with_learners=False)
    return _page(
        "items.html",
        cohort,
        f,
        report=report,
        easy=reporting.EASY,
        hard=reporting.HARD,
        flag_min=reporting.FLAG_MIN_ANSWERS,
    )


@bp.get("/cohorts/<int:cohort_id>/self-assessment")
def self_assessment(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    profiles = reporting.self_assessment(f)
    grids = {
        (p.quiz.id, p.profile_id): render_grid_figure(
            p.quiz.profile(p.profile_id), counts=p.cell_counts
        )
        for p in profiles
        if p.kind == "grid" and p.shown
    }
    return _page(
        "self_assessment.html",
        cohort,
        f,
        profiles=profiles,
        grids=grids,
        min_group=reporting.MIN_GROUP,
    )


@bp.get("/cohorts/<int:cohort_id>/attention")
def attention(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    days = request.args.get("days", str(reporting.STALLED_DAYS))
    if not (days.isascii() and days.isdigit()) or not 1 <= int(days) <= 3650:
        abort(400, "Give the number of days as a whole number from 1 to 3650.")
    return _page("attention.html", cohort, f, cases=reporting.attention_list(f, int(days)))


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>")
def learner(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    person = cohorts.learner_of(cohort, user_id)
    if person is None:
        abort(404)
    f = _filter(cohort)
    summary = reporting.learner_summary(f, person.id)
    if summary is None:
        abort(404)
    return _page(
        "learner.html",
        cohort,
        f,
        learner=person,
        summary=summary,
        attempts=reporting.learner_attempts(f, person.id),
    )


@bp.get("/cohorts/<int:cohort_id>/export/<any(learners, answers, codebook):kind>.csv")
def export(cohort_id: int, kind: str) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    f = _filter(cohort)
    return csv_download(f, kind)


# ------------------------------------------------------------------------------ members


def _members_page(cohort: Cohort, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    values = {
        "settings": CohortForm(obj=cohort, formdata=None),
        "add": AddLearnersForm(formdata=None),
        "upload": UploadLearnersForm(formdata=None),
        "trainer_form": TrainerForm(formdata=None),
        "confirm": ConfirmForm(),
        "result": None,
        "problems": [],
    }
    values.update(forms)
    return render_template(
        "trainer/members.html",
        cohort=cohort,
        members=cohorts.members_of(cohort),
        sent=invitations.sent_for(cohort),
        join_url=url_for("learn.join_with_code", code=cohort.join_code, _external=True),
        **values,
    ), status


@bp.get("/cohorts/<int:cohort_id>/members")
def members(cohort_id: int) -> ResponseReturnValue:
    return _members_page(_cohort_or_404(cohort_id))


def _added(
    cohort: Cohort, people: list[learner_lists.Person], form_name: str, form: FlaskForm
) -> ResponseReturnValue:
    try:
        result = cohorts.add_learners(cohort, people, invited_by=current_user)
    except cohorts.CohortError as error:
        db.session.rollback()
        return _members_page(
            cohort, 422, problems=[error.message, *error.problems], **{form_name: form}
        )
    db.session.commit()
    invites = [
        (email, name, url_for("auth.cohort_invitation", secret=secret, _external=True))
        for email, name, secret in result.invited
    ]
    return _members_page(cohort, 200, result=result, invites=invites)


@bp.post("/cohorts/<int:cohort_id>/members/add")
@writes("POST")
def add_learners(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    form = AddLearnersForm()
    if not form.validate_on_submit():
        return _members_page(cohort, 422, add=form)
    return _added(cohort, learner_lists.parse_email_list(form.emails.data), "add", form)


@bp.post("/cohorts/<int:cohort_id>/members/upload")
@writes("POST")
def upload_learners(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    form = UploadLearnersForm()
    if not form.validate_on_submit():
        return _members_page(cohort, 422, upload=form)
    data = form.file.data.stream.read(learner_lists.CSV_MAX_BYTES + 1)
    try:
        people = learner_lists.parse_learner_csv(data)
    except learner_lists.LearnerListError as error:
        return _members_page(cohort, 422, upload=form, problems=[error.message, *error.problems])
    return _added(cohort, people, "upload", form)


@bp.post("/cohorts/<int:cohort_id>/members/<int:user_id>/remove")
@writes("POST")
def remove_learner(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = cohorts.learner_of(cohort, user_id)
    if person is None or not cohorts.remove_learner(cohort, user_id):
        abort(404)
    db.session.commit()
    flash(f"{person.name} is no longer in this cohort (their account and answers stay).", "success")
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/withdraw")
@writes("POST")
def withdraw_invitation(cohort_id: int, invitation_id: int) -> ResponseReturnValue:
    """Take back an invitation not answered yet: the person no longer sees it or can accept it."""
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not invitations.withdraw(cohort, invitation_id):
        abort(404)
    db.session.commit()
    flash("Invitation withdrawn: the person can no longer accept it.", "success")
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/members/<int:user_id>/reset-link")
@writes("POST")
def reset_link(cohort_id: int, user_id: int) -> ResponseReturnValue:
    """A one-time password-reset link for a learner of the cohort, to hand over in person."""
    cohort = _cohort_or_404(cohort_id)
    person = cohorts.learner_of(cohort, user_id)
    if person is None or not sign_in.may_issue_reset(current_user, person):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    secret = sign_in.issue_reset(person, current_user)
    db.session.commit()
    return render_template(
        "reset_link_issued.html",
        person=person,
        link=url_for("auth.reset_password", secret=secret, _external=True),
        hours=sign_in.RESET_HOURS,
        back=url_for("trainer.members", cohort_id=cohort.id),
    )


@bp.post("/cohorts/<int:cohort_id>/trainers/add")
@writes("POST")
def add_trainer(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    form = TrainerForm()
    if not form.validate_on_submit():
        return _members_page(cohort, 422, trainer_form=form)
    try:
        user = cohorts.add_trainer(cohort, form.email.data)
    except cohorts.CohortError as error:
        form.email.errors.append(error.message)
        return _members_page(cohort, 422, trainer_form=form)
    db.session.commit()
    flash(f"{user.name} now trains this cohort too.", "success")
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/trainers/<int:user_id>/remove")
@writes("POST")
def remove_trainer(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        cohorts.remove_trainer(cohort, user_id)
    except cohorts.CohortError as error:
        flash(error.message, "error")
        return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)
    db.session.commit()
    flash("Trainer removed from this cohort.", "success")
    if user_id == current_user.id and not current_user.is_admin:
        return redirect(url_for("trainer.cohorts"), 303)
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/settings")
@writes("POST")
def settings(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    form = CohortForm()
    if not form.validate_on_submit():
        return _members_page(cohort, 422, settings=form)
    try:
        cohorts.update_cohort(cohort, form.name.data, form.description.data)
    except cohorts.CohortError as error:
        form.name.errors.append(error.message)
        return _members_page(cohort, 422, settings=form)
    db.session.commit()
    flash("Cohort saved.", "success")
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/code")
@writes("POST")
def new_code(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = cohorts.new_join_code(cohort)
    db.session.commit()
    flash(f"New join code: {code}. The old code and link no longer work.", "success")
    return redirect(url_for("trainer.members", cohort_id=cohort.id), 303)
