-- The foundation: accounts, groups, projects, access grants, ethical walls, sessions,
-- API credentials, system settings and the audit log.
--
-- Migrations are append-only: a released migration is never edited; changes come as a new
-- file. Everything here runs on PostgreSQL 16 with pgvector 0.6 or newer.

-- pgvector holds the embeddings of later stages; enabling it first makes a server without it
-- fail at the first migration, with a clear error, instead of halfway through the pipeline.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    email                text NOT NULL,
    display_name         text NOT NULL DEFAULT '',
    -- Argon2id PHC string; NULL for accounts that only sign in through SSO.
    password_hash        text,
    role                 text NOT NULL CHECK (role IN ('admin', 'user')),
    is_active            boolean NOT NULL DEFAULT true,
    -- The account created from DEFAULT_ADMIN_EMAIL: the only one that may pass an ethical wall.
    is_seed_admin        boolean NOT NULL DEFAULT false,
    must_change_password boolean NOT NULL DEFAULT false,
    password_changed_at  timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
-- Emails compare case-insensitively: Alice@Firm.com and alice@firm.com are one account.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_single_seed_admin ON users (is_seed_admin) WHERE is_seed_admin;

CREATE TABLE groups (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX groups_name_key ON groups (lower(name));

CREATE TABLE group_members (
    group_id   uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    is_default  boolean NOT NULL DEFAULT false,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Matter names are unique regardless of case; the API turns a violation into 409.
CREATE UNIQUE INDEX projects_name_key ON projects (lower(name));
CREATE UNIQUE INDEX projects_single_default ON projects (is_default) WHERE is_default;

-- A grant gives one user or one group a level on one project.
CREATE TABLE project_grants (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    group_id   uuid REFERENCES groups (id) ON DELETE CASCADE,
    level      text NOT NULL CHECK (level IN ('viewer', 'editor', 'admin')),
    granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT project_grants_one_subject CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX project_grants_user_key
    ON project_grants (project_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX project_grants_group_key
    ON project_grants (project_id, group_id) WHERE group_id IS NOT NULL;

-- An ethical wall bars one user or one group from one project, whatever else says.
CREATE TABLE ethical_walls (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    group_id   uuid REFERENCES groups (id) ON DELETE CASCADE,
    reason     text NOT NULL DEFAULT '',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ethical_walls_one_subject CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX ethical_walls_user_key
    ON ethical_walls (project_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX ethical_walls_group_key
    ON ethical_walls (project_id, group_id) WHERE group_id IS NOT NULL;

-- Machine clients: the secret is shown once at creation and kept only as an Argon2id hash.
CREATE TABLE api_credentials (
    id           uuid PRIMARY KEY,
    client_id    text NOT NULL UNIQUE,
    secret_hash  text NOT NULL,
    name         text NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- A session is one login (or one client-credentials exchange) and every token refreshed from
-- it: the refresh-token family. Access tokens carry the session id, so revoking the session
-- (logout, reuse of a rotated refresh token) ends its access tokens at once too.
CREATE TABLE sessions (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id  uuid REFERENCES api_credentials (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_reason text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are random 256-bit values; only their SHA-256 is stored.
CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    -- Set when the token is exchanged; presenting it again is reuse and ends the session.
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Settings an administrator changes at run time (allowed file types, upload limit, ...).
CREATE TABLE system_settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);

-- Append-only record of sign-ins, changes and wall overrides. Rows are never updated.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid,
    action        text NOT NULL,
    target_type   text,
    target_id     text,
    client_addr   text,
    request_id    text,
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, occurred_at DESC);

-- The log is append-only at the database level too: updates and deletes raise.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
