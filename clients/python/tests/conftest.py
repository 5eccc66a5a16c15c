import pathlib
import sys

# Run from a checkout without installing: tests import the package from src/.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
