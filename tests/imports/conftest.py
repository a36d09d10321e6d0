"""Import tests run the app with a real jobs queue (SQLite file) and, when they ask, a real consumer."""

from tests.jobs.conftest import app, consumer, jobs_settings, queue_name  # noqa: F401
