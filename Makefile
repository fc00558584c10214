# Descent: two commands.
#   make book   build the HTML book into _build/html
#   make test   build the book and the PDF, then run every test (package, book, Binder,
#               site, PDF); needs Debian's chromium and TeX (.ci/run installs them)
# Both create .venv from requirements.lock when it is missing or older than the lock
# (`make lock` rewrites the lock after a change to the dependencies in pyproject.toml).

PYTHON ?= python3
# Debian packages the PDF needs (.ci/run installs them).
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-plain-generic texlive-lang-cjk latexmk lmodern fonts-freefont-otf fonts-nanum
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock

# Everything the executed chapters depend on besides their own code cells. When any of
# it is newer than the last build, cached notebook outputs may be stale, so the build
# forgets them and re-executes every chapter (they all import descent).
CHAPTER_DEPENDENCIES := $(sort $(shell find src -type f -not -path '*/__pycache__/*')) requirements.lock
EXECUTION_STAMP := _build/.executed-with-current-src
# The stamp lists the files it was made from; a deleted or added file outdates it too.
ifneq ($(strip $(file < $(EXECUTION_STAMP))),$(CHAPTER_DEPENDENCIES))
$(EXECUTION_STAMP): FORCE
endif

# Sphinx copies book/_static only when some page is out of date; a changed stylesheet or
# script alone must therefore make every page out of date (outputs stay cached).
SITE_ASSETS := $(shell find book/_static -type f)
ASSETS_STAMP := _build/.assets-current

.PHONY: book test test-package pdf lock clean venv print-tex-packages FORCE
# book and pdf share _build/: never build them at the same time.
.NOTPARALLEL:

venv: $(STAMP)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Descent needs Python 3.11 or newer")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (descent)" > /dev/null
	touch $@

$(EXECUTION_STAMP): $(CHAPTER_DEPENDENCIES)
	rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute _build/html _build/latex
	mkdir -p _build
	echo '$(CHAPTER_DEPENDENCIES)' > $@

$(ASSETS_STAMP): $(SITE_ASSETS)
	rm -rf _build/.doctrees
	mkdir -p _build
	touch $@

book: $(STAMP) $(EXECUTION_STAMP) $(ASSETS_STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# The PDF needs xelatex (see the README); it is also linked from the HTML site.
pdf: $(STAMP) $(EXECUTION_STAMP) $(ASSETS_STAMP)
	@command -v xelatex > /dev/null && command -v latexmk > /dev/null || { \
		echo "make pdf needs xelatex and latexmk; on Debian: sudo apt-get install $(TEX_PACKAGES)"; \
		exit 1; }
	$(BIN)/jupyter-book build . --builder pdflatex --warningiserror --nitpick --keep-going
	mkdir -p _build/html
	cp _build/latex/descent.pdf _build/html/descent.pdf

# axe-core, the accessibility checker the site tests inject into each page (npm registry).
AXE := tests/site/node_modules/axe-core/axe.min.js
$(AXE): tests/site/package.json tests/site/package-lock.json
	npm ci --prefix tests/site --no-audit --no-fund --loglevel=error
	touch $@

test: book pdf $(AXE)
	$(BIN)/ruff check src tests benchmarks book/_ext
	$(BIN)/ruff format --check src tests benchmarks book/_ext
	$(BIN)/python -m pytest

# The package's own tests only (no book build): quick feedback while editing src/.
test-package: $(STAMP)
	$(BIN)/python -m pytest tests/package src/descent

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra book --extra binder --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

print-tex-packages:
	@echo $(TEX_PACKAGES)

clean:
	rm -rf _build

FORCE:
