# Users and groups are managed in Django's own admin (superusers) and on the
# owner's account pages; this app adds no models of its own to the admin.
