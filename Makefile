# Descent: two commands.
#   make book   build the HTML book into _build/html, and the PDF first when TeX is here
#   make test   lint, install the system packages the tests need (Chromium, TeX, npm),
#               build the book and the PDF, then run every test (package, book, Binder,
#               site, PDF)
# Both create .venv from requirements.lock when it is missing or older than the lock
# (`make lock` rewrites the lock after a change to the dependencies in pyproject.toml).
# System packages come from .ci/system-packages: apt-get as root or through sudo, or, where
# neither works, a message with the exact command to run.

PYTHON ?= python3
SYSTEM_PACKAGES := .ci/system-packages
SPHINX_FLAGS := --warningiserror --nitpick --keep-going
# Debian packages the tests need besides TeX and npm: the browser and a PDF reader.
TEST_PACKAGES := chromium poppler-utils
# Debian packages the PDF needs.
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

# Sphinx copies book/_static only when some page is out of date; a changed stylesheet,
# script, template or site extension alone must therefore make every page out of date
# (outputs stay cached).
SITE_ASSETS := $(shell find book/_static book/_templates book/_ext -type f \
	-not -path '*/node_modules/*' -not -path '*/__pycache__/*')

# KaTeX (npm), with which the build renders the book's math to HTML
# (book/_ext/katex_math.py): the pages then need no script to show their math.
KATEX := book/_ext/node_modules/katex/package.json
ASSETS_STAMP := _build/.assets-current

.PHONY: book test test-package lint system-packages pdf lock clean venv print-tex-packages FORCE
# book and pdf share _build/: never build them at the same time.
.NOTPARALLEL:

venv: $(STAMP)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Descent needs Python 3.11 or newer")'
	@$(PYTHON) -c 'import ensurepip' 2> /dev/null || $(SYSTEM_PACKAGES) python3-venv
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

# With TeX the PDF is built first, so that the HTML pages link to it (book/_ext/book_pdf.py);
# without TeX they link to the published PDF.
$(KATEX): book/_ext/package.json book/_ext/package-lock.json
	@command -v npm > /dev/null || $(SYSTEM_PACKAGES) nodejs npm
	npm ci --prefix book/_ext --no-audit --no-fund --loglevel=error
	touch $@

book: $(STAMP) $(EXECUTION_STAMP) $(ASSETS_STAMP) $(KATEX)
	@if command -v xelatex > /dev/null && command -v latexmk > /dev/null; then \
		$(BIN)/jupyter-book build . --builder pdflatex $(SPHINX_FLAGS); \
	else \
		echo "make book: no TeX here, so no local PDF; the pages link to the published one."; \
		echo "           (make pdf installs TeX and builds it.)"; \
	fi
	$(BIN)/jupyter-book build . $(SPHINX_FLAGS)

# The PDF, installing TeX first when it is missing; also copied to _build/html/descent.pdf.
pdf: $(STAMP) $(EXECUTION_STAMP) $(ASSETS_STAMP) $(KATEX)
	$(SYSTEM_PACKAGES) $(TEX_PACKAGES)
	$(MAKE) --no-print-directory book

# axe-core, the accessibility checker the site tests inject into each page, and Lighthouse,
# which benchmarks/lighthouse.py runs (npm registry).
AXE := tests/site/node_modules/axe-core/axe.min.js
$(AXE): tests/site/package.json tests/site/package-lock.json
	npm ci --prefix tests/site --no-audit --no-fund --loglevel=error
	touch $@

# Lint first: seconds, before minutes of building.
test: lint system-packages book $(AXE)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks book/_ext
	$(BIN)/ruff format --check src tests benchmarks book/_ext

# npm (for axe-core) may come with a Node.js that is not Debian's: then it is not asked for.
system-packages:
	@command -v npm > /dev/null || $(SYSTEM_PACKAGES) nodejs npm
	@$(SYSTEM_PACKAGES) $(TEST_PACKAGES) $(TEX_PACKAGES)

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
