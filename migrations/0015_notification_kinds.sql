-- The kinds of notification are rows of their own, so that each capability that adds
-- a kind (a plan's changes, lost links, a flare) adds a row in its own migration
-- instead of rewriting one CHECK list that every other migration also rewrites.
CREATE TABLE notification_kinds (
    kind text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z_]{0,39}$')
);
INSERT INTO notification_kinds (kind) VALUES
    ('booking_confirmed'), ('booking_cancelled'), ('booking_rescheduled'),
    ('series_confirmed'), ('waitlist_offer'), ('reminder');

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_fkey FOREIGN KEY (kind) REFERENCES notification_kinds;
