# One image for web, worker and beat. Debian's CJK fonts and Pango are for Chinese PDFs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic needs settings that import; the real secret comes at run time.
RUN SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_hex(40))") ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input
RUN useradd --system --uid 10001 tracker && chown -R tracker /app
USER tracker
EXPOSE 8000
# config/gunicorn.py: a deliberate timeout, workers from the CPUs, recycling with jitter.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
