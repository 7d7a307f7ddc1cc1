from django.db import models
from django.utils.translation import gettext_lazy as _

# The wizard's steps, in order: (key, title).
STEPS = [
    ("shop", _("Shop details")),
    ("warehouses", _("Warehouses")),
    ("products", _("Products")),
    ("opening", _("Opening stock")),
    ("staff", _("Staff accounts")),
]
STEP_KEYS = [key for key, _title in STEPS]


class StepState(models.TextChoices):
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class SetupProgress(models.Model):
    """The first-run wizard's progress, one row: each step's state (absent: still
    to do), and whether the owner put the dashboard's checklist away. The row
    exists from the moment the wizard first opens, so it opens by itself once."""

    steps = models.JSONField(_("steps"), default=dict)
    dismissed = models.BooleanField(_("checklist dismissed"), default=False)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("setup progress")
        verbose_name_plural = _("setup progress")

    def __str__(self):
        return str(self._meta.verbose_name)

    def state(self, step: str) -> str | None:
        return self.steps.get(step)

    @property
    def complete(self) -> bool:
        """Every step done (a skipped one is still on the checklist)."""
        return all(self.steps.get(key) == StepState.DONE for key in STEP_KEYS)

    @property
    def next_step(self) -> str | None:
        """The first step neither done nor skipped: where the wizard resumes."""
        return next((key for key in STEP_KEYS if not self.steps.get(key)), None)
