# The portal's image: one image for the web (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_ENV=production STATIC_ROOT=/app/var/staticfiles MEDIA_ROOT=/data/media

# WeasyPrint needs Pango/HarfBuzz and fonts; gettext compiles the catalogs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/tools.txt && uv pip install --system -r requirements/base.txt

COPY . .
# collectstatic and compilemessages need settings that start: a throwaway key at build time only.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))') ALLOWED_HOSTS=build \
    sh -c 'python manage.py compilemessages --ignore=.venv -v0 && python manage.py collectstatic --noinput -v0'

RUN useradd --create-home --uid 1000 portal && mkdir -p /data/media && chown -R portal /data /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "-c", "gunicorn.conf.py"]
