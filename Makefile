# Talehouse: the two commands are `make demo` and `make test` (see README.md).
PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_LINK_MODE := copy

DEMO_ENV := TALEHOUSE_DEV=1 TALEHOUSE_INSECURE_HTTP=1 TALEHOUSE_READ_FLUSH_SECONDS=10 \
	TALEHOUSE_SITE_URL=http://127.0.0.1:$(PORT) TALEHOUSE_ALLOWED_HOSTS=127.0.0.1,localhost

.PHONY: demo test install chromium fonts lint bench profile clean

$(UV):
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

# Reproducible install from uv.lock (runtime and test groups).
install: $(UV)
	$(UV) sync --frozen --inexact --quiet

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Talehouse is at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py serve --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# PDF downloads of Chinese, Japanese or Korean text need fonts that cover it (formats/pdf.py).
fonts:
	@fc-list :lang=ja 2>/dev/null | grep -q . || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install chromium fonts node_modules/.installed
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	TALEHOUSE_DEV=1 $(VENV)/bin/mypy .
	TALEHOUSE_DEV=1 $(PY) manage.py makemigrations --check --dry-run

bench: install
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) -m bench.part_page

# Where the part page's time goes, stage by stage (docs/benchmarks.md).
profile: install
	$(PY) -m bench.profile_part

clean:
	rm -rf $(VENV) node_modules data
