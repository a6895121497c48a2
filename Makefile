# The two set-up commands of the README: `make demo` and `make test`. Both build what they need.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# What `make test` needs (requirements-dev.txt), and what the demo needs (requirements.txt only).
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEMO_API_KEY ?= sk_us_demo0000000000000000000000000000000000
PORT ?= 8000
export DJANGO_DEBUG ?= true

.PHONY: demo test lint browser redis bench messages

# Debian packages the project needs, installed where missing (as root, or through sudo).
APT_INSTALL = SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

$(RUNTIME_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { $(APT_INSTALL) chromium >/dev/null; }

# Debian's Redis: production processes share their cache through it (tests/processes.py).
redis:
	@command -v redis-server >/dev/null || { $(APT_INSTALL) redis-server >/dev/null; }

# Compiled translations (the .mo files are committed too; this rebuilds them from the .po).
messages: $(RUNTIME_STAMP)
	@command -v msgfmt >/dev/null || { $(APT_INSTALL) gettext >/dev/null; }
	$(PY) manage.py compilemessages -v0 --ignore=.venv

# The widget and OAuth redirects live where the demo runs, on any PORT.
demo: export LINK_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
demo: $(RUNTIME_STAMP) messages
	$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py seed_demo --api-key $(DEMO_API_KEY) | $(PY) -c "import json, sys; \
	d=json.load(sys.stdin); \
	print('\nLink demo: http://127.0.0.1:$(PORT)/demo/  (connect in full page, popup or iframe)\n' \
	'  API docs:      http://127.0.0.1:$(PORT)/docs\n' \
	'  Console:       http://127.0.0.1:$(PORT)/admin/  (' + d['admin_username'] + ' / ' + d['admin_password'] + ')\n' \
	'  API key:       ' + d['api_key'] + '\n' \
	'  Sandbox login: user_good / pass_good (MFA: user_mfa / pass_good, code 123456)\n')"
	@# The task worker (webhooks, token refresh) runs beside the server. Ctrl-C, or a SIGTERM
	@# to make (which make passes on to this shell), stops both: the shell waits in `wait`,
	@# where a signal's trap runs at once.
	@$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT) & server=$$!; \
	trap 'kill $$worker $$server 2>/dev/null; wait' INT TERM EXIT; \
	wait $$server

# One pytest worker per core, at most four.
test: $(STAMP) browser redis messages
	$(PY) -m pytest --numprocesses auto --maxprocesses 4 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Throughput, latency and SQL per request on gunicorn + a throwaway PostgreSQL (see BENCHMARKS.md).
bench: $(STAMP) browser
	@test -x /usr/lib/postgresql/15/bin/initdb || { $(APT_INSTALL) postgresql-15 >/dev/null; }
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/data.py
