-- migrate: before 0007
-- Cards: whatever writes practitioner_cards (the refresh of migration 0006) logs the
-- practitioners it touched.
CREATE OR REPLACE FUNCTION directory_log_cards() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT practitioner_id FROM old_rows);
    ELSE
        ids := ARRAY(SELECT DISTINCT practitioner_id FROM new_rows);
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM directory_changed('c', ids);
    END IF;
    RETURN NULL;
END $$;
