# Gradscape in a container: `docker build -t gradscape .` then `docker run -p 8000:8000 gradscape`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A non-root user runs the app.
RUN useradd --create-home --uid 10001 gradscape
WORKDIR /home/gradscape/src

# Only what runs the app: the package, its pages and its static files (see .dockerignore).
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip install . && rm -rf /home/gradscape/src

USER 10001
WORKDIR /home/gradscape
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
CMD ["gradscape", "--host", "0.0.0.0", "--port", "8000"]
