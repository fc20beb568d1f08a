"""The platform adapters: Discord, Telegram and the console. Each translates its platform's
input into an ``Invocation`` and the handler's ``Reply`` values back, and receives
Refrain through the narrow port ``core.service.Refrain``.
"""

__all__: list[str] = []
