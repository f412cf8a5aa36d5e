# Two commands work on a fresh machine with Python 3.11 and make:
#   make book   build the site in _build/html (creates .venv, installs everything)
#   make check  run every test (what CI runs): make test, then the wheel installed in a
#               fresh environment, DDP on two processes, the assignment edition with
#               otter, the PDF and the browser tests of the site, the JupyterLab test
#               (on generic kernels, outputs compared)
# and the author loop, about 150 s with .venv in place:
#   make test   lint, unit tests, book checks, claims, nbval (strict) and the -W build
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard book/[0-9][0-9]_*.md)

.PHONY: env book test check test-suite test-install lint notebooks format-chapters bench time-chapters timings lab clean pdf test-site test-lab test-portable test-ddp vendor-mathjax assignments test-assignments grade-assignments

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml etc/ipython/ipython_kernel_config.py \
  etc/jupyterlab/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	# Kernel configuration (drops ipykernel's plain-TCP notice): see the file.
	mkdir -p $(VENV)/etc/ipython && cp etc/ipython/ipython_kernel_config.py $(VENV)/etc/ipython/
	# Build matplotlib's font cache now, so no notebook prints the one-time notice.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	# Jupyter servers of this environment (make lab, .venv/bin/jupyter lab) give their
	# kernels CurveZMQ keys: encrypted, so no "Kernel is running over TCP without
	# encryption" warning in the student's terminal.
	# JupyterLab's defaults for this environment: no "Would you like to get notified about
	# official Jupyter news?" prompt at the first launch, and no update check (it would ask
	# a website); a student can still turn both on in Settings > Notifications.
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp etc/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/
	mkdir -p $(VENV)/etc/jupyter
	echo '{"MappingKernelManager": {"transport_encryption": "auto"}}' \
	  > $(VENV)/etc/jupyter/jupyter_server_config.json
	# mypy's cache (mostly torch's types) lives with the packages it describes; filling
	# it here keeps `make lint` at a few seconds (its verdict is make lint's business).
	$(BIN)/mypy --cache-dir $(VENV)/mypy_cache > /dev/null || true
	touch $(STAMP)

# -q: only warnings and errors (each one fails the build under -W).
book: $(STAMP)
	$(BIN)/python scripts/cache_notebooks.py
	$(BIN)/jupyter-book build . --all -W -n --keep-going -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lossrecipe tests benchmarks scripts examples
	$(BIN)/mypy --cache-dir $(VENV)/mypy_cache
	# The chapters' code cells formatted as `make format-chapters` writes them.
	$(BIN)/python scripts/format_chapters.py --check
	# The chapters' code: undefined names, unused imports and the like, lines <= 88.
	$(BIN)/ruff check notebooks --isolated --no-cache --line-length 88 --select E,F,W --ignore E402,E731,E741

# The author loop, on both cores: lint, one pytest run (pytest-xdist, one notebook or
# module per worker) with the unit tests, the book checks (pairing, label coverage), the
# claims test (seeds 0-9) and nbval in strict mode on every notebook, and the -W site
# build, side by side. The build reads the same committed notebooks that nbval
# re-executes and compares, so either failing fails `make test` (CONTRIBUTING.md, "How
# the book is checked").
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile
test: $(STAMP)
	$(MAKE) --no-print-directory -j3 lint test-suite book

test-suite: $(STAMP)
	$(PYTEST) tests notebooks --nbval --nbval-current-env --ignore=tests/site --ignore=tests/lab \
	  --ignore=tests/install --ignore=tests/test_ddp.py --ignore=tests/assignments

# Every test, what CI runs (.ci/run): the author loop, then the package as a user installs
# it, DistributedDataParallel on two processes, the assignment edition with otter, the
# PDF and the browser tests of the site, and the JupyterLab test of the student notebooks
# (run on PyTorch's generic kernels, every output compared with the committed one: the
# outputs must not depend on the CPU) and of one assignment.
# The JupyterLab and browser suites use no torch in their test processes: --confcutdir
# starts them at their own folder's conftest.py, so none of pytest's three processes
# (-n 2) imports the unit tests' tests/conftest.py (torch, matplotlib): about 9 CPU-s
# less per suite.
# The slower suites run two at a time, the two longest first (JupyterLab; the PDF, then
# the browser tests, as one job), so that one suite's waits (a pip install, process
# start-up, a browser waiting for a page) overlap another's work, and the short suites
# then fill the browser tests' tail; more at once only slows them down (each already
# runs on both cores).  --output-sync keeps each suite's output together.
check: test
	$(MAKE) --no-print-directory -j2 --output-sync=target \
	  test-lab test-site test-assignments test-install test-ddp

# The wheel and sdist (python -m build), the wheel installed in a fresh environment and
# used from outside the repository, and the notebooks' install cell run against a local
# git+file:// copy (tests/install/): what an editable install cannot show.
test-install: $(STAMP)
	$(BIN)/python -m pytest tests/install

# nbval strict with the generic (no-SIMD) kernels, the closest stand-in here for an ARM
# laptop: every printed number must come out the same as with this machine's own kernels.
# For authors (about a minute); make check compares the same outputs on the same kernels
# in JupyterLab (tests/lab), so it does not run this twice.
test-portable: $(STAMP)
	ATEN_CPU_CAPABILITY=default $(PYTEST) notebooks --nbval --nbval-current-env

# examples/ddp_training.py on two CPU processes (gloo) against one process on the whole
# batch (tests/test_ddp.py): three Python processes each importing torch, so not in the
# author loop.
test-ddp: $(STAMP)
	$(BIN)/python -m pytest tests/test_ddp.py

# The assignment edition with otter (tests/assignments/): every question's reference
# solution passes, its stub and planted mistakes fail; every assignment is what otter
# assign makes of its chapter now; one runs blank with no error (ASSIGNMENT_BLANK_RUNS=all:
# every one); a folder of submissions is graded into a CSV.
test-assignments: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests/assignments

# The student notebooks and one assignment in a real JupyterLab (tests/lab/): Run All.
# Two workers, each with its own JupyterLab server and browser, share the notebooks.
test-lab: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests/lab --confcutdir=tests/lab

# The built site in headless Chromium (tests/site/): needs _build/html (make book); the
# PDF is made first (make pdf); without Chromium they skip: apt-get install chromium
# poppler-utils.
# Two workers, one test file at a time each, except the page visits (test_pages.py: each
# page loaded once for all its checks), which the two share, every other page each
# (tests/site/conftest.py: pytest_xdist_make_scheduler).
test-site: $(STAMP)
	$(MAKE) --no-print-directory pdf
	$(BIN)/python -m pytest -n 2 tests/site --confcutdir=tests/site

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

# Write the assignment edition of each chapter that has graded questions
# (questions/NN_name.py), assignments/NN_name.ipynb, with otter assign, which first runs
# every test against the reference solutions (scripts/assignment_edition.py).
assignments: $(STAMP)
	$(BIN)/python scripts/assignment_edition.py $(CHAPTERS)

# For teachers: grade a folder of submitted assignment notebooks into a CSV of scores,
# offline and without Docker: make grade-assignments SUBMISSIONS=path/to/folder
# [GRADES=grades.csv] (default: SUBMISSIONS/grades.csv). Submissions run as code.
grade-assignments: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-assignments SUBMISSIONS=folder [GRADES=file.csv]"; exit 2; }
	$(BIN)/python scripts/grade_assignments.py "$(SUBMISSIONS)" $(if $(GRADES),--output "$(GRADES)")

# ruff format (line length 88) on the chapters' code cells, in place in book/*.md.
format-chapters: $(STAMP)
	$(BIN)/python scripts/format_chapters.py $(CHAPTERS)

# make bench DEVICE=cuda times on a GPU (CUDA events, compiled row); BENCH_ARGS adds
# options of benchmarks/bench_losses.py, e.g. BENCH_ARGS="--n 100000000 --repeats 30".
DEVICE ?= cpu
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py --device $(DEVICE) $(BENCH_ARGS)

time-chapters: $(STAMP)
	$(BIN)/python benchmarks/time_chapters.py

# Wall time of the author loop: a cold `make book`, `make test` and each chapter, three
# runs each (min, median, max).  Takes a while; run it on an otherwise idle machine.
timings: $(STAMP)
	$(BIN)/python benchmarks/time_loop.py --runs 3

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build
