"""Create the demo workspace, logins, client organisation and campaigns (idempotent).

Safe to run again: existing records are kept, and the demo passwords are reset to the ones
printed, so the printed logins always work. The demo campaigns are a closed one from a year
ago (the baseline) and an open one with 60 responses, so every figure has something to show.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments import demo
from assessments.files.banks import bank_import
from assessments.files.organizations import organization_import
from assessments.files.responses import responses_import
from assessments.models import (
    Answer,
    BankVersion,
    Campaign,
    Membership,
    Organization,
    Workspace,
)
from assessments.services.campaigns import agreed_answer_record, campaign_close, campaign_create
from assessments.services.initiatives import initiative_save
from assessments.tasks import prerender_report

DEMO_USERS = {
    # username: (password, is_superuser)
    "consultant": ("convergence-demo", False),
    "admin": ("convergence-admin", True),
}
# The roadmap agreed after the baseline (did it work? the 2026 dashboard shows it) and the
# one being drawn up from this year's figures.
BASELINE_INITIATIVES = [
    dict(
        title="One OT/IT change board for both plants",
        owner="Head of OT with the IT infrastructure lead",
        dimensions=["collaboration", "decisions"],
        questions=["COL-1", "COL-4", "DEC-1"],
        horizon=3,
        impact=3,
        effort=2,
        status="done",
    ),
    dict(
        title="Hybrid IT/OT training for shift engineers",
        owner="HR development, Plant North",
        dimensions=["skills"],
        questions=["SKL-2", "SKL-4"],
        horizon=12,
        impact=2,
        effort=2,
        status="started",
    ),
    dict(
        title="Plant network segmentation and a remote-access gateway for vendors",
        owner="OT security officer",
        dimensions=["infrastructure"],
        questions=["INF-2", "INF-3"],
        horizon=12,
        impact=3,
        effort=3,
        status="done",
    ),
]
CURRENT_INITIATIVES = [
    dict(
        title="Roll the North line's machine-data platform out to Plant South",
        owner="Plant manager South",
        dimensions=["scaling"],
        questions=["SCA-1", "SCA-2"],
        horizon=12,
        impact=3,
        effort=3,
        status="planned",
    ),
    dict(
        title="Joint IT/OT targets in next year's objectives",
        owner="COO and CIO",
        dimensions=["decisions"],
        questions=["DEC-3"],
        horizon=3,
        impact=3,
        effort=1,
        status="planned",
    ),
    dict(
        title="Name a stand-in for each of the two IT/OT experts",
        owner="Head of OT",
        dimensions=["skills"],
        questions=["SKL-4"],
        horizon=3,
        impact=2,
        effort=1,
        status="started",
    ),
    dict(
        title="IT/OT job rotation: two weeks a year for each engineer",
        owner="HR development",
        dimensions=["skills", "collaboration"],
        questions=["SKL-3"],
        horizon=24,
        impact=2,
        effort=3,
        status="planned",
    ),
]


# The baseline was taken with version 1 of the default bank, this year's campaign uses
# version 3 (version 2's questions, with every text in German too), so the progress view shows
# a comparison across bank versions (rule 12) and a German phone answers in German.
BANK_FILES = {
    1: settings.BASE_DIR / "fixtures" / "banks" / "itot-convergence-v1.yaml",
    2: settings.BASE_DIR / "fixtures" / "banks" / "itot-convergence-v2.yaml",
    3: settings.BASE_DIR / "fixtures" / "banks" / "itot-convergence.yaml",
}
ORG_FILE = settings.BASE_DIR / "fixtures" / "demo" / "acme.yaml"
# A second client with one foundry: its campaign is a one-site campaign (docs/methodology.md,
# "One site"), so the demo shows both kinds.
SINGLE_SITE_FILE = settings.BASE_DIR / "fixtures" / "demo" / "bergmann.yaml"
SINGLE_SITE_TEAMS = [
    demo.TeamPlan("it", "it", 5),
    demo.TeamPlan("maintenance", "ot", 7),
    demo.TeamPlan("casting", "business", 8),
    demo.TeamPlan("management", "leadership", 2),
]
BOTH_PLANTS = ("plant-north", "plant-south")

BASELINE_TEAMS = [
    demo.TeamPlan("it-ops", "it", 8, BOTH_PLANTS),
    demo.TeamPlan("it-apps", "it", 6, BOTH_PLANTS),
    demo.TeamPlan("maintenance-north", "ot", 10),
    demo.TeamPlan("automation-south", "ot", 9),
    demo.TeamPlan("production-north", "business", 7),
    demo.TeamPlan("ot-security", "ot", 2),
    demo.TeamPlan("plant-management", "leadership", 2, BOTH_PLANTS),
]
CURRENT_TEAMS = [
    demo.TeamPlan("it-ops", "it", 10, BOTH_PLANTS),
    demo.TeamPlan("it-apps", "it", 8, BOTH_PLANTS),
    demo.TeamPlan("maintenance-north", "ot", 13),
    demo.TeamPlan("automation-south", "ot", 12),
    demo.TeamPlan("production-north", "business", 11),
    # Three and two people: under the minimum group size, so these teams show no figures;
    # together (five) they are the class whose team, site and function are hidden, and the
    # OT figures rest on the other OT teams (docs/methodology.md, Privacy).
    demo.TeamPlan("ot-security", "ot", 3),
    demo.TeamPlan("plant-management", "leadership", 2, BOTH_PLANTS),
]
# Comments respondents typed beside an answer: (team, question, text). The plant manager's
# is shown without a function or team, since that group is not shown (rule 8e).
COMMENTS = [
    (
        "maintenance-north",
        "INF-4",
        "The old presses only speak Profibus; every project builds its own gateway.",
    ),
    ("automation-south", "INF-4", "We have a gateway standard, but nobody in IT knows it."),
    ("it-ops", "INF-3", "Vendors still dial in through modems we did not install."),
    ("maintenance-north", "INF-3", "Remote access is whatever the vendor brings."),
    ("it-apps", "INF-8", "Wi-Fi in hall 3 drops whenever the crane moves."),
    ("plant-management", "SCA-1", "The pilot in North never got a budget for South."),
]
AGREED = [
    ("INF-2", "1", "Firewalls exist in Plant North only; South is flat.", "IT rated it 2."),
    ("COL-3", "1", "Night shifts still call whoever they know.", ""),
    ("DEC-2", "1", "Security comes up when IT is asked to connect the machine.", ""),
    # A disputed decision (IT say IT decides, OT say the vendor), settled in the workshop.
    (
        "DR-2",
        "joint",
        "Vendors come in only through IT's remote-access path; the plant approves each session.",
        "Maintenance: approval at night takes too long.",
    ),
]


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for number, path in BANK_FILES.items():
                if not BankVersion.objects.filter(
                    bank__slug="itot-convergence", number=number
                ).exists():
                    bank_import(data=path.read_bytes(), fmt="yaml")
            workspace, _ = Workspace.objects.update_or_create(
                slug="northwind-consulting", defaults={"name": "Northwind Consulting"}
            )
            user_model = get_user_model()
            for username, (password, superuser) in DEMO_USERS.items():
                user, _ = user_model.objects.get_or_create(username=username)
                user.is_staff = user.is_superuser = superuser
                user.set_password(password)
                user.save()
                Membership.objects.get_or_create(
                    user=user, workspace=workspace, defaults={"role": Membership.Role.OWNER}
                )
            organization = organization_import(data=ORG_FILE.read_bytes(), fmt="yaml").organization
            self._campaigns(organization)
            foundry = organization_import(
                data=SINGLE_SITE_FILE.read_bytes(), fmt="yaml"
            ).organization
            self._single_site_campaign(foundry)
            # The demo's reports are rendered by the worker `make run` starts, so the first
            # "Download PDF" is served at once (assessments/services/reports.py).
            for campaign_id in Campaign.objects.values_list("pk", flat=True):
                transaction.on_commit(partial(prerender_report.enqueue, campaign_id, ""))
        self.stdout.write(f"Demo data ready: {organization.name} in {workspace.name}.")
        for username, (password, superuser) in DEMO_USERS.items():
            role = "admin (staff, edits question banks)" if superuser else "consultant"
            self.stdout.write(f"  Log in as {role}: {username} / {password}")

    def _single_site_campaign(self, organization: Organization) -> None:
        if Campaign.objects.filter(slug="bergmann-2026").exists():
            return
        version = BankVersion.objects.get(bank__slug="itot-convergence", number=2)
        campaign = campaign_create(
            slug="bergmann-2026",
            organization=organization,
            bank_version=version,
            name="Bergmann IT/OT convergence assessment 2026",
            status=Campaign.Status.OPEN,
            single_site=True,
        )
        questions = [q for q in demo.question_infos(version) if q.key not in campaign.left_out]
        rows = demo.generate_rows(
            questions, SINGLE_SITE_TEAMS, levels=demo.SINGLE_SITE_LEVELS, seed=7, prefix="f"
        )
        responses_import(
            campaign=campaign, data=demo.rows_to_csv(rows, questions), filename="demo.csv"
        )

    def _campaigns(self, organization: Organization) -> None:
        version = BankVersion.objects.get(bank__slug="itot-convergence", number=1)
        current_version = BankVersion.objects.get(bank__slug="itot-convergence", number=3)
        today = timezone.localdate()
        if not Campaign.objects.filter(slug="acme-2025").exists():
            baseline = campaign_create(
                slug="acme-2025",
                organization=organization,
                bank_version=version,
                name="ACME baseline assessment 2025",
                status=Campaign.Status.OPEN,
            )
            questions = demo.question_infos(version)
            rows = demo.generate_rows(
                questions, BASELINE_TEAMS, levels=demo.BASELINE_LEVELS, seed=2025, prefix="b"
            )
            responses_import(
                campaign=baseline, data=demo.rows_to_csv(rows, questions), filename="demo.csv"
            )
            for initiative in BASELINE_INITIATIVES:
                initiative_save(campaign=baseline, **initiative)  # type: ignore[arg-type]
            campaign_close(campaign=baseline)
            a_year_ago = timezone.now() - timedelta(days=365)
            Campaign.objects.filter(pk=baseline.pk).update(
                created=a_year_ago - timedelta(days=30),
                closed_at=a_year_ago,
                opens_on=(a_year_ago - timedelta(days=30)).date(),
                closes_on=a_year_ago.date(),
            )
        if not Campaign.objects.filter(slug="acme-2026").exists():
            current = campaign_create(
                slug="acme-2026",
                organization=organization,
                bank_version=current_version,
                name="ACME IT/OT convergence assessment 2026",
                status=Campaign.Status.OPEN,
                targets={"collaboration": 3},
            )
            Campaign.objects.filter(pk=current.pk).update(
                opens_on=today - timedelta(days=14), closes_on=today + timedelta(days=14)
            )
            questions = demo.question_infos(current_version)
            rows = demo.generate_rows(
                questions,
                CURRENT_TEAMS,
                levels=demo.CURRENT_LEVELS,
                seed=2026,
                prefix="r",
                in_progress=4,
            )
            responses_import(
                campaign=current, data=demo.rows_to_csv(rows, questions), filename="demo.csv"
            )
            for team, question, text in COMMENTS:
                commented = (
                    Answer.objects.filter(
                        response__campaign=current,
                        response__team__slug=team,
                        response__submitted_at__isnull=False,
                        question__key=question,
                    )
                    .order_by("response__respondent")
                    .first()
                )
                if commented is not None:
                    commented.comment = text
                    commented.save(update_fields=["comment"])
            for initiative in CURRENT_INITIATIVES:
                initiative_save(campaign=current, **initiative)  # type: ignore[arg-type]
            for key, answer, note, dissent in AGREED:
                agreed_answer_record(
                    campaign=current, question_key=key, answer=answer, note=note, dissent=dissent
                )
