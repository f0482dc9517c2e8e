"""Every folder of tests is collected by `make test` and CI: pytest's testpaths is a list kept by hand, and a
folder missing from it is a suite that silently never runs (the SLA, satisfaction and privacy tests were)."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_TREES = {".venv", "node_modules", "var", "staticfiles", ".git"}


def _test_folders():
    for test_file in ROOT.rglob("test_*.py"):
        parts = test_file.relative_to(ROOT).parts
        if parts[0] not in SKIPPED_TREES:
            yield parts[0]


def test_every_folder_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    assert set(_test_folders()) - testpaths == set()
