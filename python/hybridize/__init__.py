"""The `hybridize` command-line tool, installed as an executable; see `python -m hybridize --help`."""
