-- Limits one person cannot walk around, and an audit row for every patient-side write.
--
-- The per-contact limit (clinics.max_open_bookings_per_contact) compared the literal
-- address, so "name+1@", "name+2@", ... "Name@" and, at gmail, "n.a.m.e@" each counted
-- as a new person: one mailbox booked 190 slots.  Bookings and waitlist entries now
-- carry their contact key (contact_key(), migration 0011: case, "+tag" and the gmail
-- rules folded), stored and indexed, and every count is by it: book_slot's for a single
-- booking, contact_open_bookings' for a plan (which counts its sessions and the single
-- bookings together, and is refused whole when they would pass the limit), and the
-- waitlist's (at most as many waiting entries as open bookings).  The service takes
-- its per-contact advisory lock under the same key, so two requests for "a+1@" and
-- "a+2@" queue for one count.
--
-- Audit: booking (book_slot, for patients' own bookings outside a plan), moving
-- (booking_move) and joining the waitlist (waitlist_join, new) write their audit row
-- (actor 'patient', patient data, the clinic) in the same statement as the change,
-- last, right before the commit: one more INSERT in the one statement each already
-- was, and the audit chain's per-clinic lock (if any) is held for the shortest time.
-- A plan, a cancellation and the holder's reads write theirs from the service, in
-- their transaction.

-- (adding a stored column rewrites the table once: seconds for a million bookings)
ALTER TABLE bookings
    ADD COLUMN contact text GENERATED ALWAYS AS (contact_key(patient_email::text)) STORED;
ALTER TABLE waitlist_entries
    ADD COLUMN contact text GENERATED ALWAYS AS (contact_key(patient_email::text)) STORED;

-- What the counts read: a contact's open bookings at a clinic, ending in the future.
-- It replaces the index on the literal address, which nothing else reads.
DROP INDEX bookings_contact_idx;
CREATE INDEX bookings_contact_open_idx ON bookings (clinic_id, contact, upper(during))
    WHERE status = 'booked';
CREATE INDEX waitlist_contact_idx ON waitlist_entries (clinic_id, contact, window_end)
    WHERE status = 'waiting';

-- contact_open_bookings(): migrations/functions/contact_open_bookings.sql

-- book_slot and booking_move gained a parameter here, p_request_id (their audit rows):
-- the old signatures go (IF EXISTS: a database made from these files never had them),
-- the new ones are migrations/functions/book_slot.sql and booking_move.sql.
DROP FUNCTION IF EXISTS book_slot(text, text, text, text, text, bytea, bytea, integer, bigint,
                        uuid, uuid, uuid, uuid, uuid, uuid, bigint, bigint, bigint, bigint,
                        text, citext, text, text, bytea, text, jsonb);
DROP FUNCTION IF EXISTS booking_move(text, uuid, bigint, bigint, bigint, bigint, uuid, jsonb,
                           uuid, bigint, bigint, text);

-- waitlist_join(): migrations/functions/waitlist_join.sql
