"""Writing many rows' changes in one statement, cheaply."""

from django.db import connection


def rows_update(objs: list, fields: list[str]) -> None:
    """Save ``fields`` of ``objs`` (one model) in one UPDATE … FROM (VALUES …).

    Django's ``bulk_update`` builds a CASE WHEN expression per field and row, whose
    compilation costs more than the database's work on a posting (see
    docs/benchmarks.md). Identifiers come from the model's meta, quoted; every
    value is a parameter. SQLite has no column list for VALUES: bulk_update there.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields)
        return
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    row = ", ".join(f"%s::{field.db_type(connection)}" for field in [pk, *columns])
    params = []
    for obj in objs:
        params.append(pk.get_db_prep_value(obj.pk, connection))
        params.extend(
            field.get_db_prep_save(getattr(obj, field.attname), connection)
            for field in columns
        )
    names = ", ".join(quote(field.column) for field in [pk, *columns])
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
    key = quote(pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {sets} "  # noqa: S608
            f"FROM (VALUES {', '.join([f'({row})'] * len(objs))}) AS v ({names}) "
            f"WHERE t.{key} = v.{key}",
            params,
        )
