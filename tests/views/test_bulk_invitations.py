"""Invitations that chase (issue 21, point 3): personal links in bulk from a CSV or XLSX file,
checked like every import; e-mails sent by a background job; reminders to those who have
not submitted, by hand and on a set day before closing; each invitee's status shown."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import Campaign, Invitation
from assessments.services.invitations import reminders_schedule, scheduled_reminders_run
from assessments.services.survey import invitation_for_token, response_start, response_submit
from tests import builders
from tests.html import table_rows, visible_text

pytestmark = pytest.mark.django_db

PEOPLE = (
    "name,email,team\r\n"
    "Ann Field,ann@acme.example,it-ops\r\n"
    "Bo Line,bo@acme.example,OT North\r\n"
    ",cy@acme.example,\r\n"
)


def _upload(client, campaign, text: str, name: str = "people.csv"):
    return client.post(
        reverse("assessments:invitation-upload", args=[campaign.slug]),
        {"file": SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)},
        follow=True,
    )


def _rows(client, campaign) -> dict[str, str]:
    page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    return {row[1]: " ".join(row[3:]) for row in table_rows(page.content.decode())[1:]}


def _token(message) -> str:
    return message.body.split("/s/")[1].split("/")[0]


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace, closes_on=timezone.localdate() + timedelta(days=10))


def test_a_file_of_people_makes_a_link_each_and_a_job_mails_them(
    client, owner, campaign, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        page = visible_text(_upload(client, campaign, PEOPLE))
    assert "Made 3 personal links; their e-mails are being sent." in page
    assert mail.outbox == []  # not inside the request
    made = {i.email: i for i in Invitation.objects.select_related("team")}
    assert set(made) == {"ann@acme.example", "bo@acme.example", "cy@acme.example"}
    assert made["bo@acme.example"].team.slug == "ot-north"  # by name, any case
    assert made["cy@acme.example"].team is None and made["ann@acme.example"].name == "Ann Field"
    assert {i.mail for i in made.values()} == {Invitation.Mail.QUEUED}

    assert run_jobs() == ["3 sent"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(made)
    for message in mail.outbox:  # each carries its own working link
        assert invitation_for_token(_token(message)).email == message.to[0]
    rows = _rows(client, campaign)
    assert "e-mailed, not opened yet" in rows["Ann Field ann@acme.example IT Ops"]
    # One line in the history for the file, not one per person.
    history = visible_text(client.get(reverse("assessments:campaign-detail", args=[campaign.slug])))
    assert history.count("made 3 personal links from people.csv") == 1
    assert "made a personal link" not in history


def test_an_xlsx_file_works_too(client, owner, campaign):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Email", "Name"])
    book.active.append(["dee@acme.example", "Dee"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(owner)
    page = visible_text(_upload(client, campaign, buffer.getvalue(), "people.xlsx"))
    assert "Made 1 personal link; its e-mail is being sent." in page
    assert Invitation.objects.get().name == "Dee"


def test_a_bad_file_names_every_problem_and_makes_nothing(client, owner, campaign):
    from assessments.services.survey import invitation_create

    invitation_create(campaign=campaign, kind="person", email="old@acme.example")
    client.force_login(owner)
    bad = (
        "name,email,team,phone\r\n"
        "Ann,ann@acme.example,it-ops,1\r\n"
        "Bo,not-an-address,nowhere,2\r\n"
        "Ann again,ANN@acme.example,,3\r\n"
        "Old,old@acme.example,,4\r\n"
        "Nobody,,,5\r\n"
        f"Long,{'x' * 250}@acme.example,,6\r\n"
    )
    page = _upload(client, campaign, bad)
    assert "row 1, column 4: 'phone' is not a column of this file (name, email, team)" in (
        visible_text(page)
    )
    fixed = bad.replace(",phone", "").replace(",1\r", "\r").replace(",2\r", "\r")
    fixed = fixed.replace(",3\r", "\r").replace(",4\r", "\r").replace(",5\r", "\r")
    fixed = fixed.replace(",6\r", "\r")
    text = visible_text(_upload(client, campaign, fixed))
    assert "The file was refused and nothing was written." in text
    assert "row 3, column email: 'not-an-address' is not an e-mail address" in text
    assert "row 3, column team: 'nowhere' is not a team of this campaign" in text
    assert "row 4, column email: ANN@acme.example is also on row 2" in text
    assert "row 5, column email: old@acme.example already has a live link" in text
    assert "row 6, column email: an e-mail address is needed" in text
    assert "row 7, column email: 'xxxx" in text and "is not an e-mail address" in text
    assert Invitation.objects.count() == 1  # only the earlier one
    broken = visible_text(_upload(client, campaign, b"\xff\xfeemail", "x.csv"))
    assert "file: not UTF-8 text (byte 0); save the spreadsheet as CSV UTF-8" in broken
    assert "use a .csv or .xlsx file" in visible_text(_upload(client, campaign, "a", "x.pdf"))


def test_uploading_the_same_file_twice_makes_no_second_set(client, owner, campaign):
    client.force_login(owner)
    _upload(client, campaign, PEOPLE)
    again = visible_text(_upload(client, campaign, PEOPLE))
    assert "row 2, column email: ann@acme.example already has a live link" in again
    assert Invitation.objects.count() == 3


def test_a_drafts_file_holds_its_e_mails_until_it_opens(
    client, owner, campaign, django_capture_on_commit_callbacks, run_jobs
):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        page = visible_text(_upload(client, campaign, PEOPLE))
    assert "Their e-mails are held until the campaign opens" in page
    assert run_jobs() == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:campaign-open", args=[campaign.slug]))
    assert run_jobs() == ["3 sent"] and len(mail.outbox) == 3


def test_the_example_file_names_the_campaigns_teams(client, owner, campaign):
    client.force_login(owner)
    body = client.get(reverse("assessments:invitation-example", args=[campaign.slug]))
    lines = body.content.decode().splitlines()
    assert lines[0] == "name,email,team"
    assert lines[1] == "Person 1,person1@example.com," + lines[1].rsplit(",", 1)[1]
    assert {line.rsplit(",", 1)[1] for line in lines[1:]} <= {"it-ops", "ot-north", "biz"}


def test_a_closed_campaign_takes_no_file(client, owner, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    client.force_login(owner)
    page = visible_text(_upload(client, campaign, PEOPLE))
    assert "is closed: it takes no new invitations" in page
    assert not Invitation.objects.exists()


def test_an_outsider_gets_404_on_every_new_page(client, outsider, campaign):
    client.force_login(outsider)
    for name in ("invitation-upload", "invitation-example", "reminders"):
        assert client.get(reverse(f"assessments:{name}", args=[campaign.slug])).status_code == 404
    assert client.post(reverse("assessments:reminders", args=[campaign.slug])).status_code == 404


# --- Reminders ----------------------------------------------------------------------------


def _invited(client, campaign, django_capture_on_commit_callbacks, run_jobs):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, campaign, PEOPLE)
    run_jobs()
    links = {m.to[0]: _token(m) for m in mail.outbox}
    mail.outbox.clear()
    return links


def test_a_reminder_goes_to_those_not_submitted_with_the_same_link(
    client, owner, campaign, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(owner)
    links = _invited(client, campaign, django_capture_on_commit_callbacks, run_jobs)
    ann = invitation_for_token(links["ann@acme.example"])
    response_submit(response=response_start(invitation=ann, function=None))
    bo = invitation_for_token(links["bo@acme.example"])
    response_start(invitation=bo, function=None)  # started, not submitted: reminded

    asked = visible_text(client.get(reverse("assessments:reminders", args=[campaign.slug])))
    assert "Remind 2 people who have not submitted?" in asked
    with django_capture_on_commit_callbacks(execute=True):
        done = visible_text(
            client.post(reverse("assessments:reminders", args=[campaign.slug]), follow=True)
        )
    assert "Reminders to 2 people are being sent." in done
    assert run_jobs() == ["2 sent"]
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@acme.example", "cy@acme.example"]
    for message in mail.outbox:
        assert message.subject == "Reminder: Acme's IT/OT convergence assessment"
        assert _token(message) == links[message.to[0]]  # the link they already have
        assert "It closes on" in message.body
    rows = _rows(client, campaign)
    assert "reminded once" in rows["Bo Line bo@acme.example OT North"]
    assert "started" in rows["Bo Line bo@acme.example OT North"]
    assert "submitted" in rows["Ann Field ann@acme.example IT Ops"]
    assert "reminded" not in rows["Ann Field ann@acme.example IT Ops"]

    # A second click within the hour reminds nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = visible_text(
            client.post(reverse("assessments:reminders", args=[campaign.slug]), follow=True)
        )
    assert "Nobody was reminded: everyone was reminded within the hour." in again
    assert run_jobs() == [] and len(mail.outbox) == 2
    assert "sent a reminder to 2 people" in visible_text(
        client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    )


def test_someone_who_submits_before_the_job_runs_gets_no_reminder(
    client, owner, campaign, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(owner)
    links = _invited(client, campaign, django_capture_on_commit_callbacks, run_jobs)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:reminders", args=[campaign.slug]))
    for token in links.values():
        invitation = invitation_for_token(token)
        function = None if invitation.team else "it"
        response_submit(response=response_start(invitation=invitation, function=function))
    assert run_jobs() == ["3 skipped: already submitted"]
    assert mail.outbox == []
    assert set(Invitation.objects.values_list("mail", flat=True)) == {Invitation.Mail.SENT}


def test_a_reminder_needs_an_open_campaign(client, owner, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    client.force_login(owner)
    page = visible_text(
        client.post(reverse("assessments:reminders", args=[campaign.slug]), follow=True)
    )
    assert "is not open: nobody can answer now" in page


def test_a_scheduled_reminder_waits_for_its_day_and_goes_once(
    client, owner, campaign, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(owner)
    _invited(client, campaign, django_capture_on_commit_callbacks, run_jobs)
    data = {
        "name": campaign.name,
        "min_group_size": 5,
        "gap_threshold": 0.5,
        "target_collab": 2,
        "target_scale": 2,
        "target_infra": 2,
        "closes_on": campaign.closes_on.isoformat(),
        "remind_days_before": 3,
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            reverse("assessments:campaign-edit", args=[campaign.slug]), data, follow=True
        )
    day = campaign.closes_on - timedelta(days=3)
    assert "A reminder goes to everyone not yet submitted on" in visible_text(saved)
    [job] = DBTaskResult.objects.filter(task_path__endswith="send_scheduled_reminders")
    assert job.run_after == timezone.make_aware(
        datetime.combine(day, datetime.min.time().replace(hour=9))
    )
    assert run_jobs() == []  # not due yet

    # Its day comes.
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert run_jobs() == ["queued 3 reminders", "3 sent"]
    assert len(mail.outbox) == 3
    campaign.refresh_from_db()
    assert campaign.reminded_on == timezone.localdate()
    # Run again (a retry, a second worker): nothing more goes.
    assert scheduled_reminders_run(campaign.pk, day.isoformat(), "http://testserver/").startswith(
        "skipped"
    )
    assert "The scheduled reminder went on" in visible_text(
        client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    )


def test_a_moved_reminder_day_retires_the_old_job(campaign, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=campaign.pk).update(remind_days_before=2)
    campaign.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_schedule(campaign=campaign, base_url="http://testserver/")
    old_day = (campaign.closes_on - timedelta(days=2)).isoformat()
    Campaign.objects.filter(pk=campaign.pk).update(remind_days_before=5)
    assert scheduled_reminders_run(campaign.pk, old_day, "http://testserver/") == (
        "skipped: reminded already, or the reminder day has changed"
    )


def test_a_reminder_day_needs_a_closing_date(client, owner, workspace):
    from assessments.errors import Refused
    from assessments.services.campaigns import campaign_update

    campaign = builders.campaign(workspace)
    with pytest.raises(Refused) as refused:
        campaign_update(
            campaign=campaign, min_group_size=5, gap_threshold=0.5, targets={}, remind_days_before=3
        )
    assert "remind_days_before: needs a closing date to count back from" in refused.value.lines
    with pytest.raises(Refused) as refused:
        campaign_update(
            campaign=campaign,
            min_group_size=5,
            gap_threshold=0.5,
            targets={},
            closes_on=date(2030, 1, 1),
            remind_days_before=99,
        )
    assert "remind_days_before: between 1 and 60 days, or empty for no reminder" in (
        refused.value.lines
    )


def test_a_changed_secret_key_gives_the_next_reminder_a_new_working_link(settings, campaign):
    from assessments.services.invitation_mail import link_token
    from assessments.services.survey import invitation_create

    made = invitation_create(campaign=campaign, kind="person", email="x@acme.example")
    assert link_token(made.invitation) == made.token  # rebuilt, not stored
    settings.SECRET_KEY = "another-secret-key-" * 4
    token = link_token(made.invitation)
    assert token != made.token
    assert invitation_for_token(token) == made.invitation
    assert invitation_for_token(made.token) is None  # the e-mail carries the one that works


def test_e_mails_go_fifty_to_a_job_and_a_job_run_twice_sends_nothing_twice(
    campaign, django_capture_on_commit_callbacks, run_jobs
):
    from assessments.services.invitation_mail import deliver_all
    from assessments.services.invitations import Invitee, invitations_bulk_create

    people = [Invitee(n, f"P{n}", f"p{n}@acme.example", None) for n in range(120)]
    with django_capture_on_commit_callbacks(execute=True):
        invitations_bulk_create(
            campaign=campaign,
            people=people,
            created_by=None,
            base_url="http://testserver/",
            source="big.csv",
        )
    jobs = DBTaskResult.objects.order_by("enqueued_at")
    assert [len(job.args_kwargs["args"][0]) for job in jobs] == [50, 50, 20]
    assert run_jobs() == ["50 sent", "50 sent", "20 sent"]
    assert len(mail.outbox) == 120
    again = list(Invitation.objects.values_list("pk", flat=True)[:50])
    assert deliver_all(again, "invitation", "http://testserver/") == "50 skipped: not queued"
    assert len(mail.outbox) == 120


def test_e_mails_no_worker_picks_up_are_flagged_on_the_campaign_page(
    client, owner, campaign, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, campaign, PEOPLE)
    page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    assert "E-mails are waiting to be sent" not in visible_text(page)  # just queued
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=7))
    page = visible_text(client.get(reverse("assessments:campaign-detail", args=[campaign.slug])))
    assert "no background worker has picked them up for 7 minutes" in page


CAMPAIGN_PAGE_QUERIES = 11  # session, user, campaign, links, completion (2), scope, history…


def test_the_campaign_page_costs_a_fixed_number_of_queries_whatever_its_size(
    client, owner, workspace, django_assert_num_queries
):
    """Links, their status and counts, completion, history: the same queries for 3 links
    as for 300, with responses and a reminder's history."""
    from assessments.services.survey import invitation_create

    small = builders.campaign(workspace, slug="small-2026")
    large = builders.campaign(workspace, slug="large-2026", org=small.organization)
    team = small.organization.teams.get(slug="it-ops")
    for campaign, count in ((small, 3), (large, 300)):
        for number in range(count):
            made = invitation_create(
                campaign=campaign, kind="person", team=team, email=f"p{number}@acme.example"
            )
            if number % 3 == 0:
                response_submit(response=response_start(invitation=made.invitation))
        invitation_create(campaign=campaign, kind="team", team=team)
    client.force_login(owner)
    client.get(reverse("assessments:home"))  # the session's first request does more
    for campaign in (small, large):
        with django_assert_num_queries(CAMPAIGN_PAGE_QUERIES):
            page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
        assert page.status_code == 200
    assert visible_text(page).count("submitted") >= 100
