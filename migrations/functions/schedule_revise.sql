-- migrate: before 0010
CREATE OR REPLACE FUNCTION schedule_revise(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- in id order, so that two writers touching the same practitioners cannot deadlock
    INSERT INTO schedule_revisions AS s (practitioner_id, rev)
    SELECT DISTINCT u.id, 1 FROM unnest(ids) AS u(id)
    WHERE u.id IS NOT NULL AND EXISTS (SELECT 1 FROM practitioners p WHERE p.id = u.id)
    ORDER BY 1
    ON CONFLICT (practitioner_id) DO UPDATE SET rev = s.rev + 1;
END $$;
