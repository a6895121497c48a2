"""The old SDKs, Vital's React hook and the vendors' own clients (tests/providers/witness), each
in a throwaway virtualenv or node_modules of its own (they pin old dependencies), built once per
pinned set in a cache directory that later runs reuse (CI runs the suite twice) and a lock
shares between concurrent runs (pytest-xdist's workers)."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(
    os.environ.get("LINK_CLIENTS_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "link-clients"
)


def _cached(name: str, pins: list[Path], build: Callable[[Path], None]) -> Path:
    digest = hashlib.sha256()
    for pin in pins:
        digest.update(pin.read_bytes())
    target = CACHE / f"{name}-{digest.hexdigest()[:16]}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            build(target)
            (target / ".complete").touch()
    return target


def _run(*command, **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")


def virtualenv(name: str, requirements: Path) -> Path:
    """The Python of a virtualenv holding what `requirements` pins."""

    def build(venv: Path) -> None:
        _run(sys.executable, "-m", "venv", venv)
        pip = (venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "-q")
        _run(*pip, "install", "-r", requirements)

    python = "py{}{}".format(*sys.version_info[:2])
    return _cached(f"{name}-{python}", [requirements], build) / "bin" / "python"


def python_sdk(version: str) -> Path:
    """The Python of a virtualenv holding PyPI `vital` at `version`."""
    return virtualenv(f"vital-{version}", HERE / "requirements" / f"vital-{version}.txt")


def npm_modules(folder: str) -> Path:
    """The node_modules that tests/clients/<folder>'s package.json and lock pin: npm
    `@tryvital/vital-node` 1.x in `node`, Vital's React hook and esbuild in `hook`."""
    pins = [HERE / folder / "package.json", HERE / folder / "package-lock.json"]

    def build(target: Path) -> None:
        target.mkdir()
        for pin in pins:
            shutil.copy(pin, target)
        npm_cache = CACHE / "npm"
        _run("npm", "ci", "--no-audit", "--no-fund", "--cache", npm_cache, cwd=target)

    return _cached(f"npm-{folder}", pins, build) / "node_modules"
