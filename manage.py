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
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
