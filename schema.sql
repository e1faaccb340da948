-- docscrape storage schema (version 1). Applied at start-up when the file is new;
-- later changes are numbered migrations in src/storage/migrations.rs keyed on PRAGMA user_version.
-- Timestamps are ISO 8601 UTC strings in the API's format, so they sort and print without conversion.

CREATE TABLE sessions (
    id                   TEXT PRIMARY KEY,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    -- The spec's "latest scrape job" of a session; not a foreign key so that jobs can be
    -- inserted after the session row and cascade on their own.
    latest_scrape_job_id TEXT
);

CREATE TABLE jobs (
    id                   TEXT PRIMARY KEY,
    session_id           TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    type                 TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    created_at           TEXT NOT NULL,
    started_at           TEXT,
    updated_at           TEXT NOT NULL,
    finished_at          TEXT,
    -- The validated request as JSON, and a hash of its normalised form for cache reuse.
    input                TEXT NOT NULL,
    input_key            TEXT NOT NULL,
    stage                TEXT NOT NULL,
    message              TEXT NOT NULL,
    completed_iterations INTEGER NOT NULL DEFAULT 0,
    total_iterations     INTEGER NOT NULL,
    -- Set when progress last moved; the watchdog fails jobs that stop moving.
    progressed_at        TEXT NOT NULL,
    finish_reason        TEXT,
    -- Snapshot of the status "result" object, written once when the job finishes.
    result               TEXT
);
CREATE INDEX jobs_by_session ON jobs(session_id);
CREATE INDEX jobs_by_status ON jobs(status);
CREATE INDEX jobs_by_input_key ON jobs(input_key, status);

CREATE TABLE job_errors (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    line   TEXT NOT NULL
);
CREATE INDEX job_errors_by_job ON job_errors(job_id);

-- Hosts a job may crawl: those of its starter links and where they redirected to.
CREATE TABLE job_hosts (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    host   TEXT NOT NULL,
    PRIMARY KEY (job_id, host)
) WITHOUT ROWID;

-- The crawl frontier: every URL a job has seen, so that a restarted job resumes where it
-- stopped and never fetches a URL twice. rowid gives discovery order (breadth first).
CREATE TABLE frontier (
    job_id   TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    url      TEXT NOT NULL,
    depth    INTEGER NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state    TEXT NOT NULL CHECK (state IN ('pending', 'fetching', 'done', 'failed', 'skipped')),
    reason   TEXT,
    UNIQUE (job_id, url)
);
CREATE INDEX frontier_next ON frontier(job_id, state, priority DESC);

CREATE TABLE pages (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    url            TEXT NOT NULL,
    requested_url  TEXT NOT NULL,
    title          TEXT,
    content_type   TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    http_status    INTEGER NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    fetched_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (session_id, url)
);
CREATE INDEX pages_by_hash ON pages(session_id, content_hash);

-- Which jobs saved which page (a chunk's scrapeJobIds).
CREATE TABLE job_pages (
    job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    page_id    TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    scraped_at TEXT NOT NULL,
    PRIMARY KEY (job_id, page_id)
) WITHOUT ROWID;
CREATE INDEX job_pages_by_page ON job_pages(page_id);

CREATE TABLE chunks (
    id              TEXT PRIMARY KEY,
    page_id         TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    chunk_number    INTEGER NOT NULL,
    content         TEXT NOT NULL,
    token_count     INTEGER NOT NULL,
    character_count INTEGER NOT NULL,
    section         TEXT NOT NULL,
    summary         TEXT,
    -- Further metadata keys (tags, category, num_endpoints …) as a JSON object.
    extra           TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    UNIQUE (page_id, chunk_number)
);
