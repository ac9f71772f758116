-- Read models for the directory, kept by triggers in the same transaction as every
-- change they depend on:
--   practitioner_cards    one row per active practitioner and active location: what the
--                         search filters on, and the item's JSON ready to send;
--   practitioner_profiles the profile's JSON ready to send;
--   practitioner_next_free the next free time per practitioner (and session length),
--                         computed by the service and dropped whenever bookings,
--                         hours, time off, services or policy change.
-- A search or a profile then reads one table instead of joining seven.  Bulk loads
-- (the demo generator) set clinicd.bulk_load = on and refresh everything once at the
-- end.

CREATE TABLE practitioner_cards (
    practitioner_id uuid NOT NULL REFERENCES practitioners ON DELETE CASCADE,
    location_id     uuid NOT NULL REFERENCES locations ON DELETE CASCADE,
    clinic_id       uuid NOT NULL,
    geog            geography(Point, 4326) NOT NULL,
    name            text NOT NULL,
    profession_id   smallint NOT NULL,
    technique_ids   smallint[] NOT NULL,
    condition_ids   smallint[] NOT NULL,
    languages       text[] NOT NULL,
    accepting_new   boolean NOT NULL,
    home_visits     boolean NOT NULL,
    sliding_scale   boolean NOT NULL,
    wheelchair_accessible boolean NOT NULL,
    timezone        text NOT NULL,
    search_doc      text NOT NULL,
    item            text NOT NULL,
    PRIMARY KEY (practitioner_id, location_id)
);
CREATE INDEX practitioner_cards_geog_idx ON practitioner_cards USING gist (geog);
CREATE INDEX practitioner_cards_name_idx ON practitioner_cards (name, practitioner_id, location_id);
CREATE INDEX practitioner_cards_doc_idx ON practitioner_cards USING gin (search_doc gin_trgm_ops);

CREATE TABLE practitioner_profiles (
    practitioner_id uuid PRIMARY KEY REFERENCES practitioners ON DELETE CASCADE,
    timezone        text NOT NULL,  -- of the first location, for next_available
    doc             text NOT NULL
);

CREATE TABLE practitioner_next_free (
    practitioner_id uuid NOT NULL REFERENCES practitioners ON DELETE CASCADE,
    minutes         integer NOT NULL,  -- 0: the practitioner's shortest service
    next_at         timestamptz,       -- NULL: nothing free in the window looked at
    valid_until     timestamptz NOT NULL,
    PRIMARY KEY (practitioner_id, minutes)
);

CREATE FUNCTION location_json(l locations) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', l.id, 'name', l.name, 'address', l.address, 'city', l.city,
        'region', l.region, 'postcode', l.postcode, 'country', l.country,
        'lat', round(ST_Y(l.geog::geometry)::numeric, 6),
        'lon', round(ST_X(l.geog::geometry)::numeric, 6), 'timezone', l.timezone,
        'wheelchair_accessible', l.wheelchair_accessible)
$$;

-- The fields every item and profile share (no location, distance or next_available).
CREATE FUNCTION practitioner_fields(p practitioners) RETURNS jsonb LANGUAGE sql STABLE AS $$
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

-- Rebuilds the read models of the given practitioners (NULL: all of them).
CREATE FUNCTION refresh_practitioner_cards(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
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

CREATE FUNCTION bulk_loading() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('clinicd.bulk_load', true), '') = 'on'
$$;

-- Statement-level triggers: one refresh per statement, for the practitioners touched.
CREATE FUNCTION cards_from_practitioner_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF bulk_loading() THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_practitioner_cards(ARRAY(SELECT id FROM old_rows));
    ELSE
        PERFORM refresh_practitioner_cards(ARRAY(SELECT id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER cards_practitioners_ins AFTER INSERT ON practitioners
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_practitioner_rows();
CREATE TRIGGER cards_practitioners_upd AFTER UPDATE ON practitioners
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_practitioner_rows();

-- Link tables name their practitioner in practitioner_id.
CREATE FUNCTION cards_from_link_rows() RETURNS trigger LANGUAGE plpgsql AS $$
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

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['practitioner_locations', 'practitioner_techniques',
                             'practitioner_conditions', 'practitioner_services'] LOOP
        EXECUTE format('CREATE TRIGGER cards_%1$s_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION cards_from_link_rows()', t);
        EXECUTE format('CREATE TRIGGER cards_%1$s_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION cards_from_link_rows()', t);
        EXECUTE format('CREATE TRIGGER cards_%1$s_upd AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows'
                       ' NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_link_rows()', t);
    END LOOP;
END $$;

-- Locations, services and clinics reach their practitioners through the links.
CREATE FUNCTION cards_from_owner_rows() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER cards_locations_upd AFTER UPDATE ON locations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();
CREATE TRIGGER cards_services_upd AFTER UPDATE ON services
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();
CREATE TRIGGER cards_clinics_upd AFTER UPDATE ON clinics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();

-- The next free time is only a cache: anything that can change it drops it.
CREATE FUNCTION next_free_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'clinics' THEN
        DELETE FROM practitioner_next_free nf USING practitioners p
        WHERE p.id = nf.practitioner_id AND p.clinic_id IN (SELECT id FROM new_rows);
    ELSIF TG_TABLE_NAME = 'services' THEN
        DELETE FROM practitioner_next_free nf USING practitioner_services ps
        WHERE ps.practitioner_id = nf.practitioner_id AND ps.service_id IN (SELECT id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM practitioner_next_free WHERE practitioner_id IN (SELECT practitioner_id FROM old_rows);
    ELSE
        DELETE FROM practitioner_next_free WHERE practitioner_id IN (SELECT practitioner_id FROM new_rows);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bookings', 'weekly_hours', 'time_off', 'practitioner_services',
                             'practitioner_locations'] LOOP
        EXECUTE format('CREATE TRIGGER next_free_%1$s_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION next_free_drop()', t);
        EXECUTE format('CREATE TRIGGER next_free_%1$s_upd AFTER UPDATE ON %1$I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION next_free_drop()', t);
        EXECUTE format('CREATE TRIGGER next_free_%1$s_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION next_free_drop()', t);
    END LOOP;
END $$;
CREATE TRIGGER next_free_clinics_upd AFTER UPDATE ON clinics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION next_free_drop();
CREATE TRIGGER next_free_services_upd AFTER UPDATE ON services
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION next_free_drop();

SELECT refresh_practitioner_cards(NULL);
