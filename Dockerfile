# Serves Jejaring on the embedded SQLite database kept in the /app/var volume.
#   docker build -t jejaring .
#   docker run -p 8000:8000 -v jejaring-var:/app/var -e JEJARING_SECRET_KEY=... jejaring
# Set JEJARING_DEMO=1 to load the synthetic demo data set on start: the container then runs as a
# demonstration (JEJARING_ENVIRONMENT=development: demo sign-ins, API docs), never for real data;
# production refuses the demo and its published passwords.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    JEJARING_ENVIRONMENT=production DATABASE_URL=sqlite:////app/var/jejaring.db

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
# The locked versions first (a layer that changes only when the lock does), then the project.
RUN pip install -r requirements.lock
COPY service ./service
COPY models ./models
COPY mapping ./mapping
COPY seeds ./seeds
# The text ships compiled: the gettext catalogues (.po) become the .mo files `pip install .` packs.
RUN pybabel compile --directory service/locale --domain messages --statistics \
    && pybabel compile --directory mapping/locale --domain mapping --statistics \
    && pip install --no-deps . && useradd --create-home --uid 10001 jejaring && mkdir -p /app/var && chown jejaring /app/var

USER jejaring
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "jejaring db upgrade && jejaring seed regions && if [ \"${JEJARING_DEMO:-0}\" = 1 ]; then export JEJARING_ENVIRONMENT=development && jejaring seed demo; fi && jejaring serve --host 0.0.0.0 --port 8000"]
