"""Forms for the consultant pages (crispy-forms, Bootstrap 5). Writes go through services."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.http import HttpRequest
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from assessments.models import (
    BankVersion,
    Campaign,
    Dimension,
    Function,
    Initiative,
    Organization,
    Site,
    Team,
    Workspace,
)

LOGO_MAX_BYTES = 500 * 1024
LOGO_MAX_PIXELS = 2000


def posted(request: HttpRequest) -> tuple[Any, Any]:
    """Form data and files of a POST, or (None, None). An empty POST is still a POST: its
    form is bound and says what is missing (`request.POST or None` would not)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


class _Crispy:
    """A FormHelper that lets templates wrap the fields in their own <form> tag."""

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        return helper


class _SlugFromName:
    """A new object's slug may be left empty: it is made from the name ("Plant North" gives
    plant-north), as static/js/slug.js shows while the name is typed; it stays editable, and
    fixed once the object exists."""

    fields: dict[str, Any]
    instance: Any
    cleaned_data: dict[str, Any]

    def _slug_from_name(self) -> None:
        if "slug" in self.fields and not self.instance.pk:
            self.fields["slug"].required = False
            self.fields["slug"].widget.attrs["data-slug-from"] = "name"

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip()
        if not slug and not self.instance.pk:
            slug = slugify(self.cleaned_data.get("name") or "")[:60].strip("-")
            if not slug:
                raise forms.ValidationError(_("give a name, or a short name of your own"))
        return slug


class OrganizationForm(_SlugFromName, _Crispy, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug", "industry"]
        labels = {"name": _("Name"), "slug": _("Short name (slug)"), "industry": _("Industry")}
        help_texts = {
            "slug": _(
                "Used in addresses and files, e.g. acme; made from the name when left empty. "
                "Cannot be changed later."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        self._slug_from_name()
        if self.instance.pk:
            self.fields["slug"].disabled = True


class OrganizationUploadForm(_Crispy, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An organisation file (YAML or JSON) with its sites and teams; importing "
            "again updates names and adds what is new, and never deletes anything."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class SiteForm(_SlugFromName, _Crispy, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "slug", "country"]
        labels = {"name": _("Name"), "slug": _("Short name (slug)"), "country": _("Country")}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        # Picked from the ISO 3166 list in the reader's language; stored as its code.
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"),
            required=False,
            choices=[("", "\u2013"), *countries],
        )
        self.helper = self._helper()
        self._slug_from_name()


class TeamForm(_SlugFromName, _Crispy, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "function", "site", "headcount"]
        labels = {
            "name": _("Name"),
            "slug": _("Short name (slug)"),
            "function": _("Function"),
            "site": _("Site"),
            "headcount": _("Headcount"),
        }
        help_texts = {
            "function": _("Respondents of this team answer as this function."),
            "headcount": _("People of the team expected to answer: gives the response rate."),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["site"].queryset = organization.sites.all()
        self.helper = self._helper()
        self._slug_from_name()


class CampaignForm(_SlugFromName, _Crispy, forms.ModelForm):
    """Campaign settings; on an existing campaign also a target stage per dimension."""

    def languages(self) -> list[str]:
        return [
            t.strip() for t in self.cleaned_data.get("language_tags", "").split(",") if t.strip()
        ]

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "bank_version",
            "teams",
            "opens_on",
            "closes_on",
            "min_group_size",
            "gap_threshold",
            "shuffle_choices",
            "single_site",
            "report_language",
            "remind_days_before",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "teams": forms.CheckboxSelectMultiple,
        }
        labels = {
            "name": _("Name"),
            "slug": _("Short name (slug)"),
            "bank_version": _("Question bank"),
            "teams": _("Teams in scope"),
            "opens_on": _("Opens on"),
            "closes_on": _("Closes on"),
            "min_group_size": _("Minimum group size"),
            "gap_threshold": _("Gap threshold"),
            "shuffle_choices": _("Shuffle the answers"),
            "single_site": _("One site"),
            "report_language": _("Report language"),
            "remind_days_before": _("Reminder, days before closing"),
        }
        help_texts = {
            "teams": _("Leave all unticked to include every team."),
            "slug": _("Used in addresses and exports, e.g. acme-2026."),
            "min_group_size": _(
                "No figure rests on fewer submitted responses, and none can be combined with "
                "others to single out fewer (docs/methodology.md, Privacy)."
            ),
            "gap_threshold": _("An IT/OT perception gap at least this large is flagged."),
            "shuffle_choices": _(
                "Each respondent sees each question's answers in an order of their own, so the "
                "most mature answer is not always last. What is stored and scored never changes."
            ),
            "single_site": _(
                "The organisation has one site: leave out the questions about several sites."
            ),
            "report_language": _("The language of the PDF report and the deck."),
            "remind_days_before": _(
                "Everyone with a personal link who has not submitted is e-mailed a reminder "
                "this many days before the closing date, at 09:00. Empty: no scheduled reminder."
            ),
        }

    language_tags = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_(
            "The languages respondents may answer in, the first the default, e.g. de, en. "
            "Empty: English and German, the bank's own language first (docs/languages.md)."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        if self.instance.pk:
            self.fields["language_tags"].initial = ", ".join(self.instance.languages)
        self.fields["teams"].queryset = organization.teams.all()
        self.fields["report_language"].required = False  # left out: as it was ("en" when new)
        self.fields["bank_version"].queryset = BankVersion.objects.filter(
            status=BankVersion.Status.PUBLISHED
        ).select_related("bank")
        self.fields["bank_version"].label_from_instance = lambda v: (
            f"{v.title} ({v.bank.slug} v{v.number})"
        )
        self.target_keys: list[str] = []
        self._slug_from_name()
        if not self.instance.pk:
            # A client with one site (or none yet) most likely wants the one-site questions.
            self.fields["single_site"].initial = organization.sites.count() <= 1
            # The newest published version of each bank is offered first; with one bank, it
            # is chosen already.
            published = list(self.fields["bank_version"].queryset.order_by("bank", "-number"))
            newest = {v.bank_id: v for v in reversed(published)}
            if len(newest) == 1:
                self.fields["bank_version"].initial = next(iter(newest.values())).pk
        if self.instance.pk:
            from assessments.services.campaigns import site_questions
            from assessments.services.survey import localized_questions

            keys = set(site_questions(self.instance.bank_version))
            questions = {  # in the reader's language where the bank has it
                q.key: q.text
                for q in localized_questions(self.instance.bank_version, translation.get_language())
                if q.key in keys
            }
            if questions:
                self.fields["left_out"] = forms.MultipleChoiceField(
                    label=_("With one site, leave out"),
                    choices=[(key, f"{key}: {text}") for key, text in questions.items()],
                    initial=self.instance.left_out
                    if self.instance.single_site
                    else list(questions),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_(
                        "The questions that allow N/A; they no longer change once someone "
                        "has answered."
                    ),
                )
            started = self.instance.responses.count()
            if started:  # what is asked stops changing (services.campaigns.campaign_update)
                for name in ("single_site", "left_out"):
                    if name in self.fields:
                        self.fields[name].disabled = True
                self.fields["single_site"].help_text = _(
                    "Fixed: %(started)s people have started answering, so the questions asked "
                    "no longer change."
                ) % {"started": started}
            self.fields["slug"].disabled = True
            self.fields["bank_version"].disabled = True  # scores depend on it
            names = {  # in the reader's language where the bank has it
                q.dimension.key: q.dimension.name
                for q in localized_questions(self.instance.bank_version, translation.get_language())
            }
            for dimension in Dimension.objects.filter(version=self.instance.bank_version):
                name = f"target_{dimension.key}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("Target stage: %(name)s")
                    % {"name": names.get(dimension.key, dimension.name)},
                    choices=[(i, _("Stage %(stage)s") % {"stage": i}) for i in range(4)],
                    coerce=int,
                    initial=self.instance.target(dimension.key),
                )
                self.target_keys.append(dimension.key)

    def left_out(self) -> list[str] | None:
        """The questions ticked to leave out, or None (the default) when the form has none."""
        if "left_out" not in self.fields:
            return None
        return list(self.cleaned_data.get("left_out") or [])

    def targets(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"target_{key}"] for key in self.target_keys}


class WorkspaceSettingsForm(_Crispy, forms.ModelForm):
    """What the PDF report carries of the consultancy: name, logo, colour, paper."""

    class Meta:
        model = Workspace
        fields = ["name", "brand_colour", "logo", "paper_size"]
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}
        labels = {
            "name": _("Name"),
            "brand_colour": _("Brand colour"),
            "logo": _("Logo"),
            "paper_size": _("Report paper size"),
        }
        help_texts = {
            "logo": _(
                "PNG or JPEG, shown on the report's cover (at most 500 kB, 2000 x 2000 pixels)."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_logo(self) -> Any:
        """A PNG or JPEG of at most 500 kB and 2000 x 2000 pixels, checked by decoding it
        (a renamed file or a decompression bomb is refused here, not in the next report)."""
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "read") or getattr(logo, "_committed", False):
            return logo  # cleared, or the logo already stored
        if getattr(logo, "size", 0) > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 500 kB."))
        from PIL import Image

        try:
            logo.seek(0)
            with Image.open(logo) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise forms.ValidationError(_("This is not a PNG or JPEG image.")) from None
        finally:
            logo.seek(0)
        if kind not in ("PNG", "JPEG"):
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
            raise forms.ValidationError(
                _("The logo is %(width)s x %(height)s pixels; at most 2000 x 2000, please.")
                % {"width": width, "height": height}
            )
        return logo


class PersonInvitationForm(_Crispy, forms.Form):
    name = forms.CharField(
        label=_("Name"), required=False, max_length=200, help_text=_("Optional.")
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional: the link is e-mailed to this address."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        self.fields["team"].queryset = organization.teams.all()  # type: ignore[attr-defined]


class InvitationUploadForm(_Crispy, forms.Form):
    file = forms.FileField(
        label=_("File of people"),
        help_text=_(
            "CSV or XLSX with a header row: email, and optionally name and team (a team's "
            "name or short name). Nothing is made unless every row is right."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class TeamLinkForm(_Crispy, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    max_responses = forms.IntegerField(
        label=_("Most responses"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_(
            "Empty: the team's headcount, when it has one. The link then takes nobody more."
        ),
    )
    kiosk = forms.BooleanField(
        label=_("Kiosk mode (one shared tablet)"),
        required=False,
        help_text=_(
            "For a tablet passed from person to person: each starts afresh, and the tablet "
            "forgets them when they submit or leave it idle for a few minutes."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        self.fields["team"].queryset = organization.teams.all()  # type: ignore[attr-defined]


class WorkshopLimitsForm(_Crispy, forms.Form):
    max_participants = forms.IntegerField(
        label=_("Most participants"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Empty: no limit. The code lets nobody more join."),
    )
    cap_teams = forms.BooleanField(
        label=_("No team beyond its headcount"),
        required=False,
        help_text=_("A team with a headcount takes no more responses than it has people."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReopenForm(_Crispy, forms.Form):
    reason = forms.CharField(
        label=_("Why is it reopened?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “Plant South's night shift answered on paper after we closed.”"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class EmailInviteForm(_Crispy, forms.Form):
    email = forms.EmailField(label=_("E-mail"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class StartSurveyForm(forms.Form):
    function = forms.ChoiceField(
        choices=Function.choices, widget=forms.RadioSelect, label=_("Where do you work?")
    )


class TokenForm(_Crispy, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What it is for, e.g. Power BI.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


def _level_field(label: Any) -> forms.TypedChoiceField:
    """Low, medium or high (1-3), as radio buttons, medium to begin with."""
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=Initiative.Level.choices,
        widget=forms.RadioSelect,
        initial=Initiative.Level.MEDIUM,
    )


class InitiativeForm(_Crispy, forms.Form):
    """A roadmap initiative (services.initiatives checks the keys against the bank)."""

    title = forms.CharField(
        label=_("What will be done"),
        max_length=200,
        help_text=_("One line a steering committee understands, e.g. “One OT/IT change board”."),
    )
    owner = forms.CharField(
        label=pgettext_lazy("initiative", "Owner"),
        max_length=200,
        help_text=_("Who leads it: a person or a role, e.g. “Head of OT, Plant North”."),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions it should move"), widget=forms.CheckboxSelectMultiple
    )
    questions = forms.MultipleChoiceField(
        label=_("Blocking questions it answers"),
        required=False,
        help_text=_(
            "The questions that keep those dimensions low (those of the dimensions ticked above)."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    horizon = forms.TypedChoiceField(
        label=_("Horizon"),
        coerce=int,
        choices=Initiative.Horizon.choices,
        widget=forms.RadioSelect,
        initial=Initiative.Horizon.NOW,
    )
    impact = _level_field(_("Impact"))
    effort = _level_field(_("Effort"))
    status = forms.ChoiceField(
        label=_("Status"), choices=Initiative.Status.choices, initial=Initiative.Status.PLANNED
    )

    def __init__(
        self,
        *args: Any,
        dimensions: list[tuple[str, str]],
        questions: list[tuple[str, str, str]],
        **kwargs: Any,
    ) -> None:
        """`questions`: (key, label, dimension key) of each scored question."""
        super().__init__(*args, **kwargs)
        self.fields["dimensions"].choices = dimensions  # type: ignore[attr-defined]
        self.fields["questions"].choices = [  # type: ignore[attr-defined]
            (key, label) for key, label, _dimension in questions
        ]
        self.question_dimensions = {key: dimension for key, _label, dimension in questions}
        self.helper = self._helper()
