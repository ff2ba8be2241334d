"""Answers remembered on the objects they are about, for as long as those objects live.

The policy asks about the same user, and the same objects, hundreds of times on one page
(their roles, their running access grants, whether a customer is restricted). Django builds
`request.user` afresh for every request and model instances are read per request, so an
answer kept on the object itself is shared by every check of that request and seen by no
other: the next request reads the user again and asks again. Nothing here outlives its
holder or is shared between threads; nothing is refreshed within it either (a role granted to
the signed-in user during a request counts from the next request).

Every such attribute is declared below, and read and written only through its memo:

* `HELD_ROLES`, `HELD_ROLES_FOR`, `ACCESS` on the request's user (`kehu.core.policy`);
* `USABLE` on a model instance: whether its restriction condition holds (`policy._usable`);
* `FACTS` on the request: the one statement of per-request facts (`core.selectors`);
* `REBIND` on a model instance being inserted: the encrypted fields to bind to the new row
  between `pre_save` and `post_save` (`kehu.core.crypto`);
* `SAVED_DIGEST` on a file being stored: its SHA-256 and size, handed from the storage's
  `_save` to `storage.store` (Django's `Storage.save` returns only the name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.core.policy import HeldRole
    from kehu.core.selectors import RequestFacts


class RequestMemo[T]:
    """One remembered answer, kept as the attribute `attribute` of the object it is about."""

    __slots__ = ("attribute",)

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def get(self, holder: Any) -> T | None:
        """The answer kept on `holder`, or None when nothing is kept there yet."""
        return getattr(holder, self.attribute, None)

    def set(self, holder: Any, value: T) -> T:
        """Keep `value` on `holder` (replacing what was kept) and return it."""
        setattr(holder, self.attribute, value)
        return value

    def pop(self, holder: Any) -> T | None:
        """The answer kept on `holder`, no longer kept there."""
        value: T | None = getattr(holder, self.attribute, None)
        if value is not None:
            delattr(holder, self.attribute)
        return value


# The user's role assignments.
HELD_ROLES: RequestMemo[list[HeldRole]] = RequestMemo("_kehu_held_roles")
# Per permission, the held roles that allow it; valid for the HELD_ROLES list it names.
HELD_ROLES_FOR: RequestMemo[tuple[list[HeldRole], dict[str, list[tuple[HeldRole, bool]]]]]
HELD_ROLES_FOR = RequestMemo("_kehu_held_roles_for")
# The user's running access grants: object type → [(object id, actions)].
ACCESS: RequestMemo[dict[str, list[tuple[str, list[str]]]]] = RequestMemo("_kehu_access")
# Whether a model instance meets its usable condition (read through `policy.scope`: True).
USABLE: RequestMemo[bool] = RequestMemo("_kehu_usable")
# The request's facts statement.
FACTS: RequestMemo[RequestFacts] = RequestMemo("_kehu_facts")
# The encrypted fields of an unsaved instance that were sealed to their column only.
REBIND: RequestMemo[set[str]] = RequestMemo("_kehu_rebind")
# The SHA-256 and size of a file's plain bytes, as the encrypted storage saved them.
SAVED_DIGEST: RequestMemo[tuple[str, int]] = RequestMemo("_kehu_saved_digest")
