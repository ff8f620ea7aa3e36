"""Options for the whole test suite."""

from __future__ import annotations

import pytest

from tests.golden import set_update

pytest_plugins = ["tests.counting_server"]  # fixtures shared across test packages


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files of the golden-file tests instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    set_update(bool(config.getoption("--update-golden")))
