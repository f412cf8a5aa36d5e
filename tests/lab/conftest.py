"""Report how long Run All took for each notebook in JupyterLab.

The test records the time as a property of its report, so the summary also works when
the notebooks are shared between ``pytest -n`` workers (the reports reach the controller).
"""

import pytest

_RUN_ALL_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "run_all_seconds":
                _RUN_ALL_SECONDS[report.nodeid.split("[")[-1].rstrip("]")] = value


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _RUN_ALL_SECONDS:
        terminalreporter.section("JupyterLab: Run All time per notebook")
        for name, seconds in sorted(_RUN_ALL_SECONDS.items()):
            terminalreporter.write_line(f"{seconds:6.1f} s  {name}")
