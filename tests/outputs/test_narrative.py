"""The executive summary in sentences (findings.narrative): every figure in it is one the
view shows, written with two decimals, and a hidden group says nothing."""

from __future__ import annotations

import pytest

from assessments.formatting import places
from assessments.models import Campaign
from assessments.outputs.dashboard import dashboard_context
from assessments.selectors.scores import ScoreFilter, campaign_scores

pytestmark = pytest.mark.django_db


def test_the_narrative_says_the_stage_why_the_findings_and_the_first_step(demo):
    doc = campaign_scores(demo)
    overall = doc["overall"]
    text = " ".join(dashboard_context(demo)["narrative"])
    assert text.startswith(
        f"ACME Manufacturing is at Stage {overall['stage']}, Individual project teams: its "
        f"stage score is {places(overall['stage_score'])} of 3"
    )
    blocker = overall["blockers"][0]
    assert (
        f"is furthest behind at {places(overall['dimensions'][blocker['dimension']]['score'])}"
        in text
    )
    gap = doc["perception_gaps"]["infrastructure"]
    assert gap["flagged"]
    assert f"IT rates IT infrastructure {places(gap['gap'])} ± {places(2 * gap['se'])}" in text
    disputed = sum(d["disputed"] for d in doc["decisions"].values())
    assert f"different owners for {disputed} of {len(doc['decisions'])} decisions" in text
    baseline = campaign_scores(Campaign.objects.get(slug="acme-2025"))["overall"]
    assert (
        f"Since ACME baseline assessment 2025 the stage score moved from "
        f"{places(baseline['stage_score'])} to {places(overall['stage_score'])}" in text
    )
    assert doc["recommendations"][0]["text"] in text
    assert "acme-2025" not in text  # names, never slugs


def test_a_hidden_group_says_nothing_in_the_narrative(demo):
    """In the OT view every other function is hidden: the narrative then names no IT/OT
    gap and no disputed decision (both need IT's figures), only what OT's own figures say."""
    view = ScoreFilter(function="ot")
    assert campaign_scores(demo, view)["by_function"]["it"].get("suppressed")
    text = " ".join(dashboard_context(demo, view)["narrative"])
    assert text.startswith("ACME Manufacturing is at Stage")
    assert " rates " not in text and "different owners" not in text
    assert "IT could not answer" not in text
