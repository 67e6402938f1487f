"""The addresses of the app; each area's pages are a module of `assessments/views/`."""

from django.urls import path

from assessments.views import (
    api,
    banks,
    campaigns,
    consensus,
    dashboard,
    downloads,
    invitations,
    language,
    members,
    organizations,
    profile,
    responses,
    roadmap,
    survey,
    two_factor,
    workshop_audience,
    workshop_presenter,
)

app_name = "assessments"

urlpatterns = [
    path("", organizations.home, name="home"),
    # Question banks (staff)
    path("banks/", banks.bank_list, name="bank-list"),
    path("banks/<int:version>/edit/", banks.bank_edit, name="bank-edit"),
    path("banks/<int:version>/preview/", banks.bank_preview, name="bank-preview"),
    path("banks/<int:version>/publish/", banks.bank_publish, name="bank-publish"),
    path("banks/<int:version>/new-draft/", banks.bank_new_draft, name="bank-new-draft"),
    # Organisations
    path("orgs/new/", organizations.organization_create, name="organization-create"),
    path("orgs/upload/", organizations.organization_upload, name="organization-upload"),
    path("orgs/<slug:slug>/", organizations.organization_detail, name="organization-detail"),
    path("orgs/<slug:slug>/edit/", organizations.organization_edit, name="organization-edit"),
    path("orgs/<slug:slug>/sites/new/", organizations.site_create, name="site-create"),
    path("orgs/<slug:slug>/sites/<slug:site>/edit/", organizations.site_edit, name="site-edit"),
    path("orgs/<slug:slug>/teams/new/", organizations.team_create, name="team-create"),
    path("orgs/<slug:slug>/teams/<slug:team>/edit/", organizations.team_edit, name="team-edit"),
    path(
        "orgs/<slug:slug>/viewers/invite/", organizations.viewer_invite_view, name="viewer-invite"
    ),
    path(
        "orgs/<slug:slug>/viewers/<int:viewer>/remove/",
        organizations.viewer_remove_view,
        name="viewer-remove",
    ),
    path("orgs/<slug:slug>/campaigns/new/", campaigns.campaign_new, name="campaign-create"),
    # Workspace members
    path("workspaces/<slug:workspace>/members/", members.members, name="members"),
    path(
        "workspaces/<slug:workspace>/settings/",
        members.workspace_settings,
        name="workspace-settings",
    ),
    path(
        "workspaces/<slug:workspace>/two-factor/",
        members.workspace_two_factor,
        name="workspace-two-factor",
    ),
    path(
        "workspaces/<slug:workspace>/members/<int:membership>/remove/",
        members.member_remove_view,
        name="member-remove",
    ),
    # Campaigns
    path("campaigns/<slug:slug>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("campaigns/<slug:slug>/report.pdf", downloads.campaign_report, name="campaign-report"),
    path(
        "campaigns/<slug:slug>/export/<slug:kind>.<slug:fmt>",
        downloads.campaign_export,
        name="campaign-export",
    ),
    path("campaigns/<slug:slug>/deck.pptx", downloads.campaign_deck_view, name="campaign-deck"),
    path("campaigns/<slug:slug>/report.docx", downloads.campaign_word_view, name="campaign-word"),
    path(
        "campaigns/<slug:slug>/consensus/", consensus.campaign_consensus, name="campaign-consensus"
    ),
    path(
        "campaigns/<slug:slug>/workshop/", workshop_presenter.workshop_facilitator, name="workshop"
    ),
    path(
        "campaigns/<slug:slug>/workshop/room/",
        workshop_presenter.workshop_room,
        name="workshop-room",
    ),
    path(
        "campaigns/<slug:slug>/workshop/screen/",
        workshop_presenter.workshop_screen,
        name="workshop-screen",
    ),
    path(
        "campaigns/<slug:slug>/workshop/screen/live/",
        workshop_presenter.workshop_screen_live,
        name="workshop-screen-live",
    ),
    path(
        "campaigns/<slug:slug>/workshop/state/",
        workshop_presenter.workshop_state,
        name="workshop-state",
    ),
    path(
        "campaigns/<slug:slug>/workshop/parking/<int:note>/",
        workshop_presenter.workshop_parking_mark,
        name="workshop-parking-mark",
    ),
    path(
        "campaigns/<slug:slug>/workshop/access/",
        workshop_presenter.workshop_access,
        name="workshop-access",
    ),
    path(
        "campaigns/<slug:slug>/dashboard/", dashboard.campaign_dashboard, name="campaign-dashboard"
    ),
    path(
        "campaigns/<slug:slug>/completion/",
        campaigns.campaign_completion,
        name="campaign-completion",
    ),
    path(
        "campaigns/<slug:slug>/responses/", responses.campaign_responses, name="campaign-responses"
    ),
    path(
        "campaigns/<slug:slug>/initiatives/new/",
        roadmap.initiative_new,
        name="initiative-create",
    ),
    path(
        "campaigns/<slug:slug>/initiatives/<int:pk>/edit/",
        roadmap.initiative_edit,
        name="initiative-edit",
    ),
    path(
        "campaigns/<slug:slug>/initiatives/<int:pk>/delete/",
        roadmap.initiative_delete_view,
        name="initiative-delete",
    ),
    path("campaigns/<slug:slug>/preview/", campaigns.campaign_preview, name="campaign-preview"),
    path("campaigns/<slug:slug>/open/", campaigns.campaign_open_view, name="campaign-open"),
    path("campaigns/<slug:slug>/close/", campaigns.campaign_close_view, name="campaign-close"),
    path("campaigns/<slug:slug>/reopen/", campaigns.campaign_reopen_view, name="campaign-reopen"),
    path(
        "campaigns/<slug:slug>/invitations/person/",
        invitations.invitation_person,
        name="invitation-person",
    ),
    path(
        "campaigns/<slug:slug>/invitations/team/",
        invitations.invitation_team,
        name="invitation-team",
    ),
    path(
        "campaigns/<slug:slug>/invitations/new/",
        invitations.invitation_created,
        name="invitation-created",
    ),
    path(
        "campaigns/<slug:slug>/invitations/upload/",
        invitations.invitation_upload,
        name="invitation-upload",
    ),
    path(
        "campaigns/<slug:slug>/invitations/example.csv",
        invitations.invitation_example,
        name="invitation-example",
    ),
    path("campaigns/<slug:slug>/reminders/", invitations.reminders_view, name="reminders"),
    path(
        "campaigns/<slug:slug>/invitations/<int:invitation>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation-revoke",
    ),
    # Your profile: API tokens
    path("profile/", profile.profile, name="profile"),
    path("profile/two-factor/", two_factor.two_factor_setup, name="two-factor-setup"),
    path(
        "profile/two-factor/recovery-codes/",
        two_factor.two_factor_recovery,
        name="two-factor-recovery",
    ),
    path("profile/two-factor/off/", two_factor.two_factor_off, name="two-factor-off"),
    path("accounts/code/", two_factor.two_factor_verify, name="two-factor-verify"),
    path("profile/tokens/<int:api_token>/revoke/", profile.token_revoke, name="token-revoke"),
    # The read-only JSON API (Bearer tokens)
    path("api/v1/campaigns/", api.campaigns, name="api-campaigns"),
    path(
        "api/v1/campaigns/<slug:slug>/scores/",
        api.campaign_scores_view,
        name="api-campaign-scores",
    ),
    # Workshop participants (no account)
    path("language/", language.language_switch, name="language"),
    path("w/", workshop_audience.workshop_code, name="workshop-code"),
    path("w/<str:code>/", workshop_audience.workshop_join_view, name="workshop-join"),
    path("w/<str:code>/live/", workshop_audience.workshop_live, name="workshop-live"),
    path("w/<str:code>/vote/", workshop_audience.workshop_vote_view, name="workshop-vote"),
    path("w/<str:code>/rejoin/", workshop_audience.workshop_rejoin_view, name="workshop-rejoin"),
    path("w/<str:code>/events/", workshop_audience.workshop_events, name="workshop-events"),
    path("w/<str:code>/word/", workshop_audience.workshop_word_view, name="workshop-word"),
    path("w/<str:code>/parking/", workshop_audience.workshop_parking_view, name="workshop-parking"),
    path(
        "w/<str:code>/parking/<int:note>/upvote/",
        workshop_audience.workshop_upvote_view,
        name="workshop-upvote",
    ),
    # The respondent's survey (no account)
    path("s/<str:token>/", survey.link_open, name="link-open"),
    path("survey/start/", survey.survey_start, name="survey-start"),
    path("survey/resume/", survey.survey_resume_code, name="survey-resume-code"),
    path("survey/kiosk/reset/", survey.survey_kiosk_reset, name="survey-kiosk-reset"),
    path("survey/kiosk/next/", survey.survey_kiosk_done, name="survey-kiosk-done"),
    path("survey/<uuid:public_id>/", survey.survey_resume, name="survey-resume"),
    path("survey/<uuid:public_id>/p/<int:page>/", survey.survey_page, name="survey-page"),
    path("survey/<uuid:public_id>/answer/", survey.survey_answer, name="survey-answer"),
    path("survey/<uuid:public_id>/review/", survey.survey_review, name="survey-review"),
    path("survey/<uuid:public_id>/submit/", survey.survey_submit, name="survey-submit"),
    path("survey/<uuid:public_id>/thanks/", survey.survey_thanks, name="survey-thanks"),
]
