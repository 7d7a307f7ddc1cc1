"""What an uploaded table may hold, and the error for a file that cannot be read
as a whole. Shared by the CSV reader (jxc.tabular) and the .xlsx reader
(jxc.xlsx_reader), which both import it; neither imports the other's caller."""

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 1_000


class TableError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


def too_many_columns(row: int) -> TableError:
    return TableError(
        _("Row %(row)d has more than %(max)s columns. Keep only the columns to import.")
        % {"row": row, "max": f"{MAX_COLUMNS:,}"}
    )
