-- migrate: before 0007
-- Appends one row per practitioner; one row for everyone when ids is NULL, holds
-- more than a thousand, or during a bulk load (each process then reads everything
-- again).
CREATE OR REPLACE FUNCTION directory_changed(k char, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- plpgsql keeps this statement's plan; a LANGUAGE sql function would be planned
    -- again at every booking
    IF ids IS NULL OR cardinality(ids) > 1000 OR bulk_loading() THEN
        INSERT INTO directory_changes (kind, practitioner_id) VALUES (k, NULL);
    ELSE
        INSERT INTO directory_changes (kind, practitioner_id) SELECT k, u.id FROM unnest(ids) AS u(id);
    END IF;
END $$;
