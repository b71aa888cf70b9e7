-- The analysis engine's state: which provider serves each AI capability, the firm's playbook,
-- and each document's analysis (classification, fields, clauses, findings, obligations, risk)
-- with the reviewers' decisions on it.
--
-- Every offset here is a character offset (Unicode scalar values) into document_texts.body,
-- like document_pages, so a citation maps to its page by comparing numbers.

-- Which provider and model serve each of the five capabilities. The seed gives every
-- capability the built-in engine; administrators change the rows through the API.
CREATE TABLE ai_capabilities (
    capability text PRIMARY KEY CHECK (capability IN (
                   'extraction_classification', 'document_understanding', 'reasoning',
                   'generation', 'embeddings')),
    -- A provider name (builtin, anthropic, ...); the API refuses names this build cannot call,
    -- and the worker falls back to the built-in engine for any it finds anyway.
    provider   text NOT NULL,
    model      text NOT NULL,
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The firm's playbook: terminology, positions, preferred language, risk thresholds and
-- regulatory requirements. The seed inserts the default entries with ON CONFLICT DO NOTHING,
-- so an edited entry is never overwritten. A deleted entry stays as a tombstone (deleted_at
-- set): the seed then finds its id taken and never brings it back, and findings that cite it
-- still name an entry that existed.
CREATE TABLE playbook_entries (
    id           text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN (
                     'terminology', 'position', 'preferred_language', 'risk_threshold',
                     'regulatory')),
    title        text NOT NULL,
    -- A clause category of the taxonomy, when the entry is about one.
    category     text,
    -- Document types it applies to; empty for all.
    doc_types    text[] NOT NULL DEFAULT '{}',
    severity     text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    -- The definition, our position, the preferred clause or the requirement.
    text         text NOT NULL,
    -- Usage notes (terminology) or accepted fallbacks (positions).
    alternatives text[] NOT NULL DEFAULT '{}',
    -- A check the built-in engine runs: {"check": "required"}, {"check": "law_in", ...}.
    rule         jsonb,
    -- Risk thresholds: the scores from which a document is medium and high risk.
    medium_from  smallint CHECK (medium_from BETWEEN 0 AND 100),
    high_from    smallint CHECK (high_from BETWEEN 0 AND 100),
    enabled      boolean NOT NULL DEFAULT true,
    -- Inserted by the seed rather than by an administrator.
    seeded       boolean NOT NULL DEFAULT false,
    -- Listing order: the seed's order, then creation order.
    ordinal      integer NOT NULL,
    deleted_at   timestamptz,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT playbook_entries_bands CHECK (medium_from IS NULL OR high_from IS NULL
                                             OR medium_from < high_from)
);
CREATE INDEX playbook_entries_live_idx ON playbook_entries (ordinal) WHERE deleted_at IS NULL;

-- One row per analysed document: what the classifying and analyzing stages concluded for the
-- generation that stored it. The storing stage replaces it, with every row below, in one
-- transaction.
CREATE TABLE document_analyses (
    document_id    uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    generation     integer NOT NULL,
    doc_type       text NOT NULL,
    confidence     real NOT NULL,
    -- For an amendment, the type of agreement it amends.
    amends         text,
    is_contract    boolean NOT NULL,
    -- Why the text is not a contract: {kind, message, language?}.
    reason         jsonb,
    title          text,
    -- The classifier's whole answer, and the parties, key dates, law, venue and arbitration,
    -- each with its character span and page.
    classification jsonb NOT NULL,
    extraction     jsonb NOT NULL,
    -- NULL when the text is not a contract.
    risk_score     smallint CHECK (risk_score BETWEEN 0 AND 100),
    risk_level     text CHECK (risk_level IN ('low', 'medium', 'high')),
    risk_summary   text,
    risk_explanation jsonb,
    -- Who produced each part: {capability: {provider, model, instead_of?}}.
    provenance     jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- The key terms: dates, term, renewal, payment, liability cap, law, ... A name can occur more
-- than once (several fees): the key numbers it from the second occurrence (fee, fee:2).
CREATE TABLE document_fields (
    document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    key          text NOT NULL,
    name         text NOT NULL,
    ordinal      integer NOT NULL,
    -- {type, value}: the typed value, its own spans in characters.
    value        jsonb NOT NULL,
    display      text NOT NULL,
    start_offset integer NOT NULL,
    end_offset   integer NOT NULL,
    page         integer,
    confidence   real NOT NULL,
    PRIMARY KEY (document_id, key)
);

-- The document's clauses along its own structure, in order, with their categories.
CREATE TABLE clauses (
    document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal      integer NOT NULL,
    -- The section number and heading as written.
    number       text,
    heading      text,
    level        smallint NOT NULL,
    start_offset integer NOT NULL,
    end_offset   integer NOT NULL,
    page_start   integer,
    page_end     integer,
    -- [{category, name, confidence}], best first.
    categories   jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- [{category, span: {start, end}, confidence}]: the sentences that carry a category.
    labels       jsonb NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (document_id, ordinal)
);

-- Reasons for a reviewer's attention. The key (kind, category and playbook entry) is stable
-- across reprocessing of the same text, so a review stays with its finding.
CREATE TABLE findings (
    document_id        uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    key                text NOT NULL,
    ordinal            integer NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('deviation', 'missing', 'flagged')),
    category           text NOT NULL,
    severity           text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    title              text NOT NULL,
    explanation        text NOT NULL,
    -- The playbook entry it relates to; no foreign key, so editing the playbook never touches
    -- a stored analysis.
    playbook_entry_id  text,
    suggested_language text,
    -- NULL for a missing clause.
    start_offset       integer,
    end_offset         integer,
    page               integer,
    clause_ordinal     integer,
    CONSTRAINT findings_document_key UNIQUE (document_id, key)
);
CREATE INDEX findings_document_idx ON findings (document_id, ordinal);

-- Who must do what, by when or how often.
CREATE TABLE obligations (
    document_id    uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal        integer NOT NULL,
    party          text NOT NULL,
    action         text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('duty', 'restriction')),
    -- The deadline as written, and how often it recurs.
    due            text,
    recurrence     text,
    start_offset   integer NOT NULL,
    end_offset     integer NOT NULL,
    page           integer,
    clause_ordinal integer,
    PRIMARY KEY (document_id, ordinal)
);

-- A reviewer's decision on a finding or a field, keyed by the finding's key or the field's
-- key rather than by a row, so it survives reprocessing: the analysis rows are replaced, the
-- reviews are not. A decision whose target no longer appears is kept but not shown.
CREATE TABLE reviews (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    target_kind text NOT NULL CHECK (target_kind IN ('finding', 'field')),
    target_key  text NOT NULL,
    decision    text NOT NULL CHECK (decision IN ('accepted', 'rejected', 'corrected')),
    -- What the reviewer says is right instead; present exactly when the decision is corrected.
    correction  jsonb,
    note        text,
    decided_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, target_kind, target_key),
    CONSTRAINT reviews_correction CHECK ((decision = 'corrected') = (correction IS NOT NULL))
);
