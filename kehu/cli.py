"""`kehu`: Django's management commands with Kehu's settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    from django.core.management import execute_from_command_line

    from kehu.core.keyconfig import KeyConfigError

    try:
        execute_from_command_line(sys.argv)
    except KeyConfigError as error:  # a missing or malformed key: the message says what to set
        sys.exit(f"kehu: {error}")


if __name__ == "__main__":
    main()
