"""The archivists' yearly re-training (ARC-8; 003: 档案管理员必须经过…培训，考核合格后方可上岗) as a
deadline of the reminder engine: each certified archivist is due for re-training a year
after the certification or the last re-training (`ArchivistCertification.retrain_due`). The
archivist and the system administrators, who keep the certification record, are reminded;
recording the re-training on the certification closes the deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import calendar
from kehu.core.models import ArchivistCertification, Role, User
from kehu.ops.reminders import Due, ReminderRule, only_for


def certification_keepers() -> list[User]:
    """Who records certifications and re-trainings: the system administrators."""
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.SYSTEM_ADMIN)
        .distinct()
        .order_by("pk")
    )


def _training_due(certification: ArchivistCertification, keepers: list[User]) -> Due:
    archivist = certification.user
    return Due(
        obj=certification,
        deadline=certification.retrain_due,
        recipients=[archivist, *keepers],
        title=_("Yearly re-training of archivist %(name)s")
        % {"name": archivist.full_name or archivist.username},
        link=reverse("generic:users_detail", args=[archivist.pk]),
        body=_("Record the re-training on the archivist certification once it is done."),
        unit=archivist.unit,
    )


def pending_trainings(today: datetime.date, user: User | None) -> Iterable[Due]:
    """Every archivist whose re-training falls due within the rule's horizon (or is overdue),
    counted in working days."""
    horizon = calendar.add_working_days(today, TRAINING_RULE.horizon)
    certifications = (
        ArchivistCertification.objects.filter(
            user__is_active=True, user__role_assignments__role=Role.ARCHIVIST
        )
        .select_related("user__unit")
        .distinct()
        .order_by("pk")
    )
    keepers = certification_keepers()
    dues: Iterator[Due] = (
        _training_due(c, keepers) for c in certifications if c.retrain_due <= horizon
    )
    return dues if user is None else only_for(user, dues)


TRAINING_RULE = ReminderRule(
    kind="archives.archivist_training",
    label=gettext_lazy("Archivist's yearly re-training"),
    pending=pending_trainings,
    before=(20, 5),
    escalate_after=5,
)
