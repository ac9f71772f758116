-- Clinic staff: accounts, sessions, API keys, login throttling and the append-only
-- audit log.

CREATE TABLE staff_users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id           uuid REFERENCES clinics ON DELETE CASCADE,
    email               citext NOT NULL UNIQUE
                        CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name                text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    role                text NOT NULL CHECK (role IN ('clinic_admin', 'practitioner', 'platform_admin')),
    practitioner_id     uuid,
    password_hash       text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    active              boolean NOT NULL DEFAULT true,
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'platform_admin') = (clinic_id IS NULL)),
    CHECK ((role = 'practitioner') = (practitioner_id IS NOT NULL)),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_users_clinic_idx ON staff_users (clinic_id);

-- Sessions: the token is 32 random bytes shown once; only its hash is kept.
CREATE TABLE staff_sessions (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES staff_users ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id) WHERE revoked_at IS NULL;

-- Per-clinic API keys for integrations, with scopes, revocable.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id    uuid NOT NULL REFERENCES clinics ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'patient_data']::text[]
                                        AND cardinality(scopes) >= 1),
    created_by   uuid REFERENCES staff_users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Failed logins per client address (per account they live on staff_users), in fixed
-- windows; shared by every copy of the service.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    failures     integer NOT NULL
);

-- Feeds: a practitioner's schedule as a subscribable calendar.
CREATE TABLE calendar_feeds (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_by      uuid REFERENCES staff_users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);

-- Who did what, and whether patient data was touched.  Append-only for the service:
-- its role may insert and read, never change or remove.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_type    text NOT NULL CHECK (actor_type IN ('staff', 'api_key', 'patient', 'anonymous', 'operator')),
    actor_id      uuid,
    actor_email   citext,
    role          text,
    clinic_id     uuid,
    action        text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    resource_type text,
    resource_id   text,
    patient_data  boolean NOT NULL DEFAULT false,
    request_id    text,
    outcome       text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    detail        jsonb
);
CREATE INDEX audit_log_clinic_idx ON audit_log (clinic_id, id DESC);
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM clinicd;

-- audit_log_append_only(): migrations/functions/audit_log_append_only.sql
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE bookings ADD COLUMN created_by_user uuid REFERENCES staff_users ON DELETE SET NULL;
