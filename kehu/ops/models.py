from django.db import models


class ScheduledRun(models.Model):
    """When each periodic job was last enqueued, so that several schedulers never double up."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
