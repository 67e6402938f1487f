"""Staff admin: tenancy records, and question banks edited as drafts and then published.

A published version is shown read-only (no change, add or delete permission on it or on
anything under it); the models refuse such writes too, so the admin is not the only wall.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.files.banks import (
    bank_export,
    bank_import,
    bank_version_new_draft,
    bank_version_publish,
)
from assessments.files.formats import MAX_FILE_BYTES, guess_format, read_upload
from assessments.files.translations import coverage, translations_import, translations_xlsx
from assessments.forms import posted
from assessments.models import (
    BankVersion,
    Choice,
    Dimension,
    Function,
    Membership,
    Organization,
    Question,
    QuestionBank,
    Site,
    Stage,
    Team,
    Workspace,
)
from assessments.vocabulary import LANGUAGE_TAG

# --- Tenancy -------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role"]
    list_filter = ["role", "workspace"]
    autocomplete_fields = ["user", "workspace"]


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "site":
            kwargs["queryset"] = Site.objects.filter(organization_id=_object_id(request) or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "workspace", "industry"]
    list_filter = ["workspace"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SiteInline, TeamInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "country"]
    list_filter = ["organization"]
    search_fields = ["name", "slug"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "function", "site", "headcount"]
    list_filter = ["function", "organization"]
    search_fields = ["name", "slug"]


# --- Question banks ------------------------------------------------------------------------


def _object_id(request: HttpRequest) -> int | None:
    match = request.resolver_match
    raw = match.kwargs.get("object_id") if match else None
    return int(raw) if raw and str(raw).isdigit() else None


def _delete_or_explain(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Bulk delete from the change list; a published version in the selection stops it."""
    try:
        admin.ModelAdmin.delete_queryset(model_admin, request, queryset)
    except ValidationError as exc:
        model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)


class _DraftOnlyInline:
    """Inline rows can be changed only while their version is a draft."""

    def _writable(self, obj: Any) -> bool:
        version = obj if isinstance(obj, BankVersion) else getattr(obj, "version", None)
        return version is None or not version.is_published

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._writable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._writable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._writable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class StageInline(_DraftOnlyInline, admin.TabularInline):
    model = Stage
    extra = 0
    max_num = 4


class DimensionInline(_DraftOnlyInline, admin.StackedInline):
    model = Dimension
    extra = 0
    fields = [
        ("key", "name", "lens", "weight", "order"),
        "description",
        ("guidance_0", "guidance_1"),
        ("guidance_2", "guidance_3"),
    ]


class QuestionInline(_DraftOnlyInline, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "key", "kind", "dimension", "text", "weight", "allow_na", "allow_dont_know"]
    show_change_link = True
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}
    }

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "dimension":
            kwargs["queryset"] = Dimension.objects.filter(version_id=_object_id(request) or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A bank file in YAML or JSON, as described in docs/file-formats.md."),
    )
    draft = forms.BooleanField(
        label=_("Draft"),
        required=False,
        help_text=_("Import as an editable draft instead of publishing it."),
    )


class TranslationsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "The texts spreadsheet (XLSX) exported from a version, with its language columns "
            "filled in (docs/languages.md). It becomes a new draft of that version."
        ),
    )


@admin.register(BankVersion)
class BankVersionAdmin(admin.ModelAdmin):
    list_display = [
        "bank",
        "number",
        "status",
        "title",
        "language",
        "translated",
        "published_at",
        "download",
        "editor",
    ]
    list_filter = ["status", "bank"]
    search_fields = ["title", "bank__slug"]
    readonly_fields = ["status", "published_at"]
    fields = [
        "bank",
        "number",
        "status",
        "published_at",
        "title",
        "language",
        "description",
        "translations",
    ]
    inlines = [StageInline, DimensionInline, QuestionInline]
    actions = ["publish", "new_draft", "delete_drafts"]
    change_list_template = "admin/assessments/bankversion/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BankVersion]:
        return super().get_queryset(request).select_related("bank")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _delete_or_explain(self, request, queryset)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django's own bulk delete answers "your account doesn't have permission" for a
        # published version: `delete_drafts` deletes the drafts and says why the rest stay.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Delete the selected drafts"), permissions=["delete"])
    def delete_drafts(self, request: HttpRequest, queryset: QuerySet[BankVersion]) -> None:
        kept = [v.label for v in queryset.select_related("bank") if v.is_published]
        drafts = list(queryset.filter(status=BankVersion.Status.DRAFT).select_related("bank"))
        for draft in drafts:
            draft.delete()
        if drafts:
            self.message_user(
                request,
                _("Deleted %(labels)s.") % {"labels": ", ".join(d.label for d in drafts)},
                messages.SUCCESS,
            )
        if kept:
            self.message_user(
                request,
                _(
                    "Kept %(labels)s: a published version is never deleted, because the scores "
                    "of the campaigns that used it rest on it."
                )
                % {"labels": ", ".join(kept)},
                messages.WARNING,
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """A published version says why it stays, instead of "no permission"."""
        version = self.get_object(request, object_id)
        if version is not None and version.is_published:
            messages.error(
                request,
                _(
                    "%(label)s is published, so it is never deleted: the scores of the "
                    "campaigns that used it rest on it. Make a new draft from it to change it."
                )
                % {"label": version.label},
            )
            return redirect("admin:assessments_bankversion_change", version.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("Download"))
    def download(self, obj: BankVersion) -> str:
        url = reverse("admin:assessments_bankversion_download", args=[obj.pk])
        texts = reverse("admin:assessments_bankversion_texts", args=[obj.pk])
        return format_html(
            '<a href="{}">YAML</a> · <a href="{}?format=json">JSON</a> · '
            '<a href="{}" title="{}">{}</a>',
            url,
            url,
            texts,
            _("One row per text, one column per language"),
            _("texts (XLSX)"),
        )

    @admin.display(description=_("Editor"))
    def editor(self, obj: BankVersion) -> str:
        """The app's own editor: a draft on one page (assessments/views/banks.py)."""
        if obj.is_published:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("assessments:bank-preview", args=[obj.pk]),
                _("preview"),
            )
        return format_html(
            '<a href="{}">{}</a>', reverse("assessments:bank-edit", args=[obj.pk]), _("edit")
        )

    @admin.display(description=_("Translations"))
    def translated(self, obj: BankVersion) -> str:
        """How much of the version each language covers ("de: 100 %, cs: 62 %")."""
        if not obj.translations:
            return str(_("none"))
        return ", ".join(f"{tag}: {share} %" for tag, share in coverage(obj).items())

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[BankVersion]) -> None:
        for version in queryset:
            try:
                bank_version_publish(version=version)
            except Refused as exc:
                self.message_user(
                    request,
                    _("%(label)s was not published: ") % {"label": version.label} + exc.sentence,
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request, _("Published %(label)s.") % {"label": version.label}, messages.SUCCESS
                )

    @admin.action(description=_("New draft from the selected version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[BankVersion]) -> None:
        for version in queryset:
            draft = bank_version_new_draft(version=version)
            self.message_user(
                request,
                _("Created draft %(draft)s from %(version)s.")
                % {"draft": draft.label, "version": version.label},
                messages.SUCCESS,
            )

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="assessments_bankversion_upload",
            ),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="assessments_bankversion_download",
            ),
            path(
                "<int:pk>/texts/",
                self.admin_site.admin_view(self.texts_view),
                name="assessments_bankversion_texts",
            ),
            path(
                "translations/",
                self.admin_site.admin_view(self.translations_view),
                name="assessments_bankversion_translations",
            ),
        ]
        return extra + super().get_urls()

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems: list[str] = []
        form = BankUploadForm(*posted(request))
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = bank_import(
                    data=read_upload(upload, MAX_FILE_BYTES),
                    fmt=guess_format(upload.name),
                    draft=form.cleaned_data["draft"],
                )
            except Refused as exc:
                problems = exc.lines
            else:
                self.message_user(request, result.message, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:assessments_bankversion_change", args=[result.version.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload a question bank"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/assessments/bankversion/upload.html", context)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = get_object_or_404(BankVersion.objects.select_related("bank"), pk=pk)
        fmt = "json" if request.GET.get("format") == "json" else "yaml"
        response = HttpResponse(
            bank_export(version=version, fmt=fmt),
            content_type="application/json" if fmt == "json" else "application/yaml",
        )
        filename = f"{version.bank.slug}-v{version.number}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def texts_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The texts for translators; `?languages=cs,pl` adds empty columns to fill."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = get_object_or_404(BankVersion.objects.select_related("bank"), pk=pk)
        wanted = [t.strip() for t in request.GET.get("languages", "").split(",") if t.strip()]
        response = HttpResponse(
            translations_xlsx(version, [t for t in wanted if LANGUAGE_TAG.fullmatch(t)][:20]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{version.bank.slug}-v{version.number}-texts.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def translations_view(self, request: HttpRequest) -> HttpResponse:
        """A filled texts spreadsheet back in: a new draft of the version it came from."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems: list[str] = []
        form = TranslationsUploadForm(*posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                draft = translations_import(
                    data=read_upload(form.cleaned_data["file"], MAX_FILE_BYTES)
                )
            except Refused as exc:
                problems = exc.lines
            else:
                shares = ", ".join(f"{t}: {n} %" for t, n in coverage(draft).items())
                self.message_user(
                    request,
                    _(
                        "Created draft %(label)s with its translations (%(shares)s). Check it, "
                        "then publish it to use it in a campaign."
                    )
                    % {"label": draft.label, "shares": shares},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:assessments_bankversion_change", args=[draft.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import translations"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/assessments/bankversion/upload.html", context)


class ChoiceInline(_DraftOnlyInline, admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "key", "score", "text"]

    def _writable(self, obj: Any) -> bool:
        return obj is None or not obj.version.is_published


QUESTION_FIELDS = [
    "version",
    "dimension",
    "key",
    "text",
    "help",
    "weight",
    "audience",
    "allow_na",
    "allow_dont_know",
    "kind",
    "order",
]


class QuestionAdminForm(forms.ModelForm):
    """Audience as checkboxes, not a JSON box (none ticked: asked of everyone)."""

    audience = forms.MultipleChoiceField(
        label=_("Asked of"),
        choices=Function.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )

    class Meta:
        model = Question
        fields = QUESTION_FIELDS


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["key", "kind", "text", "dimension", "version", "weight", "allow_na"]
    list_filter = ["version__bank", "version"]
    search_fields = ["key", "text"]
    inlines = [ChoiceInline]
    fields = list(QUESTION_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return super().get_queryset(request).select_related("version__bank", "dimension")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = BankVersion.objects.filter(
                status=BankVersion.Status.DRAFT
            ).select_related("bank")
        if db_field.name == "dimension":
            kwargs["queryset"] = Dimension.objects.filter(
                version__status=BankVersion.Status.DRAFT
            ).select_related("version__bank")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.version.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _delete_or_explain(self, request, queryset)


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["slug", "created"]
    search_fields = ["slug"]
