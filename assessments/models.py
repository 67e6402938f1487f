"""Data model: tenancy (workspaces, organisations), and question banks.

A question bank version, once published, never changes: every model under it refuses
writes through `save()`, `delete()` and queryset `update()`/`delete()` (see
`_refuse_if_published` and `PublishedVersionError`), so the
service layer, the admin and the command line all meet the same wall with the same message.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.vocabulary import (
    CONTROL_CHARACTERS,
    DECISION_ANSWERS,
    DEFAULT_MIN_GROUP_SIZE,
    DK,
    FUNCTIONS,
    NA,
    QUESTION_KINDS,
)

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
slug_validator = RegexValidator(
    SLUG_RE, "use lowercase letters, digits and single hyphens (for example plant-north)"
)
# Slugs are unique across every workspace (they are in addresses): a clash must not tell one
# consultancy which slugs another's clients use.
SLUG_TAKEN = {"unique": "This slug is not available; choose another."}


def no_control_characters(value: str) -> None:
    """Names go into pages, files and e-mail headers: no line breaks or other control
    characters (a CR/LF in a name once broke the invitation e-mail after rows were written)."""
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            "must not contain line breaks or other control characters", code="control"
        )


class Function(models.TextChoices):
    IT = "it", _("IT")
    OT = "ot", _("OT")
    BUSINESS = "business", _("Business")
    LEADERSHIP = "leadership", _("Leadership")
    OTHER = "other", _("Other")


FUNCTION_KEYS: tuple[str, ...] = FUNCTIONS  # one spelling (vocabulary.py); labels above


# --- Tenancy -------------------------------------------------------------------------------


class Workspace(models.Model):
    """A consultancy. Everything a consultant sees hangs off one workspace."""

    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "letter", _("US Letter")

    name = models.CharField(max_length=200, validators=[no_control_characters])
    slug = models.SlugField(
        max_length=60, unique=True, validators=[slug_validator], error_messages=SLUG_TAKEN
    )
    # Branding of the PDF report.
    brand_colour = models.CharField(
        max_length=7,
        default="#1f3a5f",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "use a colour like #1f3a5f")],
    )
    logo = models.FileField(
        upload_to="logos/",
        blank=True,
        # No SVG: an SVG is a program for the renderer (a 2.3 kB one of nested <use> kept
        # every report busy for 60 s). Raster images are checked on upload (forms.py).
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text="PNG or JPEG, shown on the report's cover (at most 500 kB, 2000 x 2000 pixels).",
    )
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    # Every member must sign in with a second factor (services/two_factor.py).
    require_two_factor = models.BooleanField("Require two-factor sign-in", default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        CONSULTANT = "consultant", _("Consultant")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "consultant"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"


class Organization(models.Model):
    """A client: a manufacturer with sites and teams."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="organizations")
    slug = models.SlugField(
        max_length=60, unique=True, validators=[slug_validator], error_messages=SLUG_TAKEN
    )
    name = models.CharField(max_length=200, validators=[no_control_characters])
    industry = models.CharField(max_length=200, blank=True, validators=[no_control_characters])
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientViewer(models.Model):
    """An executive of the client, invited by e-mail: reads one organisation's dashboards and
    reports, and nothing else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewer_of"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="viewers")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="viewer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} views {self.organization}"


def iso_country(value: str) -> None:
    """A country is its ISO 3166 code ("DE"), from the list the site form offers."""
    from django_countries import countries

    if value and value not in dict(countries):
        raise ValidationError(
            _("%(value)s is not an ISO 3166 country code (such as DE)"),
            code="country",
            params={"value": repr(value)},
        )


class Site(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sites")
    slug = models.SlugField(max_length=60, validators=[slug_validator])
    name = models.CharField(max_length=200, validators=[no_control_characters])
    country = models.CharField(
        max_length=2, blank=True, validators=[iso_country], help_text="ISO 3166 code, e.g. DE"
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="site_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=60, validators=[slug_validator])
    name = models.CharField(max_length=200, validators=[no_control_characters])
    function = models.CharField(max_length=20, choices=Function)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams"
    )
    headcount = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="People of the team expected to answer: gives the response rate.",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="team_slug_unique"),
            models.CheckConstraint(
                condition=Q(headcount__isnull=True) | Q(headcount__gte=1),
                name="team_headcount_positive",
            ),
            models.CheckConstraint(
                condition=Q(function__in=FUNCTION_KEYS), name="team_function_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.site_id and self.site and self.site.organization_id != self.organization_id:
            raise ValidationError({"site": "This site belongs to another organisation."})


# --- Question banks ------------------------------------------------------------------------


class PublishedVersionError(ValidationError):
    """Raised on any attempt to change a published bank version or anything under it."""

    def __init__(self, version_label: str) -> None:
        super().__init__(
            f"Bank version {version_label} is published and cannot be changed; "
            "create a new draft from it instead."
        )


class BankGuardedQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes that touch a published bank version."""

    version_path: str = "version"

    def _refuse_if_published(self) -> None:
        published = (
            self.filter(**{f"{self.version_path}__status": BankVersion.Status.PUBLISHED})
            .values_list(f"{self.version_path}__bank__slug", f"{self.version_path}__number")
            .first()
        )
        if published:
            raise PublishedVersionError(f"{published[0]} v{published[1]}")

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_published()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_published()
        return super().delete()


class VersionQuerySet(BankGuardedQuerySet):
    def update(self, **kwargs: Any) -> int:
        # Publishing (draft -> published) is the one update allowed; it goes through
        # `bank_version_publish`, which updates drafts only.
        published = self.filter(status=BankVersion.Status.PUBLISHED).first()
        if published:
            raise PublishedVersionError(published.label)
        return models.QuerySet.update(self, **kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        published = self.filter(status=BankVersion.Status.PUBLISHED).first()
        if published:
            raise PublishedVersionError(published.label)
        return models.QuerySet.delete(self)


class QuestionBank(models.Model):
    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class BankVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # PROTECT, not CASCADE: a cascade would delete published versions behind the guard's back.
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=300)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag, e.g. en")
    description = models.TextField(blank=True)
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text="Texts in other languages, keyed by language tag, as in the bank file format.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank version")
        verbose_name_plural = _("bank versions")
        ordering = ["bank__slug", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="bankversion_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="bankversion_number_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="bankversion_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.status}): {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_status() == self.Status.PUBLISHED:
            raise PublishedVersionError(self.label)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() == self.Status.PUBLISHED:
            raise PublishedVersionError(self.label)
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"{self.bank.slug} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return BankVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()


class _UnderVersion(models.Model):
    """Base for everything stored under a bank version: writes refused once published."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_writable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._check_writable()
        return super().delete(*args, **kwargs)

    def _owning_version_id(self) -> int | None:
        raise NotImplementedError

    def _check_writable(self) -> None:
        ids = {self._owning_version_id()}
        if self.pk is not None:
            # A row moved from a published version is a change to that version too.
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None:
                ids.add(stored._owning_version_id())
        ids.discard(None)
        published = (
            BankVersion.objects.filter(pk__in=ids, status=BankVersion.Status.PUBLISHED)
            .select_related("bank")
            .first()
        )
        if published is not None:
            raise PublishedVersionError(published.label)


class Stage(_UnderVersion):
    """One of the four stages of the collaboration model, as a bank names it."""

    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="stages")
    level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3)])
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    objects = BankGuardedQuerySet.as_manager()

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="stage_level_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=3), name="stage_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Stage {self.level}: {self.name}"

    def _owning_version_id(self) -> int | None:
        return self.version_id


class Dimension(_UnderVersion):
    class Lens(models.TextChoices):
        STAGE = "stage", "Stage (collaboration model)"
        ENABLER = "enabler", "Enabler"

    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    lens = models.CharField(max_length=10, choices=Lens.choices)
    weight = models.FloatField(default=1.0)
    description = models.TextField(blank=True)
    guidance_0 = models.TextField("guidance at stage 0")
    guidance_1 = models.TextField("guidance at stage 1")
    guidance_2 = models.TextField("guidance at stage 2")
    guidance_3 = models.TextField("guidance at stage 3 (how to sustain)")
    order = models.PositiveIntegerField(default=0)

    objects = BankGuardedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="dimension_key_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="dimension_weight_positive"),
            models.CheckConstraint(
                condition=Q(lens__in=["stage", "enabler"]), name="dimension_lens_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.name}"

    def _owning_version_id(self) -> int | None:
        return self.version_id

    def guidance(self, level: int) -> str:
        return str(getattr(self, f"guidance_{level}"))


class QuestionQuerySet(BankGuardedQuerySet):
    def in_survey_order(self) -> QuestionQuerySet:
        """The order a respondent meets the questions in: dimension by dimension, as the
        bank lists them (the survey, the workshop, the exports)."""
        return self.order_by("dimension__order", "dimension_id", "order", "id")


class Question(_UnderVersion):
    class Kind(models.TextChoices):
        SCORED = "scored", "Scored"
        DECISION = "decision", "Decision: who decides (never scored)"

    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="questions")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=60)
    text = models.TextField()
    help = models.TextField(blank=True)
    weight = models.FloatField(default=1.0)
    audience = models.JSONField(
        default=list,
        blank=True,
        help_text="Functions this question is asked of; empty means everyone.",
    )
    allow_na = models.BooleanField("allow N/A", default=False)
    allow_dont_know = models.BooleanField("allow Don't know", default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCORED)
    order = models.PositiveIntegerField(default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="question_key_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="question_weight_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=QUESTION_KINDS), name="question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"

    def _owning_version_id(self) -> int | None:
        return self.version_id

    def clean(self) -> None:
        if self.dimension_id and self.dimension.version_id != self.version_id:
            raise ValidationError({"dimension": "This dimension belongs to another version."})
        bad = [a for a in (self.audience or []) if a not in FUNCTION_KEYS]
        if not isinstance(self.audience, list) or bad:
            raise ValidationError(
                {"audience": f"Use a list of functions from: {', '.join(FUNCTION_KEYS)}."}
            )

    def asked_of(self, function: str) -> bool:
        return not self.audience or function in self.audience

    @property
    def is_decision(self) -> bool:
        return self.kind == self.Kind.DECISION


class ChoiceQuerySet(BankGuardedQuerySet):
    version_path = "question__version"


class Choice(_UnderVersion):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.CharField(max_length=60)
    score = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(3)])
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=3), name="choice_score_range"
            ),
            models.CheckConstraint(condition=~Q(key__contains=","), name="choice_key_no_comma"),
            # Target of the composite foreign key that ties an answer's choice to its question.
            models.UniqueConstraint(fields=["id", "question"], name="choice_id_question_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.score:g}): {self.text[:60]}"

    def _owning_version_id(self) -> int | None:
        if self.question_id is None:
            return None
        return (
            Question.objects.filter(pk=self.question_id)
            .values_list("version_id", flat=True)
            .first()
        )


# --- Campaigns and responses ---------------------------------------------------------------


class Campaign(models.Model):
    """One assessment of one organisation on one published bank version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="campaigns"
    )
    bank_version = models.ForeignKey(
        BankVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    slug = models.SlugField(
        max_length=60, unique=True, validators=[slug_validator], error_messages=SLUG_TAKEN
    )
    name = models.CharField(max_length=200, validators=[no_control_characters])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=[MinValueValidator(1)],
        help_text=(
            "No figure rests on fewer submitted responses, and none can be combined with "
            "others to single out fewer (docs/methodology.md, Privacy)."
        ),
    )
    # Each respondent sees a question's answers in an order of their own (docs/methodology.md).
    shuffle_choices = models.BooleanField(
        "Shuffle the answers",
        default=False,
        help_text="Each respondent sees each question's answers in an order of their own, so "
        "the most mature answer is not always last. What is stored and scored never changes.",
    )
    # A one-site organisation is not asked the questions about several sites (docs/methodology.md,
    # "One site"): the keys of the scored questions left out, fixed once answers arrive.
    single_site = models.BooleanField(
        "One site",
        default=False,
        help_text="The organisation has one site: leave out the questions about several sites.",
    )
    left_out = models.JSONField(
        default=list,
        blank=True,
        help_text="Keys of the questions this campaign does not ask (one site).",
    )
    # The languages respondents may answer in, the first the default (docs/languages.md);
    # empty: the interface's languages and the bank's, the bank's own first.
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text="Language tags respondents may choose, the first the default.",
    )
    # The language of the campaign's PDF, deck and dashboard downloads (docs/languages.md):
    # one the interface speaks in full; figures are the same in every language.
    report_language = models.CharField(
        "report language",
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the PDF report and the deck.",
    )
    gap_threshold = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
        help_text="An IT/OT perception gap at least this large is flagged.",
    )
    targets = models.JSONField(
        default=dict, blank=True, help_text="Target stage per dimension key; missing means 2."
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="campaigns", help_text="Teams in scope; none means all."
    )
    # Personal links not yet submitted are reminded by e-mail this many days before the
    # closing date (assessments/services/invitations.py); null: no scheduled reminder.
    remind_days_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reminded_on = models.DateField(null=True, blank=True)  # the scheduled reminder went
    # Frozen when the campaign closes, so a closed campaign's progress never changes.
    baseline = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=1), name="campaign_min_group_size_positive"
            ),
            models.CheckConstraint(
                condition=Q(gap_threshold__gte=0), name="campaign_gap_threshold_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, Any]:
        """What the audit log keeps beside a change (assessments/audit.py): the campaign, and
        why, where the change was given a reason (a reopening)."""
        return {"campaign": self.pk, **getattr(self, "audit_note", {})}

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def target(self, dimension: str) -> int:
        return int(self.targets.get(dimension, 2))

    def offered_languages(self) -> list[str]:
        """The languages respondents may choose, the default first."""
        if self.languages:
            return list(self.languages)
        own = self.bank_version.language
        others = [code for code, _name in settings.LANGUAGES] + list(
            self.bank_version.translations or {}
        )
        return list(dict.fromkeys([own, *others]))

    def asks(self, question: Question, function: str) -> bool:
        """Whether a respondent of `function` is asked `question` in this campaign: its
        audience includes them and the campaign does not leave it out (one site)."""
        return question.asked_of(function) and question.key not in self.left_out


class Invitation(models.Model):
    """A link to the survey. A person link leads one respondent to one response; a team join
    link gives every visitor a response of their own (workshops). Only a SHA-256 hash of the
    token is stored: the link is shown once, when it is made."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Personal link")
        TEAM = "team", _("Team join link")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    name = models.CharField(max_length=200, blank=True, validators=[no_control_characters])
    email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A join link takes at most this many responses (discarded ones do not count); a person
    # link is one response anyway. Null: no cap.
    max_responses = models.PositiveIntegerField(
        "Most responses",
        null=True,
        blank=True,
        help_text="The link stops taking new people after this many (empty: no limit).",
    )

    class Mail(models.TextChoices):
        NONE = "", _("not e-mailed")
        HELD = "held", _("held until the campaign opens")
        QUEUED = "queued", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")

    # A personal link's e-mail (services.survey.invitation_create): held while the campaign is
    # a draft and sent when it opens; a failure is kept and shown, never lost.
    mail = models.CharField(max_length=10, choices=Mail.choices, blank=True, default="")
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # the link first opened
    # An e-mailed link's token is derived from this nonce and the secret key, so a reminder
    # can carry the same link (services/invitations.py, docs/security.md); empty: random.
    token_nonce = models.CharField(max_length=32, blank=True)
    # A join link for a shared tablet: every person starts afresh, and the tablet forgets
    # them after they submit or leave it idle (views/survey.py, "Kiosk mode").
    kiosk = models.BooleanField(default=False)
    reminders = models.PositiveSmallIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["person", "team"]), name="invitation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_responses__isnull=True) | Q(max_responses__gte=1),
                name="invitation_max_responses_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind="person") | Q(team__isnull=False), name="join_link_has_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} for {self.campaign}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"campaign": self.campaign_id, "team": self.team.name if self.team else ""}

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ResponseQuerySet(models.QuerySet):
    def counted(self) -> ResponseQuerySet:
        """The responses that count anywhere (scores, completion, the room, exports): all
        but those a consultant discarded as fabricated (docs/methodology.md)."""
        return self.filter(discarded_at__isnull=True)


class Response(models.Model):
    """One respondent's answers in one campaign; only submitted responses count in scores,
    and none that a consultant discarded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    respondent = models.CharField(max_length=100)
    # The survey's address names the response by this, never by its database id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="Only if the respondent typed it."
    )
    function = models.CharField(max_length=20, choices=Function)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    # The workshop it joined through its code (null for links and imports).
    workshop = models.ForeignKey(
        "Workshop", on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    # The workshop session (sitting of the room) this participant is in now: a reveal counts
    # only the votes of the session's people.
    workshop_session = models.ForeignKey(
        "WorkshopSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # The fingerprint of the resume code that brings a join link's response to another
    # device (services/survey.py, `resume_code`); empty: it has none.
    resume_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Set aside by a consultant (it looked fabricated): kept, but counted nowhere, and its
    # browser can no longer change it. Restoring clears it.
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    discard_reason = models.CharField(
        max_length=200, blank=True, validators=[no_control_characters]
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "respondent"], name="response_respondent_unique"
            ),
            models.CheckConstraint(
                condition=Q(function__in=FUNCTION_KEYS), name="response_function_valid"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.respondent} in {self.campaign}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """A choice of the question, N/A or Don't know where the question allows them, or for a
    decision question who decides (`decision`); no row means missing.

    The database refuses a choice of another question: a composite foreign key on
    PostgreSQL, a trigger on SQLite (migration 0003).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    is_na = models.BooleanField("N/A", default=False)
    is_dk = models.BooleanField("Don't know", default=False)
    decision = models.CharField(
        max_length=10, blank=True, choices=[(a, a) for a in DECISION_ANSWERS]
    )
    comment = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique"),
            models.CheckConstraint(
                condition=~Q(is_na=True, choice__isnull=False), name="answer_choice_or_na"
            ),
            # At most one of: a choice, N/A, Don't know, a decision answer.
            models.CheckConstraint(
                condition=Q(is_na=False, is_dk=False, decision="")
                | Q(choice__isnull=True, is_dk=False, decision="")
                | Q(choice__isnull=True, is_na=False, decision="")
                | Q(choice__isnull=True, is_na=False, is_dk=False),
                name="answer_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["", *DECISION_ANSWERS]), name="answer_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.cell or '-'}"

    @property
    def cell(self) -> str:
        """The answer as a responses file writes it: NA, DK, a decision answer, a choice key
        (needs the choice loaded), or "" when only a comment was saved."""
        if self.is_na:
            return "NA"
        if self.is_dk:
            return "DK"
        if self.decision:
            return self.decision
        return self.choice.key if self.choice is not None else ""


class AgreedAnswer(models.Model):
    """The answer a workshop agreed on for one question (rule 14): shown beside the survey
    figures, and scored separately in the `consensus` block."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="agreed_answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_na = models.BooleanField("N/A", default=False)
    # For a decision question: who the room agreed decides (never scored, rule 15).
    decision = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    dissent = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "question"], name="agreed_unique"),
            models.CheckConstraint(
                condition=Q(is_na=True, choice__isnull=True, decision="")
                | Q(is_na=False, choice__isnull=False, decision="")
                | Q(is_na=False, choice__isnull=True, decision__in=DECISION_ANSWERS),
                name="agreed_one_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.question_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"campaign": self.campaign_id, "question": self.question.key}

    @property
    def answer(self) -> str:
        """The agreed answer as a file writes it: a choice key, a decision answer, or NA."""
        if self.choice_id is not None and self.choice is not None:
            return self.choice.key
        return self.decision or NA


class Workshop(models.Model):
    """A campaign run live in a room: a short join code, and in paced mode the question
    everyone is on and whether its votes are shown yet."""

    class Mode(models.TextChoices):
        FREE = "free", _("Free: everyone at their own pace")
        PACED = "paced", _("Paced: everyone on the facilitator's question")

    class Activity(models.TextChoices):
        """What the room does in paced mode: vote on a question, give one word (a word
        cloud), or upvote the questions parked for later. Words and parked questions are
        scored nowhere (docs/methodology.md, "Words and questions for later")."""

        QUESTION = "question", _("Vote on a question")
        WORDS = "words", _("One word: a word cloud")
        PARKING = "parking", _("Questions for later")

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="workshop")
    join_code = models.CharField(max_length=8, unique=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.FREE)
    current_question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revealed = models.BooleanField(default=False)
    activity = models.CharField(max_length=10, choices=Activity.choices, default=Activity.QUESTION)
    # Next and Previous go through the divergent questions only (rule 10, where the survey's
    # answers spread or IT and OT disagree), in their order: what a workshop discusses.
    divergent_only = models.BooleanField(default=False)
    words_prompt = models.CharField(max_length=200, blank=True)  # empty: DEFAULT_WORDS_PROMPT
    # The sitting of the room now (votes belong to it), the voting round on the current
    # question (a re-vote after discussion is round 2), and whether votes may still change.
    session = models.ForeignKey(
        "WorkshopSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    round = models.PositiveSmallIntegerField(default=1)
    locked = models.BooleanField(default=False)
    # The facilitator's timer (space on the presenter view): when it runs out, or null.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change of the facilitator's state; phones compare it when they poll.
    state_version = models.PositiveIntegerField(default=0)
    # Who may join: at most this many people in all (null: no cap), and, with cap_teams, no
    # team beyond its headcount (teams without one are not capped).
    max_participants = models.PositiveIntegerField(
        "Most participants",
        null=True,
        blank=True,
        help_text="The code stops letting people join after this many (empty: no limit).",
    )
    cap_teams = models.BooleanField(
        "No team beyond its headcount",
        default=True,
        help_text="A team with a headcount takes no more responses than it has people.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_participants__isnull=True) | Q(max_participants__gte=1),
                name="workshop_max_participants_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Workshop {self.join_code} of {self.campaign}"


class WorkshopSession(models.Model):
    """One sitting of a workshop's room. Starting a new one resets the room's counts and
    votes; earlier sessions keep theirs (docs/methodology.md, "Workshop votes")."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    # The word cloud was shown: its words are closed for good (a word typed after seeing the
    # room's would not be the person's own, and a cloud that changed after it was shown
    # would show the changed word by difference).
    words_revealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="session_number_unique")
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.workshop}"


class WorkshopVote(models.Model):
    """A participant's vote on the facilitator's question, in one round of one session. The
    first round's vote is also the participant's survey answer; later rounds (after the
    discussion) are kept here only, to show how the room moved."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="votes")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_na = models.BooleanField(default=False)
    is_dk = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "question", "round", "response"], name="vote_unique"
            ),
            models.CheckConstraint(
                condition=Q(choice__isnull=False, is_na=False, is_dk=False, decision="")
                | Q(choice__isnull=True, is_na=True, is_dk=False, decision="")
                | Q(choice__isnull=True, is_na=False, is_dk=True, decision="")
                | Q(choice__isnull=True, is_na=False, is_dk=False, decision__in=DECISION_ANSWERS),
                name="vote_one_answer",
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="vote_round_positive"),
        ]
        indexes = [models.Index(fields=["session", "question", "round"])]

    def __str__(self) -> str:
        return f"Vote of {self.response_id} on {self.question_id} (round {self.round})"

    @property
    def value(self) -> str:
        """The vote as the answers are written: a choice key, NA, DK or who decides."""
        if self.choice_id is not None and self.choice is not None:
            return self.choice.key
        return NA if self.is_na else DK if self.is_dk else self.decision


class WorkshopWord(models.Model):
    """A participant's word for the room's word cloud, one per session; stored as the cloud
    groups it (trimmed, lower case). Shown only as part of the cloud, never with its sender."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="words")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="words")
    text = models.CharField(max_length=40)
    hidden = models.BooleanField(default=False)  # the facilitator took it off the screens
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "response"], name="word_one_per_session")
        ]

    def __str__(self) -> str:
        return self.text


class ParkingNote(models.Model):
    """A point for later: noted by the facilitator, or asked from a phone in the room (then
    `session` is set and people upvote it); listed in the report unless hidden. Who asked is
    kept only to let the asker's phone not upvote its own, and is never shown."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, null=True, blank=True, related_name="parked"
    )
    asked_by = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered = models.BooleanField(default=False)  # taken in the room
    hidden = models.BooleanField(default=False)  # off the screens and the report

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return self.text[:60]


class ParkingUpvote(models.Model):
    """A phone's upvote of a question parked for later: one per phone and question."""

    note = models.ForeignKey(ParkingNote, on_delete=models.CASCADE, related_name="upvotes")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "response"], name="upvote_once"),
        ]

    def __str__(self) -> str:
        return f"Upvote of {self.note_id}"


class Initiative(models.Model):
    """A step of the client's roadmap, made by the consultant from the recommendations: what
    will be done, by whom, when, for which dimensions and which blocking questions. Scored
    nowhere; the next campaign shows whether its dimensions moved (docs/methodology.md,
    "Roadmap initiatives")."""

    class Horizon(models.IntegerChoices):  # the horizon's end, in months
        NOW = 3, _("0–3 months")  # noqa: RUF001 - the dash of a range
        NEXT = 12, _("3–12 months")  # noqa: RUF001
        LATER = 24, _("12–24 months")  # noqa: RUF001

    class Level(models.IntegerChoices):
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("Started")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    # Keys of the campaign's bank: the dimensions it should move, the questions blocking them.
    dimensions = models.JSONField(_("dimensions"), default=list)
    questions = models.JSONField(_("blocking questions"), default=list, blank=True)
    owner = models.CharField(
        _("owner"), max_length=200, blank=True, validators=[no_control_characters]
    )
    horizon = models.PositiveSmallIntegerField(
        _("horizon"), choices=Horizon.choices, default=Horizon.NOW
    )
    effort = models.PositiveSmallIntegerField(_("effort"), choices=Level.choices, default=2)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices, default=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        # The roadmap's order: soonest first, then the most impact for the least effort.
        ordering = ["horizon", "-impact", "effort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(horizon__in=[3, 12, 24]), name="initiative_horizon_valid"
            ),
            models.CheckConstraint(
                condition=Q(effort__gte=1, effort__lte=3), name="initiative_effort_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=3), name="initiative_impact_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "started", "done", "dropped"]),
                name="initiative_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, Any]:
        return {"campaign": self.campaign_id}


class ScoreSnapshot(models.Model):
    """A computed score document, kept until its fingerprint (settings, responses,
    consensus, baseline) changes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="snapshots")
    key = models.CharField(max_length=200, blank=True, help_text="The filter; empty = all.")
    fingerprint = models.CharField(max_length=64)
    document = models.JSONField()
    # "p/q" strings, unrounded, for baselines; null when the view's group is suppressed.
    exact_scores = models.JSONField(default=dict, null=True)
    # Answer distributions of the divergent questions, per shown function (dashboards).
    distributions = models.JSONField(default=dict)
    # The privacy decision (rule 8a) for the whole campaign: [real function, team, site,
    # protected function, team, site] per triple, "*" where absent or hidden.
    protection = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="snapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} [{self.key or 'all'}]"


class ReportFile(models.Model):
    """A generated PDF, served again until its fingerprint (scores, agreed answers, settings,
    branding) changes."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="report")
    fingerprint = models.CharField(max_length=64)
    pdf = models.BinaryField()
    created = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Report of {self.campaign}"


class ApiToken(models.Model):
    """A personal token for the read-only JSON API, sent as `Authorization: Bearer ...`.
    Only its SHA-256 is stored; the token itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100,
        help_text="What it is for, e.g. Power BI",
        validators=[no_control_characters],
    )
    prefix = models.CharField(max_length=12, help_text="The token's first characters")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    # When the token stops working (None: only when the password changes).
    expires = models.DateTimeField(null=True, blank=True)
    # A digest of the owner's password hash when the token was made: a new password revokes it.
    password_stamp = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
