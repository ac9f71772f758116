-- migrate: before 0001
CREATE OR REPLACE FUNCTION clinics_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- re-run the practitioners' trigger so their search text names the new clinic
    UPDATE practitioners SET name = name WHERE clinic_id = NEW.id;
    RETURN NULL;
END $$;
