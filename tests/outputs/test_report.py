"""The executive PDF: same figures as `score --json`, suppression respected, hostile text
inert, a time limit, and a stored copy served until something changes."""

from __future__ import annotations

import http.server
import io
import re
import threading

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from assessments.formatting import places
from assessments.models import ClientViewer, Organization, ReportFile, Team
from assessments.outputs import pdf_render, report
from assessments.selectors.scores import campaign_scores
from assessments.services.campaigns import agreed_answer_record
from tests import builders

pytestmark = pytest.mark.django_db
NO_CHROMIUM = override_settings(CHROMIUM_PATH="/nonexistent/chromium")


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


@NO_CHROMIUM
def test_report_says_what_score_json_says(demo, tmp_path, capsys):
    call_command("report", demo.slug, "-o", str(tmp_path / "r.pdf"))
    assert "(without charts: Chromium is not installed)" in capsys.readouterr().out
    text = pdf_text((tmp_path / "r.pdf").read_bytes())
    doc = campaign_scores(demo)
    overall = doc["overall"]
    assert f"Stage {overall['stage']}" in text
    # Two decimals and a percentage for executives; three in the tables and appendices.
    share = f"{overall['percent_to_target']:.0%}"
    assert f"Stage score {places(overall['stage_score'])} of 3 · {share} of the way" in text
    for key, figures in overall["dimensions"].items():
        assert f"{figures['score']:.3f}" in text, key
    for recommendation in doc["recommendations"]:
        words = re.sub(r"\s+", " ", recommendation["text"])
        assert words[:60] in text
    for key in doc["questions"]:
        assert f"{key} " in text
    assert "Appendix A: Methodology" in text and "Appendix B: Results per question" in text
    assert "Chart not available: Chromium is not installed" in text


@NO_CHROMIUM
def test_no_suppressed_group_shows_a_number(demo):
    from assessments.selectors.scores import campaign_scores

    text = " ".join(pdf_text(report.campaign_report_pdf(demo)).split())
    assert "Plant Management 2 (not shown) not shown" in text
    assert "Leadership 2 (not shown) not shown" in text
    assert re.search(r"Plant Management 2 \(not shown\) not shown \d\.\d", text) is None
    # Shown groups say what their figures rest on, and why (rule 8c).
    it_ops = campaign_scores(demo)["by_team"]["it-ops"]
    assert it_ops["n"] < it_ops["answered"]
    assert (
        f"IT Operations {it_ops['n']} of {it_ops['answered']} {it_ops['stage']} "
        f"{it_ops['stage_score']:.3f}" in text
    )
    assert "the team, then the site, then the function of people in small groups" in text


class _Spy(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Spy.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def spy_server():
    _Spy.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Spy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@NO_CHROMIUM
def test_hostile_names_are_inert(demo, spy_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    attachment = f'<link rel="attachment" href="file://{secret}">'
    css = f"<style>@import url({spy_server}/import.css);</style>"
    image = f'<img src="{spy_server}/img.png">'
    background = f'<div style="background: url({spy_server}/bg.png)">x</div>'
    # Names have a length limit (200); each carries part of the payload.
    Organization.objects.filter(pk=demo.organization_id).update(name=f"ACME {attachment}")
    Team.objects.filter(slug="it-ops").update(name=f"IT {css}")
    Team.objects.filter(slug="it-apps").update(name=f"Apps {image}")
    agreed_answer_record(
        campaign=demo,
        question_key="INF-1",
        answer="1",
        note=f"Note {attachment}{css}{image}{background}",
        dissent="url(file:///etc/passwd)",
    )
    demo.refresh_from_db()
    pdf = report.campaign_report_pdf(demo)
    assert _Spy.hits == []
    assert b"TOP-SECRET-42" not in pdf
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert attachments == {}
    text = pdf_text(pdf)
    assert '<link rel="attachment"' in text  # shown as text, not obeyed
    assert "TOP-SECRET-42" not in text


def test_fetcher_serves_data_and_own_static_files_only(spy_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    style = tmp_path / "style.css"
    style.write_text("h1 { color: blue }")
    fetcher = pdf_render.make_fetcher({"static/style.css": str(style)})
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    own = fetcher.fetch(pdf_render.STATIC_ORIGIN + "static/style.css")
    assert own.read() == b"h1 { color: blue }"
    for url in (
        f"file://{secret}",
        f"{spy_server}/x",
        pdf_render.STATIC_ORIGIN + "../secret.txt",
        pdf_render.STATIC_ORIGIN + "static/other.css",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(ValueError, match=r"refused|disallowed"):
            fetcher.fetch(url)
    assert _Spy.hits == []


def test_render_has_a_time_limit():
    html = "<p>x</p>" * 200_000
    with pytest.raises(pdf_render.RenderError, match=r"took longer than 0\.01 s"):
        pdf_render.render_pdf_limited(html, {}, 0.01)


@NO_CHROMIUM
def test_stored_pdf_is_served_until_something_changes(demo, monkeypatch):
    first = report.campaign_report_pdf(demo)
    assert ReportFile.objects.get(campaign=demo).pdf == first

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(report, "render_pdf_limited", must_not_render)
    assert report.campaign_report_pdf(demo) == first
    agreed_answer_record(campaign=demo, question_key="COL-1", answer="2")
    demo.refresh_from_db()
    with pytest.raises(AssertionError, match="rendered again"):
        report.campaign_report_pdf(demo)


@NO_CHROMIUM
def test_download_for_consultants_and_client_viewers(client, demo):
    from django.contrib.auth import get_user_model

    url = reverse("assessments:campaign-report", args=[demo.slug])
    client.force_login(get_user_model().objects.get(username="consultant"))
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-2026-report.pdf"'
    assert response.content.startswith(b"%PDF")
    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=demo.organization)
    client.force_login(viewer)
    assert client.get(url).content.startswith(b"%PDF")
    outsider = builders.user("stranger", builders.workspace("elsewhere"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_chromium_check_warns_when_missing():
    from assessments.apps import chromium_check

    with override_settings(CHROMIUM_PATH="/nonexistent/chromium"):
        messages = chromium_check(None)
    assert [m.id for m in messages] == ["convergence.W001"]
    assert "PDF reports will show a note" in messages[0].msg


@pytest.mark.skipif(not report.chromium_available(), reason="needs Chromium for the charts")
def test_report_with_charts_draws_them_as_svg(demo):
    document = report.report_document(demo)
    assert document.html.count('src="chart/') == len(document.figures) >= 8
    svg = document.chart_jobs()[0][1]()
    assert svg.startswith(b"<svg") and b"<text" in svg
    pdf = report.campaign_report_pdf(demo)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 15
    # SVG text stays text in the PDF: the radar's legend and a divergent question's axis.
    text = pdf_text(pdf)
    assert "How IT and OT see each dimension" in text
    assert "of the way to the targets" in text


def test_kaleido_hook_still_exists():
    """chart_render overrides one kaleido method; an upgrade that renames it must fail here."""
    import kaleido

    from assessments.outputs import chart_render

    assert callable(getattr(kaleido.Kaleido, "_return_kaleido_tab", None))
    assert chart_render._Kaleido._return_kaleido_tab is not kaleido.Kaleido._return_kaleido_tab


CHART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
    b'<text x="5" y="30" font-size="12">CHART-FROM-PIPE</text></svg>'
)


def test_charts_arrive_through_the_pipe_while_the_child_renders():
    html = '<p>before</p><img src="chart/one.svg"><img src="chart/missing.svg"><p>after</p>'
    drawn = []

    def draw():
        drawn.append(1)
        return CHART

    pdf = pdf_render.render_pdf_limited(html, {}, 30, charts=[("one.svg", draw)])
    assert drawn == [1]
    text = pdf_text(pdf)
    assert "CHART-FROM-PIPE" in text and "before" in text and "after" in text


def test_a_chart_that_fails_stops_the_render():
    def broken():
        raise pdf_render.RenderError("a chart could not be drawn (TimeoutError)")

    with pytest.raises(pdf_render.RenderError, match="could not be drawn"):
        pdf_render.render_pdf_limited("<p>x</p>", {}, 30, charts=[("one.svg", broken)])


def test_report_says_when_the_baseline_used_another_bank_version(demo):
    from assessments.selectors.scores import campaign_scores

    # The demo's baseline was taken with version 1 of the default bank, this year's with 3.
    assert campaign_scores(demo)["progress"]["baseline_bank_version"] == 1
    assert demo.bank_version.number == 3
    assert report.report_context(demo)["baseline_version_differs"] is True
    text = pdf_text(report.campaign_report_pdf(demo))
    assert (
        "The baseline ACME baseline assessment 2025 used version 1 of the question bank" in text
    )  # its name, never its slug


@NO_CHROMIUM
def test_a_failing_report_fails_fast_and_once(demo, monkeypatch):
    """Issue 16.4: every click on a report that could not be made held a worker for the whole
    time limit; failures were not remembered."""
    calls = []

    def slow_failure(*args, **kwargs):
        calls.append(1)
        raise pdf_render.RenderError("the report took longer than 30 s")

    monkeypatch.setattr(report, "render_pdf_limited", slow_failure)
    for _click in range(3):
        with pytest.raises(pdf_render.RenderError, match="took longer than 30 s"):
            report.campaign_report_pdf(demo)
    assert len(calls) == 1


def _image(kind: str, size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "#1f3a5f").save(out, kind)
    return out.getvalue()


def test_logos_are_raster_images_of_bounded_size(client, owner, workspace):
    """Issue 16.4: a 2.3 kB SVG (nested <use>) made every report run into its time limit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(owner)
    url = reverse("assessments:workspace-settings", args=[workspace.slug])

    def upload(name: str, data: bytes) -> str:
        form = {"name": "Northwind", "brand_colour": "#1f3a5f", "paper_size": "A4"}
        page = client.post(url, {**form, "logo": SimpleUploadedFile(name, data)}, follow=True)
        return page.content.decode()

    bomb = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>'
    assert "This is not a PNG or JPEG image." in upload("bomb.svg", bomb)
    assert "This is not a PNG or JPEG image." in upload("bomb.png", bomb)
    assert "at most 2000 x 2000" in upload("wide.png", _image("PNG", (4000, 10)))
    assert "Saved the workspace settings" in upload("logo.png", _image("PNG", (400, 120)))
    workspace.refresh_from_db()
    assert workspace.logo.name.startswith("logos/logo")


@NO_CHROMIUM
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_methodology_appendix_speaks_to_a_client(demo, language):
    """The appendix is docs/methodology.md in plain words: no rule numbers, no contract, no
    chapter for developers; the rules themselves all there."""
    text = pdf_text(report.campaign_report_pdf(demo, language))
    heading = {"en": "Appendix A", "de": "Anhang A"}[language]
    start = text.index(heading, text.index(heading) + 1)  # after the table of contents
    appendix = text[start:]
    appendix = appendix[: appendix.index({"en": "Appendix B", "de": "Anhang B"}[language])]
    for jargon in ("rule 6", "Regel 6", "contract", "Vertrag", "code cites", "null in"):
        assert jargon not in appendix, jargon
    for words in {
        "en": ("From a score to a stage", "no one can be singled out", "Who decides"),
        "de": ("Vom Wert zur Stufe", "Niemand wird erkennbar", "Wer entscheidet"),
    }[language]:
        assert words in appendix


def test_the_stored_pdf_is_made_again_when_the_roadmap_or_a_team_name_changes(demo):
    """Neither changes a score, but the report shows both (and the baseline's roadmap, in
    "did it work")."""
    from assessments.models import Campaign, Initiative

    seen = {report.report_fingerprint(demo)}
    initiative = Initiative.objects.filter(campaign=demo).first()
    initiative.status = "done"
    initiative.save()
    seen.add(report.report_fingerprint(demo))
    Initiative.objects.filter(campaign=Campaign.objects.get(slug="acme-2025")).first().delete()
    seen.add(report.report_fingerprint(demo))
    team = demo.organization.teams.first()
    team.name = "Instandhaltung Nord"
    team.save()
    seen.add(report.report_fingerprint(demo))
    assert len(seen) == 4


def test_closing_renders_the_report_in_a_job_so_the_first_download_waits_for_nothing(
    client, workspace, owner, monkeypatch, django_capture_on_commit_callbacks, run_jobs
):
    from django_tasks_db.models import DBTaskResult

    from assessments.services.campaigns import campaign_close

    DBTaskResult.objects.all().delete()  # the demo's own closings queued theirs
    org = builders.organization(workspace, slug="solo")  # beside this module's demo data
    campaign = builders.campaign(workspace, slug="solo-2026", org=org)
    rendered = []

    def fake_render(html, files, limit, charts=()):
        rendered.append(len(html))
        return b"%PDF-1.7 rendered by the job"

    monkeypatch.setattr(report, "render_pdf_limited", fake_render)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_close(campaign=campaign)
    [job] = DBTaskResult.objects.filter(task_path__endswith="prerender_report")
    assert job.args_kwargs["args"] == [campaign.pk, "en"]
    assert run_jobs() == ["rendered"] and len(rendered) == 1
    assert report.report_prerender(campaign.pk, "en") == "cached already"

    def must_not_render(*args, **kwargs):
        raise AssertionError("the download rendered again")

    monkeypatch.setattr(report, "render_pdf_limited", must_not_render)
    client.force_login(owner)
    page = client.get(reverse("assessments:campaign-report", args=[campaign.slug]))
    assert page.content == b"%PDF-1.7 rendered by the job"
