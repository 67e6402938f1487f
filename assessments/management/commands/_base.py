"""Shared plumbing for the management commands: read a file, turn problems into exit 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from assessments.fileformats import ImportProblems
from assessments.models import Campaign


def get_campaign(slug: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organization__workspace", "bank_version__bank", "baseline")
        .filter(slug=slug)
        .first()
    )
    if campaign is None:
        raise CommandError(f"{slug}: no such campaign")
    return campaign


def read_input_file(path: str, *, limit: int) -> bytes:
    """Read at most limit+1 bytes, so a huge file is refused without loading it whole."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    with file.open("rb") as handle:
        return handle.read(limit + 1)


def problems_error(exc: ImportProblems, source: str) -> CommandError:
    lines = "\n".join(f"  {problem}" for problem in exc.problems)
    count = len(exc.problems)
    return CommandError(
        f"{source}: refused, nothing was written ({count} problem{'s' if count != 1 else ''}):"
        f"\n{lines}"
    )


class VersionOptionMixin:
    """docs/file-formats.md names a `--version N` option, which Django reserves for printing its own
    version: commands with this mixin let theirs replace it."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        return super().create_parser(  # type: ignore[misc]
            prog_name, subcommand, conflict_handler="resolve", **kwargs
        )
