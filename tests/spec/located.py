"""A spec's errors as the CLI prints them, without the file name."""

import pytest

from stackgen.spec import SpecErrors, load_stack
from tests.helpers import write


def errors_of(tmp_path, text) -> list[str]:
    spec = write(tmp_path, "spec.yml", text)
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec)
    return [str(e).removeprefix(f"{spec}:") for e in caught.value.errors]
