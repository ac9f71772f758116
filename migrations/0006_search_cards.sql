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

-- location_json(): migrations/functions/location_json.sql

-- practitioner_fields(): migrations/functions/practitioner_fields.sql

-- refresh_practitioner_cards(): migrations/functions/refresh_practitioner_cards.sql

-- bulk_loading(): migrations/functions/bulk_loading.sql

-- cards_from_practitioner_rows(): migrations/functions/cards_from_practitioner_rows.sql
CREATE TRIGGER cards_practitioners_ins AFTER INSERT ON practitioners
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_practitioner_rows();
CREATE TRIGGER cards_practitioners_upd AFTER UPDATE ON practitioners
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_practitioner_rows();

-- cards_from_link_rows(): migrations/functions/cards_from_link_rows.sql

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

-- cards_from_owner_rows(): migrations/functions/cards_from_owner_rows.sql
CREATE TRIGGER cards_locations_upd AFTER UPDATE ON locations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();
CREATE TRIGGER cards_services_upd AFTER UPDATE ON services
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();
CREATE TRIGGER cards_clinics_upd AFTER UPDATE ON clinics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cards_from_owner_rows();

-- next_free_drop(): migrations/functions/next_free_drop.sql

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
