"""The one exception type that the CLI turns into a single `error: ...` line (exit 2)."""


class OsflowError(Exception):
    """Bad input or an environment problem the user can fix; the message names the fix."""
