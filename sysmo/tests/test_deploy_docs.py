"""docs/deploy.md lists every setting the app reads, so an operator never has to read the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_read_by_the_settings_is_in_the_deployment_guide():
    read = set(READ.findall((ROOT / "sysmo" / "settings.py").read_text()))
    gunicorn = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    read |= set(re.findall(r'os\.environ\.get\("(GUNICORN_[A-Z_]+)"', gunicorn))
    guide = (ROOT / "docs" / "deploy.md").read_text()
    table = guide[guide.index("## Settings"):]
    assert len(read) > 40
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"not in docs/deploy.md's settings table: {missing}"
