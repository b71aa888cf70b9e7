-- Documents and their pipeline: the rows that make PostgreSQL the source of truth for every
-- document's state, whatever happens to the queue.

CREATE TABLE documents (
    id               uuid PRIMARY KEY,
    project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    -- The client's file name, sanitised; for display only, never used as a path.
    filename         text NOT NULL,
    file_kind        text NOT NULL,
    content_type     text NOT NULL,
    size_bytes       bigint NOT NULL CHECK (size_bytes > 0),
    sha256           bytea NOT NULL,
    storage_key      text NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN (
                         'queued', 'extracting', 'classifying', 'playbook', 'analyzing',
                         'embedding', 'storing', 'complete', 'failed')),
    error_message    text,
    -- Bumped by reprocessing, so work queued for an earlier run is recognised and dropped.
    generation       integer NOT NULL DEFAULT 1,
    -- Failed attempts of the current generation; retries back off exponentially.
    attempts         integer NOT NULL DEFAULT 0,
    -- When the document may next be picked up (a retry's back-off); NULL once terminal.
    run_after        timestamptz DEFAULT now(),
    -- Which worker holds the document and until when; an expired lease means the worker died.
    lease_owner      text,
    lease_expires_at timestamptz,
    -- When the queue last carried this document, so the reconciler does not flood it.
    enqueued_at      timestamptz,
    page_count       integer,
    has_tracked_changes boolean,
    has_comments     boolean,
    uploaded_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz
);
-- The same file twice in one project is one document.
CREATE UNIQUE INDEX documents_project_sha256_key ON documents (project_id, sha256);
CREATE INDEX documents_project_idx ON documents (project_id, created_at DESC);
-- The reconciler's scan: documents that are not finished.
CREATE INDEX documents_unfinished_idx ON documents (run_after)
    WHERE status NOT IN ('complete', 'failed');

-- One row per stage run, for stage timings.
CREATE TABLE document_stages (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    generation  integer NOT NULL,
    stage       text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    duration_ms bigint,
    PRIMARY KEY (document_id, generation, stage)
);

-- The extracted text of the latest successful extraction.
CREATE TABLE document_texts (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    generation  integer NOT NULL,
    body        text NOT NULL,
    char_count  integer NOT NULL,
    warnings    jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Which characters of the text came from which page, and how they were read.
CREATE TABLE document_pages (
    document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page_number  integer NOT NULL,
    start_offset integer NOT NULL,
    end_offset   integer NOT NULL,
    method       text NOT NULL CHECK (method IN ('text_layer', 'ocr', 'native')),
    PRIMARY KEY (document_id, page_number)
);

-- The PostgreSQL-backed queue, used when no Redis is configured. A row is one delivery hint;
-- the document row decides whether there is work to do.
CREATE TABLE queue_jobs (
    id           bigserial PRIMARY KEY,
    document_id  uuid NOT NULL,
    generation   integer NOT NULL,
    available_at timestamptz NOT NULL DEFAULT now(),
    locked_by    text,
    locked_until timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_jobs_available_idx ON queue_jobs (available_at);

-- Activity per project: the audit log gains the project an entry belongs to.
ALTER TABLE audit_log ADD COLUMN project_id uuid;
CREATE INDEX audit_log_project_idx ON audit_log (project_id, id DESC) WHERE project_id IS NOT NULL;
