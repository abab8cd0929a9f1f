"""Every fake is named after the port it implements: ``InMemory<Port>``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import saltbitter.testing

FAKE_MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(saltbitter.testing.__path__, "saltbitter.testing.")
    if info.name.rsplit(".", 1)[-1].startswith("fakes")
)


def _fakes() -> list[tuple[str, str]]:
    """(class name, port name) for every class in a fakes module that implements a port."""
    found = []
    for name in FAKE_MODULES:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != name:
                continue
            found.extend(
                (cls.__name__, base.__name__)
                for base in cls.__bases__
                if base.__module__.startswith("saltbitter.application.ports.")
            )
    return found


def test_the_fakes_modules_hold_fakes() -> None:
    assert len(FAKE_MODULES) >= 5
    assert len(_fakes()) >= 20


def test_every_fake_is_named_in_memory_and_its_port() -> None:
    odd = [(fake, port) for fake, port in _fakes() if fake != f"InMemory{port}"]
    assert odd == []
