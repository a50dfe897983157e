"""The daily digest (sent once per day, opt-out, nothing-due skip, 06:30 UK time) and the
personal calendar feed (parsed with the icalendar library; stable UIDs; revoked or unknown
token 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from sustain.core.models import HistoryEntry
from sustain.governance.models import JobRun
from sustain.work import services, tasks
from sustain.work.models import CalendarToken, DigestSent
from sustain.work.tests.conftest import give_items

pytestmark = pytest.mark.django_db


# --- digest -------------------------------------------------------------------------------


def test_the_digest_is_sent_once_per_day(manager: Any, location: Any, today: dt.date) -> None:
    made = give_items(manager, location, 1, today - dt.timedelta(days=1))
    result = services.digests_send(today=today)
    assert result.sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert message.subject.startswith("Your governance work: ")
    assert "overdue" in message.subject
    assert made["action"][0].description in message.body
    assert "/my-work/" in message.body and "turn it off" in message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert 'lang="en-GB"' in html and made["action"][0].description in html
    again = services.digests_send(today=today)
    assert again.sent == 0 and again.already_sent == 1
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=manager, on_date=today).count() == 1
    # the next day it goes again
    assert services.digests_send(today=today + dt.timedelta(days=1)).sent == 1


def test_the_digest_only_reports_this_weeks_and_overdue_work(
        manager: Any, location: Any, today: dt.date) -> None:
    give_items(manager, location, 1, today + dt.timedelta(days=8))  # after this week
    result = services.digests_send(today=today)
    assert result.sent == 0 and result.nothing_due == 1
    assert mail.outbox == []


def test_users_who_turned_it_off_get_nothing(manager: Any, location: Any,
                                             today: dt.date) -> None:
    give_items(manager, location, 1, today)
    services.digest_setting_update(actor=manager, enabled=False,
                                   expected_version=manager.version)
    assert services.digests_send(today=today).sent == 0
    assert mail.outbox == []
    assert not DigestSent.objects.exists()


def test_inactive_users_and_users_without_email_get_nothing(
        manager: Any, carer: Any, location: Any, today: dt.date) -> None:
    give_items(manager, location, 1, today)
    give_items(carer, location, 1, today)
    type(manager).objects.filter(pk=manager.pk).update(is_active=False)
    type(carer).objects.filter(pk=carer.pk).update(email="")
    assert services.digests_send(today=today).sent == 0
    assert mail.outbox == []


def test_a_failed_send_records_nothing_so_a_rerun_sends(
        manager: Any, location: Any, today: dt.date, monkeypatch: Any) -> None:
    give_items(manager, location, 1, today)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with pytest.raises(ConnectionError):
        services.digests_send(today=today)
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert services.digests_send(today=today).sent == 1


def test_a_concurrent_run_that_claimed_the_user_first_wins(
        manager: Any, location: Any, today: dt.date, monkeypatch: Any) -> None:
    """Another run inserts this user's row after this run read who was done: the unique
    constraint refuses the second claim and no second email goes."""
    from django.utils import timezone

    from sustain.work import providers

    give_items(manager, location, 1, today)
    real_collect = providers.collect

    def collect_while_another_run_claims(user: Any, day: dt.date, until: dt.date) -> Any:
        DigestSent.objects.get_or_create(user=user, on_date=day,
                                         defaults={"sent_at": timezone.now()})
        return real_collect(user, day, until)

    monkeypatch.setattr(services, "collect", collect_while_another_run_claims)
    result = services.digests_send(today=today)
    assert result.sent == 0 and result.already_sent == 1
    assert mail.outbox == []
    assert DigestSent.objects.filter(user=manager, on_date=today).count() == 1


def test_the_job_is_recorded_and_idempotent(manager: Any, location: Any,
                                            today: dt.date) -> None:
    give_items(manager, location, 1, today)
    first = tasks.send_digests()
    second = tasks.send_digests()
    assert first["sent"] == 1 and second == {"sent": 0, "already_sent": 1, "nothing_due": 0}
    assert len(mail.outbox) == 1
    runs = JobRun.objects.filter(name="work.daily-digest")
    assert runs.count() == 2 and {r.outcome for r in runs} == {"succeeded"}


@pytest.mark.parametrize(("utc", "expected"), [
    (dt.datetime(2026, 11, 27, 6, 30), True),    # GMT: 06:30 UTC is 06:30 in London
    (dt.datetime(2026, 11, 27, 5, 30), False),
    (dt.datetime(2026, 7, 1, 5, 30), True),      # BST: 05:30 UTC is 06:30 in London
    (dt.datetime(2026, 7, 1, 6, 30), False),
    (dt.datetime(2026, 3, 29, 5, 30), True),     # the day the clocks go forward
    (dt.datetime(2026, 10, 25, 6, 30), True),    # the day they go back
])
def test_the_digest_runs_at_half_past_six_uk_time(utc: dt.datetime, expected: bool) -> None:
    assert tasks.at_digest_time(utc) is expected
    assert tasks.at_digest_time(utc.replace(tzinfo=dt.UTC)) is expected


# --- calendar feed ------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _new_link(client: Client, name: str = "Outlook") -> str:
    response = client.post(reverse("work:token-create"), {"name": name})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('value="http') + len('value="')
    return html[start:html.index('"', start)]


def test_creating_a_link_shows_it_once_and_stores_only_a_hash(manager: Any) -> None:
    client = _client(manager)
    created = client.post(reverse("work:token-create"), {"name": "Outlook"})
    assert created["Cache-Control"] == "no-store"
    html = created.content.decode()
    assert "Subscribe from web" in html and "From URL" in html
    start = html.index('value="http') + len('value="')
    url = html[start:html.index('"', start)]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    record = CalendarToken.objects.get(user=manager)
    assert record.token_hash == services.hash_token(token) and token not in record.token_hash
    page = client.get(reverse("work:settings")).content.decode()
    assert token not in page and "Outlook" in page
    entry = HistoryEntry.objects.get(object_uuid=record.uuid)
    assert entry.action == "create" and token not in str(entry.after)
    assert record.token_hash not in str(entry.after)


def test_the_feed_parses_with_events_and_stable_uids(manager: Any, location: Any,
                                                     today: dt.date) -> None:
    made = give_items(manager, location, 2, today - dt.timedelta(days=1))
    url = _new_link(_client(manager))
    path = url.removeprefix("http://testserver")
    anonymous = Client()
    first = anonymous.get(path)
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(first.content)
    events = cal.walk("VEVENT")
    assert len(events) == 14
    uids = {str(e["UID"]) for e in events}
    assert f"action-{made['action'][0].uuid}@sustain" in uids
    assert str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    action = next(e for e in events if str(e["UID"]) == f"action-{made['action'][0].uuid}@sustain")
    assert action.decoded("DTSTART") == made["action"][0].due_date  # all-day
    assert str(action["SUMMARY"]).startswith("Theme action: ")
    assert str(action["URL"]).endswith(f"#action-{made['action'][0].uuid}")
    assert "You own this action" in str(action["DESCRIPTION"])
    occ = next(e for e in events if str(e["UID"]).startswith("occurrence-"))
    end = occ.decoded("DTEND")
    assert isinstance(end, dt.datetime) and end.tzinfo is not None
    second = Calendar.from_ical(anonymous.get(path).content)
    assert {str(e["UID"]) for e in second.walk("VEVENT")} == uids


def test_revoked_and_unknown_tokens_are_404_revealing_nothing(manager: Any, location: Any,
                                                              today: dt.date) -> None:
    give_items(manager, location, 1, today)
    client = _client(manager)
    path = _new_link(client).removeprefix("http://testserver")
    assert Client().get(path).status_code == 200
    record = CalendarToken.objects.get(user=manager)
    response = client.post(reverse("work:token-revoke", kwargs={"uuid": record.uuid}))
    assert response.status_code == 302
    gone = Client().get(path)
    assert gone.status_code == 404
    assert "Medicines" not in gone.content.decode() and manager.username not in \
        gone.content.decode()
    unknown = Client().get(reverse("calendar-feed", kwargs={"token": "not-a-real-token"}))
    assert unknown.status_code == 404
    record.refresh_from_db()
    assert record.archived_at is not None


def test_someone_else_cannot_revoke_my_link(manager: Any, carer: Any) -> None:
    _new_link(_client(manager))
    record = CalendarToken.objects.get(user=manager)
    response = _client(carer).post(reverse("work:token-revoke", kwargs={"uuid": record.uuid}))
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.archived_at is None


def test_a_deactivated_account_s_feed_is_404(manager: Any) -> None:
    path = _new_link(_client(manager)).removeprefix("http://testserver")
    type(manager).objects.filter(pk=manager.pk).update(is_active=False)
    assert Client().get(path).status_code == 404


def test_too_long_a_name_is_refused_naming_the_field(manager: Any) -> None:
    response = _client(manager).post(reverse("work:token-create"), {"name": "x" * 81})
    assert response.status_code == 400
    assert "Name" in response.content.decode()
    assert not CalendarToken.objects.exists()
