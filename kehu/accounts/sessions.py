"""Sessions in the database, as Django stores them, without a write on every read.

SESSION_SAVE_EVERY_REQUEST makes each request push the idle timeout forward (SEC-5). Doing
that with an UPDATE on every page view costs a write transaction per GET; here the session
is written only when its data changed or when the save would move its expiry by more than
REFRESH_SECONDS, so the idle timeout stays exact to within that margin.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

REFRESH_SECONDS = 60


class SessionStore(DatabaseSessionStore):
    _stored_expiry: datetime.datetime | None = None

    def _get_session_from_db(self) -> Any:
        stored = super()._get_session_from_db()  # type: ignore[misc]
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def save(self, must_create: bool = False) -> None:
        if must_create or not self._still_fresh():
            super().save(must_create)
            self._stored_expiry = self.get_expiry_date()

    def _still_fresh(self) -> bool:
        """Unchanged data, and the stored expiry within REFRESH_SECONDS of the new one."""
        if self.modified or self._stored_expiry is None or self.session_key is None:
            return False
        moved = self.get_expiry_date() - self._stored_expiry
        return moved.total_seconds() < REFRESH_SECONDS
