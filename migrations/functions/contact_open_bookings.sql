-- migrate: before 0008
-- How many open future bookings a contact holds at a clinic, whatever spelling of
-- their address each was made with.
-- (The key is computed once, into a variable: written into the query, contact_key() of
-- a parameter is a filter the generic plan may evaluate for every row of the clinic,
-- and a SQL function call is not cheap; as a plain parameter it is one more equality
-- for the index.)
CREATE OR REPLACE FUNCTION contact_open_bookings(p_clinic uuid, p_email citext) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    k text := contact_key(p_email::text);
BEGIN
    RETURN (SELECT count(*) FROM bookings b WHERE b.clinic_id = p_clinic
            AND b.contact = k AND b.status = 'booked' AND upper(b.during) > now());
END $$;
