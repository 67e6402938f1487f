"""The question-bank editor, for staff, in the app's own pages (the admin keeps the rest):
the versions of every bank; a draft on one page; a preview as a respondent; what changed
since the previous version, then publish. Anyone who is not staff gets 404."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.errors import Refused
from assessments.files.banks import (
    LEVELS,
    bank_export_document,
    bank_version_new_draft,
    bank_version_publish,
)
from assessments.models import BankVersion, Function
from assessments.services.bank_editor import (
    bank_changes,
    bank_draft_save,
    editor_for,
    editor_from_post,
    place_problems,
    previous_version,
    raw_document,
)
from assessments.views.campaigns import preview_context
from assessments.vocabulary import FUNCTIONS


def staff_only(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404  # as if the page did not exist
        return view(request, *args, **kwargs)

    return wrapped


def _version(pk: int) -> BankVersion:
    return get_object_or_404(BankVersion.objects.select_related("bank"), pk=pk)


@staff_only
def bank_list(request: HttpRequest) -> HttpResponse:
    versions = (
        BankVersion.objects.select_related("bank")
        .annotate(questions_count=Count("questions", distinct=True))
        .annotate(campaigns_count=Count("campaigns", distinct=True))
        .order_by("bank__slug", "-number")
    )
    return render(request, "banks/list.html", {"versions": versions})


@staff_only
@require_POST
def bank_new_draft(request: HttpRequest, version: int) -> HttpResponse:
    target = _version(version)
    draft = bank_version_new_draft(version=target)
    messages.success(
        request,
        _("Made %(label)s, a draft copy of %(source)s: edit it, then publish it.")
        % {"label": draft.label, "source": target.label},
    )
    return redirect("assessments:bank-edit", version=draft.pk)


@staff_only
def bank_edit(request: HttpRequest, version: int) -> HttpResponse:
    target = _version(version)
    if target.is_published:
        messages.info(
            request,
            _(
                "%(label)s is published: it never changes, so old scores never change. "
                "Make a new draft from it to edit."
            )
            % {"label": target.label},
        )
        return redirect("assessments:bank-list")
    problems = None
    if request.method == "POST":
        editor = editor_from_post(target, request.POST)
        action = request.POST.get("action", "save")
        if action == "save":
            try:
                bank_draft_save(version=target, editor=editor)
            except Refused as exc:
                problems = place_problems(exc, raw_document(editor)[1])
            else:
                messages.success(request, _("Saved the draft %(label)s.") % {"label": target.label})
                return redirect("assessments:bank-edit", version=target.pk)
        elif not editor.notice:
            editor.notice = _("Not saved yet: press Save draft to keep it.")
    else:
        editor = editor_for(target)
    return render(
        request,
        "banks/edit.html",
        {
            "editor": editor,
            "version": target,
            "problems": problems,
            "functions": [(key, Function(key).label) for key in FUNCTIONS],
            "levels": LEVELS,
        },
        status=400 if problems else 200,
    )


@staff_only
def bank_preview(request: HttpRequest, version: int) -> HttpResponse:
    """A draft (or any version) as a respondent's phone shows it; nothing is saved."""
    target = _version(version)
    language = request.GET.get("language") or target.language
    if language != target.language and language not in (target.translations or {}):
        language = target.language
    context = preview_context(request, target, [], language)
    with translation.override(language if language in dict(settings.LANGUAGES) else None):
        return render(
            request,
            "survey/preview.html",
            {
                **context,
                "language": language,
                "languages": [target.language, *sorted(target.translations or {})],
            },
        )


@staff_only
def bank_publish(request: HttpRequest, version: int) -> HttpResponse:
    """GET: what publishing changes against the previous version, and the button. POST:
    publish, by the same rules as an imported file."""
    target = _version(version)
    if target.is_published:
        messages.info(request, _("%(label)s is already published.") % {"label": target.label})
        return redirect("assessments:bank-list")
    problems: list[str] = []
    if request.method == "POST":
        try:
            bank_version_publish(version=target)
        except Refused as exc:
            problems = exc.lines
        else:
            messages.success(
                request,
                _("Published %(label)s: campaigns can use it now, and it never changes.")
                % {"label": target.label},
            )
            return redirect("assessments:bank-list")
    previous = previous_version(target)
    changes = (
        bank_changes(bank_export_document(previous), bank_export_document(target))
        if previous is not None
        else []
    )
    return render(
        request,
        "banks/publish.html",
        {"version": target, "previous": previous, "changes": changes, "problems": problems},
    )
