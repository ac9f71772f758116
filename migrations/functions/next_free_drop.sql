-- migrate: before 0006
-- Schedules: what used to drop cached next free times now logs the practitioners.
CREATE OR REPLACE FUNCTION next_free_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'clinics' THEN
        PERFORM directory_changed('n', ARRAY(SELECT p.id FROM practitioners p
            WHERE p.clinic_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'services' THEN
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT ps.practitioner_id
            FROM practitioner_services ps WHERE ps.service_id IN (SELECT id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT practitioner_id FROM old_rows));
    ELSE
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT practitioner_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
