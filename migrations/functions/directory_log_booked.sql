-- migrate: before 0010
CREATE OR REPLACE FUNCTION directory_log_booked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- (as directory_changed: one row for everyone in a bulk load or a large statement)
    IF bulk_loading() OR (SELECT count(*) FROM new_rows) > 1000 THEN
        PERFORM directory_changed('n', NULL);
    ELSE
        INSERT INTO directory_changes (kind, practitioner_id, booked_from, booked_to)
        SELECT 'b', practitioner_id, extract(epoch FROM lower(blocked))::bigint,
               extract(epoch FROM upper(blocked))::bigint
        FROM new_rows;
    END IF;
    RETURN NULL;
END $$;
