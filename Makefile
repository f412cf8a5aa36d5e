# Two commands work on a fresh machine with Python 3.11 and make:
#   make book   build the site in _build/html (creates .venv, installs everything)
#   make test   run every test: lint, unit tests, pairing, nbval (strict), -W book build
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard book/[0-9][0-9]_*.md)

# Notebook outputs are compared digit for digit, and training amplifies last-bit
# differences between CPU kernels (AVX-512 and AVX2 round differently).  On x86-64,
# every command that executes chapters therefore uses the AVX2 kernels of PyTorch,
# MKL and oneDNN, which every current x86-64 CPU has.
ifeq ($(shell uname -m),x86_64)
RUN := ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2
endif

.PHONY: env book test lint notebooks bench time-chapters lab clean

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	# Build matplotlib's font cache now, so no notebook prints the one-time notice.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

book: $(STAMP)
	$(RUN) $(BIN)/jupyter-book build . --all -W -n --keep-going

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lossrecipe tests benchmarks
	$(BIN)/mypy
	# The chapters' code: undefined names, unused imports and the like (not line length).
	$(BIN)/ruff check notebooks --isolated --no-cache --select E,F,W --ignore E402,E501,E731,E741

# Unit tests, the book/notebook pairing check, and nbval in strict mode on every
# notebook (each output must reproduce), in one pytest run; then the -W book build.
test: lint
	$(RUN) $(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env
	$(MAKE) book

# Regenerate notebooks/ from book/ and execute them, so their outputs are current.
notebooks: $(STAMP)
	$(RUN) $(BIN)/python scripts/execute_chapter.py $(CHAPTERS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py

time-chapters: $(STAMP)
	$(RUN) $(BIN)/python benchmarks/time_chapters.py

lab: $(STAMP)
	$(RUN) $(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build
