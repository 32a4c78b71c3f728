"""The browser tests reuse the e2e helpers and fixtures (tests/e2e/conftest.py):
processes started by PID-tracked groups, emulators, configs."""
import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "e2e_conftest", Path(__file__).resolve().parents[1] / "e2e" / "conftest.py")
e2e_conftest = importlib.util.module_from_spec(_spec)
sys.modules["e2e_conftest"] = e2e_conftest
_spec.loader.exec_module(e2e_conftest)

procs = e2e_conftest.procs
module_procs = e2e_conftest.module_procs
