-- migrate: before 0006
-- Statement-level triggers: one refresh per statement, for the practitioners touched.
CREATE OR REPLACE FUNCTION cards_from_practitioner_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF bulk_loading() THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT id FROM old_rows));
    ELSE
        PERFORM refresh_practitioner_cards(ARRAY(SELECT id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
