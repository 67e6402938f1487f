"""Survey links: a person's (mailed when it has an address) and a team's join link, shown
once with a QR code (in the answer to the POST that made it), and revoked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments import access
from assessments.errors import Refused
from assessments.files.formats import read_upload
from assessments.files.responses import MAX_FILE_BYTES
from assessments.forms import InvitationUploadForm, PersonInvitationForm, TeamLinkForm, posted
from assessments.models import Invitation
from assessments.services.invitations import (
    invitations_bulk_create,
    read_invitees,
    reminder_candidates,
    reminders_send,
)
from assessments.services.survey import NewInvitation, invitation_create, invitation_revoke


def _show_once(request: HttpRequest, new: NewInvitation) -> HttpResponse:
    """The new link and its QR code, as the answer to the POST that made it: the token is
    stored nowhere (not in the session, not in a cache), only its hash in the database."""
    import segno

    campaign = new.invitation.campaign
    link = request.build_absolute_uri(reverse("assessments:link-open", args=[new.token]))
    qr = segno.make(link, error="m").svg_inline(scale=8, dark="#1f3a5f")
    response = render(
        request,
        "assessments/invitation_created.html",
        {"campaign": campaign, "invitation": new.invitation, "link": link, "qr": qr},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def invitation_person(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = PersonInvitationForm(request.POST, organization=campaign.organization, prefix="person")
    if not form.is_valid():
        messages.error(request, _("Check the invitation: ") + form.errors.as_text())
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    try:
        new = invitation_create(
            campaign=campaign,
            kind=Invitation.Kind.PERSON,
            team=form.cleaned_data["team"],
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            created_by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except Refused as exc:
        messages.error(request, exc.sentence)
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    return _show_once(request, new)


@login_required
@require_POST
def invitation_team(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = TeamLinkForm(request.POST, organization=campaign.organization, prefix="join")
    if not form.is_valid():
        messages.error(request, _("Check the join link: ") + form.errors.as_text())
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    try:
        team = form.cleaned_data["team"]
        new = invitation_create(
            campaign=campaign,
            kind=Invitation.Kind.TEAM,
            team=team,
            created_by=request.user,
            max_responses=form.cleaned_data["max_responses"] or team.headcount,
            kiosk=form.cleaned_data["kiosk"],
        )
    except Refused as exc:
        messages.error(request, exc.sentence)
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    return _show_once(request, new)


@login_required
def invitation_created(request: HttpRequest, slug: str) -> HttpResponse:
    """Where a reload of the new-link page lands: a link is shown only when it is made."""
    campaign = access.get_campaign_for_user(request, slug)
    messages.info(
        request, _("A link is shown only once, when it is made. Create a new one if you need it.")
    )
    return redirect("assessments:campaign-detail", slug=campaign.slug)


@login_required
def invitation_revoke_view(request: HttpRequest, slug: str, invitation: int) -> HttpResponse:
    """GET says what revoking does and asks; POST revokes (again: nothing more happens)."""
    campaign = access.get_campaign_for_user(request, slug)
    target = get_object_or_404(
        Invitation.objects.select_related("team"), campaign=campaign, pk=invitation
    )
    if request.method != "POST":
        if target.is_revoked:
            messages.info(request, _("That link was already revoked."))
            return redirect("assessments:campaign-detail", slug=campaign.slug)
        who = target.name or (target.team.name if target.team else "")
        return render(
            request,
            "assessments/confirm.html",
            {
                "campaign": campaign,
                "organization": campaign.organization,
                "title": _("Revoke the link for %(who)s?") % {"who": who}
                if who
                else _("Revoke this link?"),
                "consequences": [
                    _("The link stops opening the survey at once, on every device."),
                    _("Answers already given through it are kept and still count."),
                    _("It cannot be turned back on: make a new link if it is needed again."),
                ],
                "button": _("Revoke the link"),
                "danger": True,
            },
        )
    invitation_revoke(invitation=target)
    messages.success(request, _("Revoked the link: it no longer opens the survey."))
    return redirect("assessments:campaign-detail", slug=campaign.slug)


@login_required
def invitation_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Personal links for everyone in a CSV or XLSX file, each e-mailed (held while the
    campaign is a draft); a file with a bad row is refused whole, every problem named."""
    campaign = access.get_campaign_for_user(request, slug)
    if campaign.is_closed:
        messages.error(
            request, _("%(name)s is closed: it takes no new invitations.") % {"name": campaign.name}
        )
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    form = InvitationUploadForm(*posted(request))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            people = read_invitees(
                read_upload(upload, MAX_FILE_BYTES), upload.name, campaign=campaign
            )
            result = invitations_bulk_create(
                campaign=campaign,
                people=people,
                created_by=request.user,
                base_url=request.build_absolute_uri("/"),
                source=upload.name,
            )
        except Refused as exc:
            problems = exc.lines
        else:
            messages.success(request, result.message)
            return redirect("assessments:campaign-detail", slug=campaign.slug)
    return render(
        request,
        "assessments/invitation_upload.html",
        {
            "form": form,
            "campaign": campaign,
            "organization": campaign.organization,
            "problems": problems,
            "teams": list(campaign.teams.all()) or list(campaign.organization.teams.all()),
        },
    )


@login_required
def invitation_example(request: HttpRequest, slug: str) -> HttpResponse:
    """A file to fill in: the header and one made-up row per team in scope."""
    campaign = access.get_campaign_for_user(request, slug)
    teams = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    rows = [team.slug for team in teams[:3]] or [""]
    lines = ["name,email,team"] + [
        f"Person {number},person{number}@example.com,{team}"
        for number, team in enumerate(rows, start=1)
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-people.csv"'
    return response


@login_required
def reminders_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET says who would be reminded and asks; POST queues the e-mails (a second click
    within the hour reminds nobody twice)."""
    campaign = access.get_campaign_for_user(request, slug)
    if campaign.status != campaign.Status.OPEN:
        messages.error(
            request, _("%(name)s is not open: nobody can answer now.") % {"name": campaign.name}
        )
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    if request.method != "POST":
        count = reminder_candidates(campaign).count()
        if not count:
            messages.info(
                request, _("Nobody to remind: every personal link with an address has submitted.")
            )
            return redirect("assessments:campaign-detail", slug=campaign.slug)
        return render(
            request,
            "assessments/confirm.html",
            {
                "campaign": campaign,
                "organization": campaign.organization,
                "title": ngettext(
                    "Remind %(count)s person who has not submitted?",
                    "Remind %(count)s people who have not submitted?",
                    count,
                )
                % {"count": count},
                "consequences": [
                    _("Each gets an e-mail with their own link, the same one as before."),
                    _("Those who have submitted get nothing; nobody learns who else was reminded."),
                    _("The Links table shows when each reminder went, or why it failed."),
                ],
                "button": _("Send the reminders"),
                "danger": False,
            },
        )
    try:
        count = reminders_send(campaign=campaign, base_url=request.build_absolute_uri("/"))
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "A reminder to %(count)s person is being sent.",
                    "Reminders to %(count)s people are being sent.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("Nobody was reminded: everyone was reminded within the hour."))
    return redirect("assessments:campaign-detail", slug=campaign.slug)
