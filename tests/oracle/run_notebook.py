"""Runs a notebook's code cells in order in one IPython shell, as Jupyter
does (magics and shell escapes included), printing what the cells print.
Exits non-zero at the first cell that raises.

    python tests/oracle/run_notebook.py NOTEBOOK.ipynb
"""

import sys

import nbformat
from IPython.core.interactiveshell import InteractiveShell


def main(path: str) -> int:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    shell = InteractiveShell.instance()
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        result = shell.run_cell(cell.source, store_history=True)
        if not result.success:
            print(f"run_notebook: cell {number} raised", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
