"""In CI the cross-checks must run, not skip: their reference implementations must be installed.

Locally each cross-check skips with its reason when its reference is missing; `.ci/run`
installs them all, and this test fails CI if one of them did not arrive.
"""

import importlib
import os

import pytest

REFERENCES = ["torch", "lion_pytorch", "schedulefree"]


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI must have every reference")
@pytest.mark.parametrize("module", REFERENCES)
def test_reference_implementation_is_installed(module):
    importlib.import_module(module)
