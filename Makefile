# Two commands work on a fresh machine with Python 3.11 and make:
#   make book   build the site in _build/html (creates .venv, installs everything)
#   make test   run every test: lint, unit tests, pairing, nbval (strict), -W book build
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard book/[0-9][0-9]_*.md)

.PHONY: env book test lint notebooks format-chapters bench time-chapters lab clean pdf test-site vendor-mathjax

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml etc/ipython/ipython_kernel_config.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	# Kernel configuration (drops ipykernel's plain-TCP notice): see the file.
	mkdir -p $(VENV)/etc/ipython && cp etc/ipython/ipython_kernel_config.py $(VENV)/etc/ipython/
	# Build matplotlib's font cache now, so no notebook prints the one-time notice.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	# Jupyter servers of this environment (make lab, .venv/bin/jupyter lab) give their
	# kernels CurveZMQ keys: encrypted, so no "Kernel is running over TCP without
	# encryption" warning in the student's terminal.
	mkdir -p $(VENV)/etc/jupyter
	echo '{"MappingKernelManager": {"transport_encryption": "auto"}}' \
	  > $(VENV)/etc/jupyter/jupyter_server_config.json
	touch $(STAMP)

# -q: only warnings and errors (each one fails the build under -W).
book: $(STAMP)
	$(BIN)/python scripts/cache_notebooks.py
	$(BIN)/jupyter-book build . --all -W -n --keep-going -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lossrecipe tests benchmarks
	$(BIN)/mypy
	# The chapters' code: undefined names, unused imports and the like, lines <= 88.
	$(BIN)/ruff check notebooks --isolated --no-cache --line-length 88 --select E,F,W --ignore E402,E731,E741

# Unit tests, the book/notebook pairing check, and nbval in strict mode on every
# notebook (each output must reproduce), in one pytest run; then the -W book build.
test: lint
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --ignore=tests/site
	$(MAKE) book
	$(MAKE) test-site

# The built site in headless Chromium (tests/site/): needs _build/html (make book) and
# the PDF (make pdf); without Chromium they skip: apt-get install chromium poppler-utils.
test-site: pdf
	$(BIN)/python -m pytest tests/site

# The whole book as one PDF, rendered math and figures, no TeX: the singlehtml build
# (outputs from the notebook cache, as in `make book`) printed by Chromium.
PDF := _build/pdf/loss-functions.pdf
pdf: $(STAMP)
	$(BIN)/python scripts/cache_notebooks.py
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going -q
	$(BIN)/python scripts/print_pdf.py _build/singlehtml $(PDF)

# Re-fetch MathJax from npm (pinned version and checksum) into book/_extra/_static/mathjax.
vendor-mathjax:
	$(PYTHON) scripts/vendor_mathjax.py

# Write the student edition of each chapter, notebooks/NN_name.ipynb (plain markdown, no
# MyST; scripts/student_edition.py), and execute it, so its outputs are current.
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
