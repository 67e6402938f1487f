"""Create the demo workspace, logins and client organisation (idempotent).

Safe to run again: existing records are kept and updated, and the demo passwords are reset
to the ones printed, so the printed logins always work.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.banks import bank_import
from assessments.models import BankVersion, Membership, Workspace
from assessments.organizations import organization_import

DEMO_USERS = {
    # username: (password, is_superuser)
    "consultant": ("convergence-demo", False),
    "admin": ("convergence-admin", True),
}
BANK_FILE = settings.BASE_DIR / "fixtures" / "banks" / "itot-convergence.yaml"
ORG_FILE = settings.BASE_DIR / "fixtures" / "demo" / "acme.yaml"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if not BankVersion.objects.filter(bank__slug="itot-convergence").exists():
                bank_import(data=BANK_FILE.read_bytes(), fmt="yaml")
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
            result = organization_import(data=ORG_FILE.read_bytes(), fmt="yaml")
        self.stdout.write(f"Demo data ready: {result.organization.name} in {workspace.name}.")
        for username, (password, superuser) in DEMO_USERS.items():
            role = "admin (staff, edits question banks)" if superuser else "consultant"
            self.stdout.write(f"  Log in as {role}: {username} / {password}")
