#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
    # manage.py is a developer's tool: debug unless told otherwise. Production
    # exports DJANGO_DEBUG=0 (README), and the web server (jxc.wsgi) never
    # defaults to debug: it refuses to start without a secret key.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # The database time limits (JXC_DB_LOCK_TIMEOUT_MS, JXC_DB_STATEMENT_TIMEOUT_MS)
    # guard web requests. Commands run without them: a migration, a backup or
    # restore, a big shop's month close or generating benchmark data may rightly
    # take minutes. runserver is a web server and keeps them.
    if sys.argv[1:2] != ["runserver"]:
        os.environ["JXC_DB_LOCK_TIMEOUT_MS"] = "0"
        os.environ["JXC_DB_STATEMENT_TIMEOUT_MS"] = "0"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
