-- migrate: before 0006
-- The fields every item and profile share (no location, distance or next_available).
CREATE OR REPLACE FUNCTION practitioner_fields(p practitioners) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'name', p.name,
        'profession', (SELECT jsonb_build_object('slug', pr.slug, 'name', pr.name)
                       FROM professions pr WHERE pr.id = p.profession_id),
        'techniques', coalesce((SELECT jsonb_agg(t.slug ORDER BY t.sort_order, t.slug)
            FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id
            WHERE x.practitioner_id = p.id), '[]'),
        'clinic', (SELECT jsonb_build_object('id', c.id, 'name', c.name) FROM clinics c
                   WHERE c.id = p.clinic_id),
        'price_from', (SELECT round(s.price_cents / 100.0, 2) FROM practitioner_services x
            JOIN services s ON s.id = x.service_id WHERE x.practitioner_id = p.id AND s.active
            ORDER BY s.price_cents, s.id LIMIT 1),
        'currency', (SELECT s.currency FROM practitioner_services x
            JOIN services s ON s.id = x.service_id WHERE x.practitioner_id = p.id AND s.active
            ORDER BY s.price_cents, s.id LIMIT 1),
        'accepting_new', p.accepting_new, 'home_visits', p.home_visits,
        'sliding_scale', p.sliding_scale, 'languages', p.languages)
$$;
