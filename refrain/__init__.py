"""The `refrain` command line and the one composition root (``refrain.app``).

Nothing else imports this package: it imports every other one.
"""

__all__: list[str] = []
