"""Export a question bank version as YAML or JSON, in the format import_bank reads.

Without --version, the highest published version is exported (or the highest draft when the
bank has no published version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.files.banks import bank_export
from assessments.management.commands._base import VersionOptionMixin
from assessments.models import BankVersion


class Command(VersionOptionMixin, BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the bank's slug, e.g. itot-convergence")
        parser.add_argument("--version", type=int, dest="number", help="version number")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = BankVersion.objects.select_related("bank").filter(bank__slug=options["slug"])
        if options["number"] is not None:
            version = versions.filter(number=options["number"]).first()
        else:
            version = (
                versions.filter(status=BankVersion.Status.PUBLISHED).order_by("-number").first()
                or versions.order_by("-number").first()
            )
        if version is None:
            which = f" version {options['number']}" if options["number"] else ""
            raise CommandError(f"{options['slug']}{which}: no such bank version")
        text = bank_export(version=version, fmt=options["format"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {version.label} to {options['output']}")
        else:
            self.stdout.write(text, ending="")
