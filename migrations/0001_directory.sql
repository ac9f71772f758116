-- The practitioner directory: reference data (professions, techniques, conditions),
-- clinics with their locations, practitioners, services, and the offline gazetteer.
-- Rules that can be said as constraints are said here; the C code only adds good
-- error messages on top.  Runs as the schema owner; the service role `clinicd`
-- gets plain DML rights through default privileges.

GRANT SELECT ON schema_migrations TO clinicd;
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO clinicd;
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO clinicd;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO clinicd;

-- f_unaccent(): migrations/functions/f_unaccent.sql

-- f_fold(): migrations/functions/f_fold.sql

-- IANA zone names, copied once so that a foreign key can check them (reading
-- pg_timezone_names costs milliseconds per call: too slow for a CHECK).
CREATE TABLE time_zones (
    name text PRIMARY KEY
);
INSERT INTO time_zones (name)
SELECT name FROM pg_timezone_names
WHERE name !~ '^(posix|right|Etc|SystemV)/' AND name ~ '/|^UTC$';

CREATE DOMAIN slug AS text
    CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(VALUE) <= 64);

CREATE TABLE professions (
    id   smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug slug NOT NULL UNIQUE,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100)
);

CREATE TABLE techniques (
    id   smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug slug NOT NULL UNIQUE,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    sort_order smallint NOT NULL DEFAULT 100
);

-- What patients type instead of the slug ("MFR", "myofascial release").
CREATE TABLE technique_aliases (
    alias        citext PRIMARY KEY CHECK (length(alias) BETWEEN 1 AND 100),
    technique_id smallint NOT NULL REFERENCES techniques ON DELETE CASCADE
);

CREATE TABLE conditions (
    id   smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug slug NOT NULL UNIQUE,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100)
);

CREATE TABLE condition_aliases (
    alias        citext PRIMARY KEY CHECK (length(alias) BETWEEN 1 AND 100),
    condition_id smallint NOT NULL REFERENCES conditions ON DELETE CASCADE
);

CREATE TABLE clinics (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    website    text CHECK (website ~ '^https?://' AND length(website) <= 500),
    phone      text CHECK (length(phone) <= 40),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id   uuid NOT NULL REFERENCES clinics ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address     text NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    city        text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    region      text CHECK (length(region) <= 100),
    postcode    text CHECK (length(postcode) <= 20),
    country     char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    geog        geography(Point, 4326) NOT NULL,
    timezone    text NOT NULL REFERENCES time_zones (name),
    wheelchair_accessible boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id)
);
CREATE INDEX locations_geog_idx ON locations USING gist (geog);
CREATE INDEX locations_clinic_idx ON locations (clinic_id);

CREATE TABLE practitioners (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id     uuid NOT NULL REFERENCES clinics ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    profession_id smallint NOT NULL REFERENCES professions,
    credentials   text NOT NULL DEFAULT '' CHECK (length(credentials) <= 500),
    bio           text NOT NULL DEFAULT '' CHECK (length(bio) <= 5000),
    -- ISO 639-1 codes
    languages     text[] NOT NULL DEFAULT '{en}'
                  CHECK (cardinality(languages) BETWEEN 1 AND 20
                         AND array_to_string(languages, ',') ~ '^[a-z]{2}(,[a-z]{2})*$'),
    accepting_new boolean NOT NULL DEFAULT true,
    home_visits   boolean NOT NULL DEFAULT false,
    sliding_scale boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL DEFAULT true,
    -- folded name + clinic name + bio, kept by triggers, for typo-tolerant search
    search_doc    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id)
);
CREATE INDEX practitioners_clinic_idx ON practitioners (clinic_id);
CREATE INDEX practitioners_name_idx ON practitioners (name, id) WHERE active;
CREATE INDEX practitioners_search_doc_idx ON practitioners USING gin (search_doc gin_trgm_ops);
CREATE INDEX practitioners_languages_idx ON practitioners USING gin (languages);

-- practitioners_search_doc(): migrations/functions/practitioners_search_doc.sql
CREATE TRIGGER practitioners_search_doc BEFORE INSERT OR UPDATE OF name, bio, clinic_id
    ON practitioners FOR EACH ROW EXECUTE FUNCTION practitioners_search_doc();

-- clinics_rename(): migrations/functions/clinics_rename.sql
CREATE TRIGGER clinics_rename AFTER UPDATE OF name ON clinics
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION clinics_rename();

-- Where a practitioner works.  The composite keys make it impossible to link a
-- practitioner to another clinic's location.
CREATE TABLE practitioner_locations (
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    location_id     uuid NOT NULL,
    PRIMARY KEY (practitioner_id, location_id),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE,
    FOREIGN KEY (clinic_id, location_id) REFERENCES locations (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_locations_location_idx ON practitioner_locations (location_id, practitioner_id);

CREATE TABLE practitioner_techniques (
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    technique_id    smallint NOT NULL REFERENCES techniques,
    PRIMARY KEY (practitioner_id, technique_id),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_techniques_technique_idx ON practitioner_techniques (technique_id, practitioner_id);

CREATE TABLE practitioner_conditions (
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    condition_id    smallint NOT NULL REFERENCES conditions,
    PRIMARY KEY (practitioner_id, condition_id),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_conditions_condition_idx ON practitioner_conditions (condition_id, practitioner_id);

CREATE TABLE services (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id        uuid NOT NULL REFERENCES clinics ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    price_cents      integer NOT NULL CHECK (price_cents BETWEEN 0 AND 10000000),
    currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
    buffer_after_minutes  integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id)
);
CREATE INDEX services_clinic_idx ON services (clinic_id);

CREATE TABLE practitioner_services (
    clinic_id       uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    service_id      uuid NOT NULL,
    PRIMARY KEY (practitioner_id, service_id),
    FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE,
    FOREIGN KEY (clinic_id, service_id) REFERENCES services (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_services_service_idx ON practitioner_services (service_id);

-- The offline gazetteer (GeoNames cities and US ZIP centroids), loaded at set-up.
CREATE TABLE places (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('city', 'postcode')),
    name         text NOT NULL,
    ascii_name   text NOT NULL,
    region_code  text,
    region_name  text,
    country_code char(2) NOT NULL,
    country_name text,
    postcode     text,
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    population   bigint,
    fold_name    text GENERATED ALWAYS AS (f_fold(ascii_name)) STORED
);
CREATE INDEX places_fold_name_idx ON places (fold_name text_pattern_ops, population DESC NULLS LAST);
CREATE INDEX places_postcode_idx ON places (postcode) WHERE postcode IS NOT NULL;
