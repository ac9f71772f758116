-- migrate: before 0014
-- The canonical text of a row: every field but the hashes, in a fixed order.  jsonb's
-- text form is canonical (keys sorted, no insignificant space), so `detail` has one
-- text whatever spelling it was written with.  The leading 1 is the format's version.
CREATE OR REPLACE FUNCTION audit_log_canonical(r audit_log) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT jsonb_build_array(1, r.id,
        to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        r.actor_type, r.actor_id, r.actor_email::text, r.role, r.clinic_id, r.action,
        r.resource_type, r.resource_id, r.patient_data, r.request_id, r.outcome, r.detail)::text
    $$;
