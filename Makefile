# The two commands of the README: `make run` and `make test`. Both install what they
# need into .venv (with uv, from the pinned requirements) on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
REQS := requirements/tools.txt requirements/base.txt requirements/dev.txt
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint messages messages-update bench worker beat check-deploy clean

$(STAMP): $(REQS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	$(BIN)/uv pip sync --quiet --python $(BIN)/python $(REQS)
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogs: Django's compilemessages where GNU gettext is present, else polib.
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; \
	else $(BIN)/python scripts/compile_messages.py; fi

# The demo's people and contracts are seeded before the server starts (seconds); its six
# months of tickets and invoices, then its PDFs, in a low-priority background process
# that prints a summary when done (demo/management/commands/seed_demo.py).
run: install messages
	@$(BIN)/python manage.py migrate --noinput -v0
	@$(BIN)/python manage.py seed_demo --background --url http://$(HOST):$(PORT)/
	@$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_catalogs.py
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

test: install messages lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install messages
	$(BIN)/python bench/sla_bench.py
	$(BIN)/python bench/billing_bench.py
	$(BIN)/python bench/contracts_bench.py
	$(BIN)/python bench/tickets_bench.py

worker: install
	$(BIN)/celery -A portal worker -l info

beat: install
	$(BIN)/celery -A portal beat -l info

# The production settings must pass Django's deployment checks.
check-deploy: install
	PORTAL_ENV=production SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=portal.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles

# Re-extract translatable strings (needs GNU gettext); then translate locale/fr by hand.
messages-update: install
	$(BIN)/python scripts/update_catalogs.py
