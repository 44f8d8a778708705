"""Both task queues work here: a real task (consent's daily lapse) enqueued on the database
backend and run by `db_worker`, and the same through RQ on Redis run by an RQ worker in
burst mode. Redis is looked for at REDIS_URL (127.0.0.1:6379): without it the RQ test is
skipped, except under CI=true, where it fails."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from privacy.consent.actions import Circumstances, record_choice
from privacy.consent.models import ConsentRecord, Method
from privacy.consent.tasks import expire_lapsed

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)  # past any maximum age (13 months at most)


def a_lapsed_consent() -> ConsentRecord:
    return record_choice(method=Method.ACCEPT_ALL, circumstances=Circumstances(language="en"), at=LONG_AGO)


def redis_or_skip(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {url} is required under CI=true and is unreachable", pytrace=False)
        pytest.skip(f"Redis unreachable at {url}")


# transaction=True: db_worker closes the connections it used between tasks, which on
# PostgreSQL would close the connection holding a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.commitment("C16")
def test_the_database_backend_runs_a_real_task_with_the_db_worker() -> None:
    # given a consent past its maximum age, and the database queue
    lapsed = a_lapsed_consent()
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=backend):
        # when the daily lapse is enqueued, nothing has run yet
        result = expire_lapsed.enqueue()
        assert result.status == TaskResultStatus.READY
        assert not ConsentRecord.objects.filter(method=Method.EXPIRED).exists()
        # and the database worker runs what is queued, then stops
        call_command("db_worker", batch=True, no_startup_delay=True, stdout=StringIO(), stderr=StringIO())
        result.refresh()
    # then the task ran once and recorded the lapse
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"expired": 1}
    marker = ConsentRecord.objects.get(method=Method.EXPIRED)
    assert marker.supersedes == lapsed.id


@pytest.fixture
def rq_queue() -> Iterator[str]:
    """A queue of its own on the configured Redis, emptied and removed afterwards."""
    redis_or_skip(settings.REDIS_URL)
    name = f"pledge-test-{uuid.uuid4().hex[:12]}"
    queues = {**settings.RQ_QUEUES, name: {"URL": settings.REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    backend = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    with override_settings(RQ_QUEUES=queues, TASKS=backend):
        yield name
        import django_rq

        queue = django_rq.get_queue(name)
        queue.delete(delete_jobs=True)
        for key in queue.connection.scan_iter(f"rq:*{name}*"):  # its registries of finished jobs
            queue.connection.delete(key)


@pytest.mark.django_db
@pytest.mark.commitment("C16")
def test_the_rq_backend_runs_a_real_task_with_an_rq_worker(rq_queue: str) -> None:
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    # given a consent past its maximum age, and a queue on Redis
    lapsed = a_lapsed_consent()
    # when the daily lapse is enqueued through RQ, it waits in Redis
    result = expire_lapsed.using(queue_name=rq_queue).enqueue()
    assert result.status == TaskResultStatus.READY
    assert django_rq.get_queue(rq_queue).count == 1
    assert not ConsentRecord.objects.filter(method=Method.EXPIRED).exists()
    # and an RQ worker in burst mode runs what is queued, then stops (in this process, so
    # that it sees the test's database)
    worker = django_rq.get_worker(rq_queue, job_class=Job, worker_class=SimpleWorker)
    assert worker.work(burst=True) is True
    result.refresh()
    # then the task ran once and recorded the lapse
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"expired": 1}
    assert django_rq.get_queue(rq_queue).count == 0
    marker = ConsentRecord.objects.get(method=Method.EXPIRED)
    assert marker.supersedes == lapsed.id


def test_the_backend_is_a_configuration_switch() -> None:
    assert settings.TASK_BACKENDS == {
        "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        "database": "django_tasks_db.DatabaseBackend",
        "rq": "django_tasks_rq.RQBackend",
    }
    assert settings.TASKS["default"]["BACKEND"] == settings.TASK_BACKENDS[settings.TASKS_BACKEND]
