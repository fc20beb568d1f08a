"""Refrain's domain: the rules and use cases, in plain Python (see ARCHITECTURE.md).

Each subpackage has its own front (``core.catalog``, ``core.entitlements``,
``core.requests``, ``core.chat``, ``core.deliveries``, ``core.royalties``…);
``core.ports`` names what the outside provides, ``core.service`` what adapters get.
"""

__all__: list[str] = []
