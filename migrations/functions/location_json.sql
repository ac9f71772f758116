-- migrate: before 0006
CREATE OR REPLACE FUNCTION location_json(l locations) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', l.id, 'name', l.name, 'address', l.address, 'city', l.city,
        'region', l.region, 'postcode', l.postcode, 'country', l.country,
        'lat', round(ST_Y(l.geog::geometry)::numeric, 6),
        'lon', round(ST_X(l.geog::geometry)::numeric, 6), 'timezone', l.timezone,
        'wheelchair_accessible', l.wheelchair_accessible)
$$;
