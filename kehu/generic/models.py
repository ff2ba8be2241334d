from django.db import models


class SubmissionToken(models.Model):
    """A create form's one-time token: a second submission of the same form is refused."""

    token = models.CharField(max_length=64, unique=True)
    user_id = models.BigIntegerField()
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token
