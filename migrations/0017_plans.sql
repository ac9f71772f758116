-- Treatment plans as a thing of their own (issue 14): the dates a plan could not
-- book and why, a revision that makes every change of a plan one at a time, the
-- plan's cadence (for sessions added at the end), the flare allowance of the clinic's
-- policy and the sessions moved or cancelled for a flare, and the kinds of mail a
-- plan's changes send.
CREATE TABLE booking_series_unbookable (
    series_id    uuid NOT NULL REFERENCES booking_series ON DELETE CASCADE,
    requested_at timestamptz NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('time_off', 'past_horizon', 'inside_notice',
                     'outside_hours', 'taken', 'no_free_time_near', 'clock_change')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (series_id, requested_at)
);

ALTER TABLE booking_series
    ADD COLUMN revision integer NOT NULL DEFAULT 0,
    ADD COLUMN flare_moves_used integer NOT NULL DEFAULT 0 CHECK (flare_moves_used >= 0),
    ADD COLUMN every_weeks integer CHECK (every_weeks BETWEEN 1 AND 12);

ALTER TABLE clinics
    ADD COLUMN flare_moves_per_plan integer NOT NULL DEFAULT 2
        CHECK (flare_moves_per_plan BETWEEN 0 AND 52);

ALTER TABLE bookings ADD COLUMN flare boolean NOT NULL DEFAULT false;

INSERT INTO notification_kinds (kind) VALUES
    ('series_cancelled'), ('series_extended'), ('series_rescheduled'), ('series_flare'),
    ('flare_clinic');
