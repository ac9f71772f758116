-- A booking may be checked against a schedule the service keeps in memory, if the
-- database confirms, in the booking's own statement, that nothing the check relies on
-- has changed since that schedule was read.  What the check relies on is everything
-- but the other bookings (those the exclusion constraint bookings_no_overlap settles):
-- the practitioner (active, clinic), weekly hours, time off, services offered and
-- their lengths and buffers, locations and their time zones, the clinic's policy.
-- Each practitioner's revision counts changes to these; the schedule query reads it
-- with the schedule, and book_slot refuses ('stale') when it differs.
--
-- A revision is a row per practitioner, bumped by statement-level triggers in the
-- writing transaction: a change committed after the schedule was read shows as a new
-- number; one not committed yet leaves the schedule read the current one.  No row
-- means revision 0.

CREATE TABLE schedule_revisions (
    practitioner_id uuid PRIMARY KEY REFERENCES practitioners (id) ON DELETE CASCADE,
    rev             bigint NOT NULL
);

-- schedule_revise(): migrations/functions/schedule_revise.sql

-- schedule_revise_rows(): migrations/functions/schedule_revise_rows.sql

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['weekly_hours', 'time_off', 'practitioner_services',
                             'practitioner_locations'] LOOP
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_ins AFTER INSERT ON %1$I'
                       ' REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_upd AFTER UPDATE ON %1$I'
                       ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_del AFTER DELETE ON %1$I'
                       ' REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
    END LOOP;
    -- the owners' rows are only updated (deleting one cascades to the tables above)
    FOREACH t IN ARRAY ARRAY['practitioners', 'clinics', 'services', 'locations'] LOOP
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_upd AFTER UPDATE ON %1$I'
                       ' REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
    END LOOP;
END $$;

-- book_slot gained a parameter here, p_revision (and the outcome 'stale'): the old
-- signature goes (IF EXISTS: a database made from these files never had it), the
-- new one is migrations/functions/book_slot.sql.
DROP FUNCTION IF EXISTS book_slot(text, text, text, text, text, bytea, bytea, integer, uuid,
                        uuid, uuid, uuid, uuid, uuid, bigint, bigint, bigint, bigint, text,
                        citext, text, text, bytea, text, jsonb);

-- The change log learns what a new booking blocks: kind 'b' with the range in Unix
-- seconds.  A booking only takes time away, so a process keeps a practitioner's next
-- free time when the booking cannot reach it, instead of computing it again from 62
-- days of schedule after every booking.  Changes and cancellations of bookings stay
-- 'n' (they can free time).
ALTER TABLE directory_changes
    ADD COLUMN booked_from bigint,
    ADD COLUMN booked_to bigint,
    DROP CONSTRAINT directory_changes_kind_check,
    ADD CONSTRAINT directory_changes_kind_check CHECK (kind IN ('c', 'n', 'b')),
    ADD CONSTRAINT directory_changes_booked_check
        CHECK ((kind = 'b') = (booked_from IS NOT NULL AND booked_to IS NOT NULL));

-- directory_log_booked(): migrations/functions/directory_log_booked.sql
DROP TRIGGER next_free_bookings_ins ON bookings;
CREATE TRIGGER directory_bookings_ins AFTER INSERT ON bookings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_booked();
