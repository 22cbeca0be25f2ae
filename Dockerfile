# Sloth: a Slack bot service. Build: docker build -t sloth .   Run: docker run --env-file .env sloth
# (`sloth worker` for the job queue's workers; deploy/ runs both: compose.yaml and kubernetes/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SLOTH_DATA_DIR=/data \
    SLOTH_FILES_DIR=/files \
    SLOTH_HTTP_PORT=8080 \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYTHONPATH=/features

# /features: mount a folder of features there and name them in SLOTH_FEATURES (see the README).
RUN useradd --create-home --uid 10001 sloth && mkdir /data /files /features && chown sloth /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY bot ./bot
COPY handlers ./handlers
COPY sloth_bot ./sloth_bot
# The Slack emulator (for `sloth sandbox` and `sloth emulator`) is a distribution of its own.
RUN pip install ./emulator .

USER sloth
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SLOTH_HTTP_PORT', '8080'), timeout=4)"]
# Exec form, so SIGTERM reaches Sloth and it drains in-flight work before exiting.
CMD ["sloth", "run"]
