-- migrate: before 0006
CREATE OR REPLACE FUNCTION bulk_loading() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('clinicd.bulk_load', true), '') = 'on'
$$;
