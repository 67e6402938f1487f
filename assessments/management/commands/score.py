"""Print a campaign's scores: with --json, the document of shared/spec/scoring.md.

Without --json, a short summary for people. Scores are cached and recomputed only when
responses, agreed answers or settings have changed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.selectors import campaign_scores

from ._base import get_campaign


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("--json", action="store_true", help="print the JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        document = campaign_scores(campaign)
        if options["json"]:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        overall = document["overall"]
        respondents = document["respondents"]
        self.stdout.write(
            f"{campaign.slug}: {respondents['submitted']} submitted, "
            f"{respondents['in_progress']} in progress"
        )
        if overall["stage"] is None:
            self.stdout.write("No stage yet: no submitted answers to the stage dimensions.")
            return
        self.stdout.write(
            f"Stage {overall['stage']} (stage score {overall['stage_score']:.2f}); "
            f"{overall['percent_to_target']:.0%} of the way to target"
        )
        for key, figures in overall["dimensions"].items():
            score = "-" if figures["score"] is None else f"{figures['score']:.2f}"
            self.stdout.write(f"  {key:<20} {score:>5}  target {figures['target']}")
