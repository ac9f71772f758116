-- migrate: before 0006
-- Link tables name their practitioner in practitioner_id.
CREATE OR REPLACE FUNCTION cards_from_link_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF bulk_loading() THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT DISTINCT practitioner_id FROM old_rows));
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT DISTINCT practitioner_id FROM new_rows));
    ELSE
        PERFORM refresh_practitioner_cards(ARRAY(SELECT practitioner_id FROM new_rows
                                                 UNION SELECT practitioner_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
