-- migrate: before 0006
-- Rebuilds the read models of the given practitioners (NULL: all of them).
CREATE OR REPLACE FUNCTION refresh_practitioner_cards(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM practitioner_cards WHERE ids IS NULL OR practitioner_id = ANY (ids);
    DELETE FROM practitioner_profiles WHERE ids IS NULL OR practitioner_id = ANY (ids);
    INSERT INTO practitioner_cards
    SELECT p.id, l.id, p.clinic_id, l.geog, p.name, p.profession_id,
        coalesce((SELECT array_agg(x.technique_id ORDER BY x.technique_id)
                  FROM practitioner_techniques x WHERE x.practitioner_id = p.id), '{}'),
        coalesce((SELECT array_agg(x.condition_id ORDER BY x.condition_id)
                  FROM practitioner_conditions x WHERE x.practitioner_id = p.id), '{}'),
        p.languages, p.accepting_new, p.home_visits, p.sliding_scale, l.wheelchair_accessible,
        l.timezone, p.search_doc,
        (f.fields || jsonb_build_object('location', location_json(l)))::text
    FROM practitioners p
    JOIN practitioner_locations pl ON pl.practitioner_id = p.id
    JOIN locations l ON l.id = pl.location_id AND l.active
    CROSS JOIN LATERAL (SELECT practitioner_fields(p) AS fields) f
    WHERE p.active AND (ids IS NULL OR p.id = ANY (ids));
    INSERT INTO practitioner_profiles
    SELECT p.id, (SELECT l.timezone FROM practitioner_locations pl JOIN locations l
            ON l.id = pl.location_id WHERE pl.practitioner_id = p.id AND l.active
            ORDER BY l.id LIMIT 1),
        (practitioner_fields(p) || jsonb_build_object(
        'location', (SELECT location_json(l) FROM practitioner_locations pl
            JOIN locations l ON l.id = pl.location_id
            WHERE pl.practitioner_id = p.id AND l.active ORDER BY l.id LIMIT 1),
        'bio', p.bio, 'credentials', p.credentials,
        'conditions', coalesce((SELECT jsonb_agg(jsonb_build_object('slug', k.slug, 'name', k.name)
            ORDER BY k.name) FROM practitioner_conditions x JOIN conditions k
            ON k.id = x.condition_id WHERE x.practitioner_id = p.id), '[]'),
        'technique_names', coalesce((SELECT jsonb_agg(jsonb_build_object('slug', t.slug,
            'name', t.name) ORDER BY t.sort_order) FROM practitioner_techniques x
            JOIN techniques t ON t.id = x.technique_id WHERE x.practitioner_id = p.id), '[]'),
        'services', coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name,
            'duration_minutes', s.duration_minutes, 'price', round(s.price_cents / 100.0, 2),
            'currency', s.currency) ORDER BY s.duration_minutes, s.price_cents, s.id)
            FROM practitioner_services x JOIN services s ON s.id = x.service_id
            WHERE x.practitioner_id = p.id AND s.active), '[]'),
        'locations', coalesce((SELECT jsonb_agg(location_json(l) ORDER BY l.id)
            FROM practitioner_locations x JOIN locations l ON l.id = x.location_id
            WHERE x.practitioner_id = p.id AND l.active), '[]')))::text
    FROM practitioners p
    WHERE p.active AND (ids IS NULL OR p.id = ANY (ids))
      AND EXISTS (SELECT 1 FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id
                  WHERE pl.practitioner_id = p.id AND l.active);
END $$;
