-- The search index: passages of each document along its clauses, with their text for keyword
-- search and their vectors for semantic search. Rebuilt whenever a document is processed.

CREATE TABLE chunks (
    id              bigserial PRIMARY KEY,
    document_id     uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    -- Copied from the document so a search filters by the caller's projects without a join
    -- before the index scan; documents never change project.
    project_id      uuid NOT NULL,
    generation      integer NOT NULL,
    ordinal         integer NOT NULL,
    -- The clause (by its order in the document) the passage belongs to.
    clause_ordinal  integer,
    start_offset    integer NOT NULL,
    end_offset      integer NOT NULL,
    page            integer,
    body            text NOT NULL,
    tsv             tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    -- NULL until embedded; `embedding_model` names the model that produced it, so vectors of
    -- an earlier model are found and re-embedded when the model changes.
    embedding       vector(384),
    embedding_model text,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);
CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX chunks_project_idx ON chunks (project_id);
CREATE INDEX chunks_model_idx ON chunks (embedding_model);
