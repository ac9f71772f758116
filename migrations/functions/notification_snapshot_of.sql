-- migrate: before 0016
-- What a notification's mail says, as things are now (called in the transaction of the
-- change, after it: see notification_snapshot): the session (for a series, its first
-- one, and every session in 'sessions'), its people and place, the clinic's name,
-- phone and country, the time of the change ('at', Unix seconds: the calendar file's
-- DTSTAMP) and the calendar SEQUENCE: the booking's moves, one more for a
-- cancellation, so that every change is newer than the one before and a CANCEL newer
-- than every REQUEST.  A move's previous start comes from the payload ('from_epoch').
-- NULL when the booking or waitlist entry is not there.
CREATE OR REPLACE FUNCTION notification_snapshot_of(p_kind text, p_booking uuid, p_series uuid,
                                                    p_waitlist uuid, p_payload jsonb)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT snap FROM (
        SELECT jsonb_build_object(
            'at', floor(extract(epoch FROM now()))::bigint,
            'status', CASE WHEN p_kind = 'booking_cancelled' THEN 'cancelled' ELSE b.status END,
            'booking_id', b.id, 'practitioner_id', b.practitioner_id,
            'patient_name', b.patient_name, 'practitioner_name', p.name,
            'service_name', s.name, 'clinic_name', c.name, 'clinic_phone', c.phone,
            'location_name', l.name, 'address', l.address || ', ' || l.city,
            'country', l.country, 'tz', l.timezone,
            'start', extract(epoch FROM lower(b.during))::bigint,
            'end', extract(epoch FROM upper(b.during))::bigint,
            'previous_start', CASE WHEN jsonb_typeof(p_payload->'from_epoch') = 'number'
                                   THEN p_payload->'from_epoch' END,
            'cancel_hours', c.cancellation_notice_hours,
            'sequence', b.reschedule_count
                        + CASE WHEN p_kind = 'booking_cancelled' THEN 1 ELSE 0 END,
            'sessions', CASE WHEN p_series IS NOT NULL THEN
                (SELECT jsonb_agg(jsonb_build_object('id', x.id, 'status', x.status,
                     'start', extract(epoch FROM lower(x.during))::bigint,
                     'end', extract(epoch FROM upper(x.during))::bigint,
                     'sequence', x.reschedule_count) ORDER BY lower(x.during), x.id)
                 FROM bookings x WHERE x.series_id = p_series) END) AS snap
        FROM bookings b
        JOIN practitioners p ON p.id = b.practitioner_id
        JOIN services s ON s.id = b.service_id
        JOIN clinics c ON c.id = b.clinic_id
        JOIN locations l ON l.id = b.location_id
        WHERE b.id = coalesce(p_booking, (SELECT x.id FROM bookings x
                                          WHERE x.series_id = p_series
                                          ORDER BY lower(x.during), x.id LIMIT 1))
        UNION ALL
        SELECT jsonb_build_object(
            'at', floor(extract(epoch FROM now()))::bigint, 'status', w.status,
            'practitioner_id', w.practitioner_id,
            'patient_name', w.patient_name, 'practitioner_name', p.name,
            'service_name', s.name, 'clinic_name', c.name, 'clinic_phone', c.phone,
            'location_name', l.name, 'address', l.address || ', ' || l.city,
            'country', l.country, 'tz', l.timezone,
            'start', extract(epoch FROM w.offered_start)::bigint,
            'end', extract(epoch FROM w.offered_start
                                      + make_interval(mins => s.duration_minutes))::bigint,
            'cancel_hours', c.cancellation_notice_hours, 'sequence', 0)
        FROM waitlist_entries w
        JOIN practitioners p ON p.id = w.practitioner_id
        JOIN services s ON s.id = w.service_id
        JOIN clinics c ON c.id = w.clinic_id
        JOIN LATERAL (SELECT l.* FROM locations l WHERE l.id IN (SELECT location_id
                          FROM practitioner_locations WHERE practitioner_id = p.id)
                      ORDER BY l.id LIMIT 1) l ON true
        WHERE p_booking IS NULL AND p_series IS NULL AND w.id = p_waitlist
    ) x LIMIT 1
$$;
