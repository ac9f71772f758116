-- migrate: before 0006
-- Locations, services and clinics reach their practitioners through the links.
CREATE OR REPLACE FUNCTION cards_from_owner_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF bulk_loading() THEN RETURN NULL; END IF;
    IF TG_TABLE_NAME = 'locations' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT DISTINCT pl.practitioner_id
            FROM practitioner_locations pl WHERE pl.location_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'services' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT DISTINCT ps.practitioner_id
            FROM practitioner_services ps WHERE ps.service_id IN (SELECT id FROM new_rows)));
    ELSE
        PERFORM refresh_practitioner_cards(ARRAY(SELECT p.id FROM practitioners p
            WHERE p.clinic_id IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END $$;
