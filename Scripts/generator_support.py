"""What the generators of committed Swift digests share: reading the contract files with errors
that name the place, and the raw-string delimiters the digests are written between.

Python 3 standard library only; imported by the Scripts/generate-*.py beside it.
"""

import json

SWIFT_STRING_DELIMITER = '##"""'
SWIFT_STRING_END = '"""##'


def load_json(path, error):
    """The JSON document at `path`; a missing file or a syntax error raises `error` naming the
    file (and the line and column)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise error(f"{path}: no such file")
    except json.JSONDecodeError as decode_error:
        raise error(f"{path}: line {decode_error.lineno}, column {decode_error.colno}: {decode_error.msg}")
