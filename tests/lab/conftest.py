"""Report how long Run All took for each notebook in JupyterLab."""

import pytest

from tests.lab.test_jupyterlab import RUN_ALL_SECONDS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RUN_ALL_SECONDS:
        terminalreporter.section("JupyterLab: Run All time per notebook")
        for name, seconds in sorted(RUN_ALL_SECONDS.items()):
            terminalreporter.write_line(f"{seconds:6.1f} s  {name}")
