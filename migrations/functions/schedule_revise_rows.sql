-- migrate: before 0010
CREATE OR REPLACE FUNCTION schedule_revise_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'practitioners' THEN
        PERFORM schedule_revise(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_TABLE_NAME = 'clinics' THEN
        PERFORM schedule_revise(ARRAY(SELECT p.id FROM practitioners p
            WHERE p.clinic_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'services' THEN
        PERFORM schedule_revise(ARRAY(SELECT ps.practitioner_id FROM practitioner_services ps
            WHERE ps.service_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'locations' THEN
        PERFORM schedule_revise(ARRAY(SELECT pl.practitioner_id FROM practitioner_locations pl
            WHERE pl.location_id IN (SELECT id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        -- (a row moved to another practitioner changes both)
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM old_rows
                                      UNION SELECT practitioner_id FROM new_rows));
    ELSE
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
