"""The ``saltbitter`` console script: the CLI, or one line naming the extra to install.

``pip install saltbitter`` installs no third-party package (the core is stdlib only), but
it does install this script; so this module imports nothing beyond the standard library
until it knows the command line's dependencies are there.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["EXTRA_OF", "main"]

# The extra that brings each third-party module a command may need; anything else the
# command line needs comes with "api".
EXTRA_OF: Final = {
    "celery": "worker",
    "kombu": "worker",
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
    "redis": "redis",
    "boto3": "aws",
    "botocore": "aws",
    "stripe": "stripe",
    "openai": "openai",
    "numpy": "fast",
}


def _missing_dependency(error: ModuleNotFoundError) -> str | None:
    """The third-party top-level module that is missing, or None for our own bug."""
    root = (error.name or "").partition(".")[0]
    return None if root in ("", "saltbitter") else root


def main() -> None:
    try:
        from saltbitter.entrypoints.cli import main as cli_main

        cli_main()
    except ModuleNotFoundError as error:
        missing = _missing_dependency(error)
        if missing is None:
            raise
        extra = EXTRA_OF.get(missing, "api")
        print(  # noqa: T201 - the one line a user sees instead of a traceback
            f"saltbitter: this needs the '{extra}' extra (module '{missing}' is missing); "
            f"install it with: pip install 'saltbitter[{extra}]' (or 'saltbitter[all]')",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
