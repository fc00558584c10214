# Descent: two commands.
#   make book   build the HTML book into _build/html
#   make test   build the book and run every test (package, book, Binder, site)
# Both create .venv from requirements.lock when it is missing or older than the lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock

# Everything the executed chapters depend on besides their own code cells. When it
# changes, cached notebook outputs are stale: the build then re-executes every chapter.
DESCENT_HASH = $(shell cat requirements.lock $$(find src -name '*.py' | sort) | sha256sum | cut -c1-16)

.PHONY: book test test-package pdf lock clean venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Descent needs Python 3.11 or newer")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (descent)" > /dev/null
	touch $@

book: $(STAMP)
	@if [ "$$(cat _build/.descent-hash 2>/dev/null)" != "$(DESCENT_HASH)" ]; then \
		echo "src/ or the lock changed since the last build: re-executing every chapter"; \
		rm -rf _build/.jupyter_cache _build/.doctrees _build/html _build/jupyter_execute; \
	fi
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "$(DESCENT_HASH)" > _build/.descent-hash

test: book
	$(BIN)/python -m pytest

# The package's own tests only (no book build): quick feedback while editing src/.
test-package: $(STAMP)
	$(BIN)/python -m pytest tests/package src/descent

lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra book --extra binder --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf _build
