"""Creating, changing, opening and closing a campaign, and its page with the live
completion tracker."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments import access, audit
from assessments.errors import Refused
from assessments.forms import CampaignForm, PersonInvitationForm, ReopenForm, TeamLinkForm, posted
from assessments.models import Campaign, Function, Invitation
from assessments.selectors.campaigns import completion
from assessments.services.campaigns import (
    REOPEN_DAYS,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_reopen,
    campaign_update,
    reopen_refusal,
)
from assessments.services.invitations import mail_waiting, reminder_day
from assessments.services.survey import pages_for

# The service names the bank version `bank`; the form calls its field `bank_version`.
FORM_FIELDS = {"bank": "bank_version", "languages": "language_tags"}


@login_required
def campaign_new(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    form = CampaignForm(posted(request)[0], organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                slug=data["slug"],
                organization=organization,
                bank_version=data["bank_version"],
                name=data["name"],
                min_group_size=data["min_group_size"],
                gap_threshold=data["gap_threshold"],
                shuffle_choices=data["shuffle_choices"],
                single_site=data["single_site"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                teams=data["teams"],
                languages=form.languages(),
                report_language=data["report_language"] or "en",
                remind_days_before=data["remind_days_before"],
            )
        except Refused as exc:
            exc.add_to_form(form, FORM_FIELDS)
        else:
            messages.success(
                request,
                _("Created %(name)s. Set targets below, then open it to collect answers.")
                % {"name": campaign.name},
            )
            return redirect("assessments:campaign-edit", slug=campaign.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("New campaign for %(name)s") % {"name": organization.name},
            "organization": organization,
        },
    )


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = CampaignForm(posted(request)[0], instance=campaign, organization=campaign.organization)
    if campaign.is_closed:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid() and not campaign.is_closed:
        data = form.cleaned_data
        try:
            campaign_update(
                campaign=campaign,
                min_group_size=data["min_group_size"],
                gap_threshold=data["gap_threshold"],
                targets=form.targets(),
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                teams=data["teams"],
                shuffle_choices=data["shuffle_choices"],
                single_site=data["single_site"],
                left_out=form.left_out(),
                languages=form.languages(),
                report_language=data["report_language"] or None,
                remind_days_before=data["remind_days_before"],
                base_url=request.build_absolute_uri("/"),
            )
        except Refused as exc:
            exc.add_to_form(form, FORM_FIELDS)
        else:
            messages.success(request, _("Saved the campaign's settings."))
            return redirect("assessments:campaign-detail", slug=campaign.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("Settings of %(name)s") % {"name": campaign.name},
            "campaign": campaign,
            "organization": campaign.organization,
            "help": _("This campaign is closed: its settings no longer change.")
            if campaign.is_closed
            else "",
        },
    )


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    organization = campaign.organization
    invitations = campaign.invitations.select_related("team").annotate(
        started=Count("responses", filter=Q(responses__discarded_at__isnull=True)),
        submitted=Count(
            "responses",
            filter=Q(responses__discarded_at__isnull=True, responses__submitted_at__isnull=False),
        ),
    )
    person_links = [i for i in invitations if i.kind == Invitation.Kind.PERSON]
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "organization": organization,
            "completion": completion(campaign),
            "person_links": person_links,
            "remindable": campaign.status == Campaign.Status.OPEN
            and any(
                i.email and not i.submitted and not i.is_revoked and i.mail != Invitation.Mail.HELD
                for i in person_links
            ),
            "reminder_day": reminder_day(campaign),
            "mail_waiting": mail_waiting(person_links),
            "team_links": [i for i in invitations if i.kind == Invitation.Kind.TEAM],
            "person_form": PersonInvitationForm(organization=organization, prefix="person"),
            "team_form": TeamLinkForm(organization=organization, prefix="join"),
            "history": audit.history(campaign),
            "can_reopen": campaign.is_closed
            and reopen_refusal(campaign) is None
            and access.is_owner(request, organization.workspace_id),
        },
    )


@login_required
def campaign_completion(request: HttpRequest, slug: str) -> HttpResponse:
    """The completion tracker alone, for htmx polling on the campaign page."""
    campaign = access.get_campaign_for_user(request, slug)
    return render(
        request,
        "assessments/_completion.html",
        {"campaign": campaign, "completion": completion(campaign)},
    )


@login_required
@require_POST
def campaign_open_view(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    try:
        sent = campaign_open(campaign=campaign, base_url=request.build_absolute_uri("/"))
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        messages.success(
            request, _("%(name)s is open: invitation links now work.") % {"name": campaign.name}
        )
        if sent:
            messages.info(
                request,
                ngettext(
                    "The %(n)s invitation held while it was a draft is being e-mailed.",
                    "The %(n)s invitations held while it was a draft are being e-mailed.",
                    sent,
                )
                % {"n": sent},
            )
    return redirect("assessments:campaign-detail", slug=campaign.slug)


@login_required
def campaign_close_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET says what closing does and asks; POST closes (a second click finds it closed)."""
    campaign = access.get_campaign_for_user(request, slug)
    if request.method != "POST":
        if campaign.is_closed:
            messages.info(request, _("%(name)s is already closed.") % {"name": campaign.name})
            return redirect("assessments:campaign-detail", slug=campaign.slug)
        return render(
            request,
            "assessments/confirm.html",
            {
                "campaign": campaign,
                "organization": campaign.organization,
                "title": _("Close %(name)s?") % {"name": campaign.name},
                "consequences": [
                    _("Every link stops working: nobody can answer or change an answer."),
                    _("Answers still in progress are left out; the scores become final."),
                    _("Its progress is measured against its baseline as it is now."),
                    _(
                        "An owner of the workspace can reopen it within %(days)s days, "
                        "giving a reason; after that it stays closed."
                    )
                    % {"days": REOPEN_DAYS},
                ],
                "button": _("Close the campaign"),
                "danger": True,
            },
        )
    try:
        campaign_close(campaign=campaign)
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        messages.success(
            request,
            _("%(name)s is closed: links stop working and its scores are final.")
            % {"name": campaign.name},
        )
    return redirect("assessments:campaign-detail", slug=campaign.slug)


@login_required
def campaign_reopen_view(request: HttpRequest, slug: str) -> HttpResponse:
    """An owner reopens a closed campaign within the grace period, saying why."""
    campaign = access.get_campaign_for_user(request, slug)
    if not access.is_owner(request, campaign.organization.workspace_id):
        raise access.forbidden(request, "Only an owner of the workspace reopens a campaign.")
    refusal = reopen_refusal(campaign)
    if refusal is not None:
        messages.error(request, refusal.sentence)
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    form = ReopenForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            campaign_reopen(
                campaign=campaign,
                reason=form.cleaned_data["reason"],
                base_url=request.build_absolute_uri("/"),
            )
        except Refused as exc:
            exc.add_to_form(form)
        else:
            messages.success(
                request,
                _("%(name)s is open again: its links work and answers can change.")
                % {"name": campaign.name},
            )
            return redirect("assessments:campaign-detail", slug=campaign.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "campaign": campaign,
            "organization": campaign.organization,
            "title": _("Reopen %(name)s?") % {"name": campaign.name},
            "help": _(
                "Its links work again and answers can change until it is closed again; its "
                "scores are no longer final. The reason is kept in the campaign's history."
            ),
        },
    )


@login_required
def campaign_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The survey as a respondent's phone shows it, page by page, for one function; nothing
    chosen here is sent or saved (no response exists, the page has no answer address)."""
    campaign = access.get_campaign_for_user(request, slug)
    context = preview_context(
        request, campaign.bank_version, campaign.left_out, translation.get_language()
    )
    return render(request, "survey/preview.html", {"campaign": campaign, **context})


def preview_context(
    request: HttpRequest, version: Any, left_out: list[str], language: str
) -> dict[str, Any]:
    """The preview page's pages for the function and page number the address asks for
    (a campaign's preview here, a draft bank's in views/banks.py)."""
    function = request.GET.get("function", "ot")
    if function not in dict(Function.choices):
        function = "ot"
    pages = pages_for(version, function, left_out, language)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), len(pages)) if pages else 1
    current = pages[number - 1] if pages else None
    return {
        "version": version,
        "function": function,
        "functions": Function.choices,
        "pages": pages,
        "page": current,
        "rows": [(q, None) for q in current.questions] if current else [],
        "total": sum(len(p.questions) for p in pages),
    }
