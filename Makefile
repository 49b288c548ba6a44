# Two commands on a fresh machine: `make demo` and `make test`. Each creates the virtualenv and
# installs the pinned dependencies first (only when requirements change).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.paperkg-installed
STORE ?= paperkg-store
SHARED ?= ../shared

.PHONY: demo test lint typecheck unit test-tools eval bench bench-detail docs-images clean

$(STAMP): requirements/pinned.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "paperkg needs Python 3.11 or newer (set PYTHON=...)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/pinned.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/paperkg --store $(STORE) build seeds/
	$(BIN)/paperkg --store $(STORE) validate
	@echo
	@echo "Which drugs were tried for fibromyalgia?"
	$(BIN)/paperkg --store $(STORE) query drugs-tried-for --param condition=fibromyalgia \
		--format table
	@echo
	@echo "What did the original record (Moser 2025, a case report) find?"
	$(BIN)/paperkg --store $(STORE) query paper-findings --param paper=10.7759/cureus.83824 \
		--format tsv | cut -f1-4
	@echo
	@echo "The same question as a picture and an offline explorer (open out/fibromyalgia.html):"
	mkdir -p out
	$(BIN)/paperkg --store $(STORE) viz --focus fibromyalgia \
		-o out/fibromyalgia.html -o out/fibromyalgia.png -o out/fibromyalgia.graphml

# Extraction quality, beside the all-linked-pairs baseline and with errors by class: the public
# records (targets enforced: exit 1 when missed), the development set (rules are tuned on it) and
# the blind sets of real papers (never tuned on; their targets are reported, not enforced):
# blind judged the rules written after its commit, blind2, blind3 and blind4 those written after
# their own (blind3 was measured, never read, while the results in the graph were built; blind4
# unseen since its commit); blind5 (32 real papers of many fields, written 2026-12-06) judges
# the rule round after it; blind6 (25 real papers) judged the next round once; blind7 (25 real
# papers) and blind8 (22) judge the round after theirs, and so does the jats set (30 PMC full
# texts of ../shared/corpora/pmc-jats, read in place); blind9 (25) and blind10 (32 real papers,
# written 2026-12-07) and blind11 (32) judged the round of 2026-12-07 once (and decided which
# of its changes shipped: they are no longer unseen for a later round); blind12 (32 real papers,
# committed after that round) and blind13 (30, committed before the next) judged the next round
# once: one change moved blind13 (salt names, 0.640 -> 0.658), every change shipped on the read
# sets' evidence, so they chose nothing and judge the round after it with blind14 (32 real
# papers, committed unread) and blind15 (32, committed before that round, 2026-12-07); the
# round of blind12-15 read blind9, blind10 and blind11 (now development data, and the pair
# model's training data with the other read sets); blind16 (32, committed unread) and blind17
# (32, committed before the round it judges, 2026-12-07) judged the next round, whose rules
# were written on every other read set (blind4, blind5, blind8, blind12-15 read from then on);
# both judge the round after it too. blind4, blind5, blind8 and part of blind7 had their
# record-level errors printed once after an earlier round's choices. dev2 and dev3 (30 and
# 28 real papers of many fields, written like the blind sets) are development data. Then the results reader on
# the Evidence Inference corpus (validation split; target macro-F1 0.75, reported, not enforced). Blind
# errors are counted by class only: listing them record by record invites tuning on them.
BLIND_TARGETS := --target pair_f1=0.92 --target design_accuracy=0.9 --target dose_recall=0.9
PUBLIC_TARGETS := --target pair_f1=0.95 --target outcome_accuracy=0.9 --target design_accuracy=0.9
FIBROMYALGIA := --answer fibromyalgia_drugs=MONDO:0005546
eval: $(STAMP)
	@echo "== public records ($(SHARED)/records)"
	$(BIN)/paperkg eval --no-errors $(SHARED)/records $(SHARED)/records/ground_truth.json \
		$(PUBLIC_TARGETS) $(FIBROMYALGIA)
	@echo; echo "== development set (tests/data/eval/dev)"
	@$(BIN)/paperkg eval --no-errors tests/data/eval/dev tests/data/eval/dev/ground_truth.json \
		$(FIBROMYALGIA) || true
	@for set in dev2 dev3; do \
		echo; echo "== development set (tests/data/eval/$$set)"; \
		$(BIN)/paperkg eval --no-errors tests/data/eval/$$set \
			tests/data/eval/$$set/ground_truth.json $(BLIND_TARGETS) || true; \
	done
	@for set in blind blind2 blind3 blind4 blind5 blind6 blind7 blind8 blind9 blind10 blind11 blind12 blind13 blind14 blind15 blind16 blind17 blind18 blind19 blind20 blind21 blind22 blind23 blind24 blind25 blind26 blind27; do \
		if [ -f tests/data/eval/$$set/ground_truth.json ]; then \
			echo; echo "== $$set set (tests/data/eval/$$set)"; \
			$(BIN)/paperkg eval --no-errors tests/data/eval/$$set \
				tests/data/eval/$$set/ground_truth.json $(BLIND_TARGETS) || true; \
		fi; \
	done
	@echo; echo "== jats set (tests/data/eval/jats: PMC full texts in $(SHARED)/corpora/pmc-jats)"
	@$(BIN)/paperkg eval --no-errors $(SHARED)/corpora/pmc-jats tests/data/eval/jats/ground_truth.json \
		$(BLIND_TARGETS) || true
	@echo; echo "== results reader ($(SHARED)/corpora/evidence-inference)"
	@$(BIN)/python tools/eval_inference.py $(SHARED)/corpora/evidence-inference --target 0.75 || true

# The pictures in README.md and docs/: the fibromyalgia neighbourhood as PNG, SVG and HTML, a
# screenshot of the HTML explorer in headless Chromium with one edge's evidence open, and one of
# the query page of `paperkg serve` with drugs-tried-for run for fibromyalgia.
DOCS_STORE := build/docs-store
CHROMIUM ?= $(or $(PAPERKG_CHROMIUM),$(shell command -v chromium || command -v chromium-browser))
docs-images: $(STAMP) test-tools
	rm -rf $(DOCS_STORE) && mkdir -p docs/img
	$(BIN)/paperkg -q --store $(DOCS_STORE) build seeds/
	$(BIN)/paperkg --store $(DOCS_STORE) viz --focus fibromyalgia --depth 1 \
		-o docs/img/fibromyalgia.png -o docs/img/fibromyalgia.svg -o docs/img/fibromyalgia.html
	$(BIN)/python tools/explorer_screenshot.py docs/img/fibromyalgia.html --chromium $(CHROMIUM) \
		--fragment select=naltrexone--fibromyalgia --size 1400,860 -o docs/img/explorer.png
	$(BIN)/python tools/sparql_page_screenshot.py --store $(DOCS_STORE) --chromium $(CHROMIUM) \
		-o docs/img/sparql-page.png

# Speed and memory at scale, as ratios to baselines measured in the same run (bench/README.md):
# make bench RECORDS=100000 [WORKERS=2]; a local Dask cluster of 2 workers builds too.
# bench-detail: more steps (rebuild, results reader, drawn views) on fewer records.
bench: $(STAMP)
	$(BIN)/python bench/bench_scale.py --records $${RECORDS:-1000} --workers $${WORKERS:-2} --dask

bench-detail: $(STAMP)
	$(BIN)/python bench/bench_build.py --records $${RECORDS:-2000}

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools fuzz
	$(BIN)/ruff format --check src tests bench tools fuzz

typecheck: $(STAMP)
	$(BIN)/mypy

# Beyond Python the tests need headless Chromium (the HTML explorer) and curl (the tutorial):
# installed here when missing; and the kgx command line (the KGX export), in its own venv.
test-tools:
	tools/install-test-tools.sh
	PYTHON=$(PYTHON) tools/install-kgx.sh

unit: $(STAMP) test-tools
	$(BIN)/python -m pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) $(STORE) dist build .pytest_cache .mypy_cache .ruff_cache
