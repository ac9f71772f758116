-- Booking: clinic policy, weekly hours, time off, bookings (never overlapping, buffers
-- included), treatment-plan series, the waitlist, idempotency keys and the outbox of
-- notifications written in the same transaction as the change they announce.

ALTER TABLE clinics
    ADD COLUMN min_notice_minutes integer NOT NULL DEFAULT 120
        CHECK (min_notice_minutes BETWEEN 0 AND 20160),
    ADD COLUMN booking_horizon_days integer NOT NULL DEFAULT 120
        CHECK (booking_horizon_days BETWEEN 1 AND 730),
    ADD COLUMN cancellation_notice_hours integer NOT NULL DEFAULT 24
        CHECK (cancellation_notice_hours BETWEEN 0 AND 720),
    ADD COLUMN slot_step_minutes integer NOT NULL DEFAULT 15
        CHECK (slot_step_minutes IN (5, 10, 15, 20, 30, 60)),
    -- open bookings one contact may hold at this clinic (stops slot hoarding)
    ADD COLUMN max_open_bookings_per_contact integer NOT NULL DEFAULT 60
        CHECK (max_open_bookings_per_contact BETWEEN 1 AND 1000);

-- Weekly hours in the location's wall-clock time.  end_time <= start_time means the
-- hours run past midnight.  A practitioner's hours are only at a location they work at.
CREATE TABLE weekly_hours (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    location_id     uuid NOT NULL,
    weekday         smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    start_time      time NOT NULL,
    end_time        time NOT NULL,
    valid_from      date,
    valid_to        date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (start_time <> end_time),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE,
    FOREIGN KEY (practitioner_id, location_id) REFERENCES practitioner_locations (practitioner_id, location_id) ON DELETE CASCADE
);
CREATE INDEX weekly_hours_practitioner_idx ON weekly_hours (practitioner_id);

CREATE TABLE time_off (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    during          tstzrange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
    reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX time_off_practitioner_idx ON time_off USING gist (practitioner_id, during);

-- A treatment plan booked in one action ("every 2 weeks, 10 sessions").
CREATE TABLE booking_series (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id         uuid NOT NULL,
    practitioner_id   uuid NOT NULL,
    service_id        uuid NOT NULL,
    rrule             text NOT NULL CHECK (length(rrule) <= 500),
    on_conflict       text NOT NULL CHECK (on_conflict IN ('fail', 'skip', 'nearest')),
    manage_token_hash bytea NOT NULL CHECK (length(manage_token_hash) = 32),
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id),
    FOREIGN KEY (clinic_id, service_id) REFERENCES services (clinic_id, id)
);

CREATE TABLE bookings (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id         uuid NOT NULL,
    practitioner_id   uuid NOT NULL,
    service_id        uuid NOT NULL,
    location_id       uuid NOT NULL,
    series_id         uuid,
    -- the appointment itself, and what it keeps free around it (its buffers)
    during            tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
    blocked           tstzrange NOT NULL CHECK (blocked @> during),
    status            text NOT NULL DEFAULT 'booked'
                      CHECK (status IN ('booked', 'cancelled', 'completed', 'no_show')),
    patient_name      text NOT NULL CHECK (length(patient_name) BETWEEN 1 AND 200),
    patient_email     citext NOT NULL CHECK (length(patient_email) <= 254 AND patient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    patient_phone     text CHECK (length(patient_phone) <= 40),
    notes             text CHECK (length(notes) <= 2000),
    -- BLAKE2b-256 of the holder's manage token (a series shares its series' token)
    manage_token_hash bytea NOT NULL CHECK (length(manage_token_hash) = 32),
    created_by        text NOT NULL DEFAULT 'patient' CHECK (created_by IN ('patient', 'staff')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    reschedule_count  integer NOT NULL DEFAULT 0,
    cancelled_at      timestamptz,
    cancelled_by      text CHECK (cancelled_by IN ('patient', 'staff')),
    cancel_reason     text CHECK (length(cancel_reason) <= 500),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id),
    FOREIGN KEY (clinic_id, service_id) REFERENCES services (clinic_id, id),
    FOREIGN KEY (clinic_id, location_id) REFERENCES locations (clinic_id, id),
    FOREIGN KEY (clinic_id, series_id) REFERENCES booking_series (clinic_id, id),
    -- The rule of rules: no two live bookings of a practitioner overlap, buffers
    -- included, whatever code path writes them.
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (practitioner_id WITH =, blocked WITH &&)
        WHERE (status <> 'cancelled')
);
CREATE INDEX bookings_series_idx ON bookings (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX bookings_contact_idx ON bookings (clinic_id, patient_email) WHERE status = 'booked';
CREATE INDEX bookings_clinic_time_idx ON bookings (clinic_id, lower(during));

-- Someone who would take an earlier slot: told, in order of asking, when one frees.
CREATE TABLE waitlist_entries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id         uuid NOT NULL,
    practitioner_id   uuid NOT NULL,
    service_id        uuid NOT NULL,
    window_start      timestamptz NOT NULL,
    window_end        timestamptz NOT NULL CHECK (window_end > window_start),
    patient_name      text NOT NULL CHECK (length(patient_name) BETWEEN 1 AND 200),
    patient_email     citext NOT NULL CHECK (length(patient_email) <= 254 AND patient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    patient_phone     text CHECK (length(patient_phone) <= 40),
    status            text NOT NULL DEFAULT 'waiting'
                      CHECK (status IN ('waiting', 'offered', 'cancelled', 'expired')),
    offered_start     timestamptz,
    offered_at        timestamptz,
    manage_token_hash bytea NOT NULL CHECK (length(manage_token_hash) = 32),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'offered') = (offered_at IS NOT NULL)),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE,
    FOREIGN KEY (clinic_id, service_id) REFERENCES services (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX waitlist_waiting_idx ON waitlist_entries (practitioner_id, created_at) WHERE status = 'waiting';

-- The same key and body replay the first response; the response is stored sealed
-- with a key derived from the idempotency key and the body, so the manage token in
-- it is not readable from the database alone.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  bytea NOT NULL,
    status        integer NOT NULL,
    sealed_body   bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- The outbox: written in the same transaction as the change; delivered by the worker.
CREATE TABLE notifications (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id     uuid NOT NULL REFERENCES clinics ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('booking_confirmed', 'booking_cancelled',
                      'booking_rescheduled', 'series_confirmed', 'waitlist_offer', 'reminder')),
    booking_id    uuid REFERENCES bookings ON DELETE CASCADE,
    series_id     uuid REFERENCES booking_series ON DELETE CASCADE,
    waitlist_id   uuid REFERENCES waitlist_entries ON DELETE CASCADE,
    recipient     citext NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}',
    dedupe_key    text NOT NULL UNIQUE,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'pending';
