"""Survey links: a person's (mailed when it has an address) and a team's join link, shown
once with a QR code (in the answer to the POST that made it), and revoked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import access
from assessments.errors import Refused
from assessments.forms import PersonInvitationForm, TeamLinkForm
from assessments.models import Invitation
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
            absolute_url=request.build_absolute_uri,
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
