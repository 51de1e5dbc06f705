"""The lint checks, one module each, named for its ID (`promql/rate-range`:
promql_rate_range.py): adding a module registers a check (lint.checks finds them). Each
declares ID, SEVERITY (its default), SCOPES (what one call looks at; `check` serves the first,
`check_<scope>` the others), AUDIENCE and HINT, and its docstring says what it wants, with a
bad and a good example; its check yields (place, message), never its ID nor its severity."""
