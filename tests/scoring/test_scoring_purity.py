"""scoring/ is pure: importing all of it loads no web, database or sibling package."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys, pathlib, pkgutil, importlib, scoring
for info in pkgutil.walk_packages(scoring.__path__, "scoring."):
    importlib.import_module(info.name)
root = pathlib.Path.cwd().resolve()
local = sorted(name for name, mod in list(sys.modules.items())
               if getattr(mod, "__file__", None) and root in pathlib.Path(mod.__file__).resolve().parents
               and ".venv" not in pathlib.Path(mod.__file__).parts)
print("\\n".join(local))
print("FLASK" if "flask" in sys.modules or "sqlalchemy" in sys.modules else "")
"""


def test_importing_scoring_loads_nothing_else_of_the_app():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    modules = [line for line in out.splitlines() if line]
    assert "FLASK" not in modules
    assert modules and all(name == "scoring" or name.startswith("scoring.") for name in modules), modules
