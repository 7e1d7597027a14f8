"""The lesson notebooks that come with wengert, and copying them for a student.

The notebooks live once in the repository, in ``docs/notebooks/``.  The
package directory ``wengert/notebooks`` is a link to it, so an editable
install reads them in place and a regular install ships them as package data
(``pyproject.toml``: ``package-data``).  Where the link did not survive (a
checkout without symbolic links) the repository's ``docs/notebooks`` is used.

    wengert demo --notebook DIR        # copy them into DIR, then: jupyter lab DIR
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

SUFFIX = ".ipynb"


def _candidates() -> list[Traversable]:
    here = Path(__file__).resolve().parent
    return [resources.files("wengert").joinpath("notebooks"),
            here.parent.parent / "docs" / "notebooks"]  # a source checkout: src/wengert/..


def notebook_files() -> list[Traversable]:
    """The lesson notebooks in order (``01-…`` to ``05-…``)."""
    for place in _candidates():
        try:
            found = [f for f in place.iterdir() if f.name.endswith(SUFFIX) and f.is_file()]
        except (FileNotFoundError, NotADirectoryError):
            continue
        if found:
            return sorted(found, key=lambda f: f.name)
    raise FileNotFoundError("wengert's lesson notebooks are not in this installation "
                            "(looked for wengert/notebooks/*.ipynb); reinstall wengert, or "
                            "take them from the repository's docs/notebooks/")


def copy_notebooks(dest: str | os.PathLike) -> list[tuple[Path, bool]]:
    """Copy the notebooks into ``dest`` (created if needed).

    A notebook already there is left alone, so a student's edits survive a
    second copy.  Returns ``(path, copied)`` for every notebook.
    """
    out = Path(dest)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a directory; pass a directory "
                                 f"for the notebooks")
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for f in notebook_files():
        target = out / f.name
        if target.exists():
            done.append((target, False))
            continue
        target.write_bytes(f.read_bytes())
        done.append((target, True))
    return done
