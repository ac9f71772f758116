-- Lost links (issue 14, item 3): "e-mail me my bookings".
--
-- POST /api/v1/lost-links writes one outbox row of kind 'lost_links' (and its audit
-- row) and nothing else, whatever the address: the same work, so the same answer and
-- the same time, whether or not the address has bookings.  The worker then finds the
-- open bookings and plans under the address, at every clinic, makes a fresh link for
-- each (lost_link_tokens below) and sends one mail (cli/lost_links.c).
--
-- Such a request belongs to no one clinic: its row has no clinic_id (the staff's lists,
-- which are per clinic, never show it); every other kind still needs one.
INSERT INTO notification_kinds (kind) VALUES ('lost_links');
ALTER TABLE notifications ALTER COLUMN clinic_id DROP NOT NULL,
    ADD CONSTRAINT notifications_clinic_check CHECK (clinic_id IS NOT NULL OR kind = 'lost_links');
-- the per-address limit counts an address's requests of the last hour
CREATE INDEX notifications_lost_links_idx ON notifications (contact_key, created_at)
    WHERE kind = 'lost_links';
-- what the worker looks up: an address's open bookings at every clinic (the index of
-- 0013 starts with the clinic)
CREATE INDEX bookings_contact_any_clinic_idx ON bookings (contact, upper(during))
    WHERE status = 'booked';

-- The links a lost-links mail carries: single-purpose, each opening one booking or one
-- plan (series), until it expires.  Stored as the manage tokens are, BLAKE2b-256 of
-- the token; the token itself is only ever in the mail.
CREATE TABLE lost_link_tokens (
    token_hash      bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    booking_id      uuid REFERENCES bookings ON DELETE CASCADE,
    series_id       uuid REFERENCES booking_series ON DELETE CASCADE,
    notification_id uuid,   -- the request it was made for (no key: rows outlive it)
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    CHECK ((booking_id IS NULL) <> (series_id IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX lost_link_tokens_expires_idx ON lost_link_tokens (expires_at);
