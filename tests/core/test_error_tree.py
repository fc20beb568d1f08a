"""One error root: every exception class Refrain defines is a RefrainError, and every
class that carries words for people is a UserFacing one."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from core.errors import RefrainError, UserFacing

PACKAGES = ("config", "core", "engine", "storage", "jobs", "bots", "web", "refrain")
SKIP = ("storage.migrations",)  # Alembic's env.py runs on import


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not info.name.startswith(SKIP) and not info.name.endswith("__main__"):
                names.append(info.name)
    return names


def _our_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


def test_every_exception_has_the_one_root() -> None:
    found = _our_exceptions()
    assert len(found) > 30, "the walk found too few error classes"
    strays = sorted(name for name, cls in found.items() if not issubclass(cls, RefrainError))
    assert strays == []


def test_words_for_people_travel_only_on_user_facing_errors() -> None:
    carrying = {
        name for name, cls in _our_exceptions().items()
        if "user_message" in vars(cls) or "user_message" in inspect.getsource(cls)
    }
    assert carrying, "nothing carries a user message?"
    assert sorted(n for n in carrying if not issubclass(_our_exceptions()[n], UserFacing)) == []


@pytest.mark.parametrize("message", ["The clip was taken down.", "Ünïcode is fine"])
def test_a_user_facing_error_reads_as_its_message_unless_given_other_words(message: str) -> None:
    error = UserFacing(message)
    assert error.user_message == message == str(error)
    error.user_message = "Something else for fans."
    assert error.user_message == "Something else for fans." and str(error) == message
