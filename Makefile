# Two commands work on a fresh machine with Python 3.11 and make:
#   make book   build the site in _build/html (creates .venv, installs everything)
#   make test   run every test: lint, unit tests, pairing, nbval (strict), -W book build
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard book/[0-9][0-9]_*.md)

.PHONY: env book test lint notebooks format-chapters bench time-chapters lab clean

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	# Build matplotlib's font cache now, so no notebook prints the one-time notice.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/python scripts/cache_notebooks.py
	$(BIN)/jupyter-book build . --all -W -n --keep-going

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lossrecipe tests benchmarks
	$(BIN)/mypy
	# The chapters' code: undefined names, unused imports and the like (not line length).
	$(BIN)/ruff check notebooks --isolated --no-cache --select E,F,W --ignore E402,E501,E731,E741

# Unit tests, the book/notebook pairing check, and nbval in strict mode on every
# notebook (each output must reproduce), in one pytest run; then the -W book build.
test: lint
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env
	$(MAKE) book

# Regenerate notebooks/ from book/ and execute them, so their outputs are current.
notebooks: $(STAMP)
	$(BIN)/python scripts/execute_chapter.py $(CHAPTERS)

# ruff format (line length 88) on the chapters' code cells, in place in book/*.md.
format-chapters: $(STAMP)
	$(BIN)/python scripts/format_chapters.py $(CHAPTERS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py

time-chapters: $(STAMP)
	$(BIN)/python benchmarks/time_chapters.py

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build
