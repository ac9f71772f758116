-- migrate: before 0001
CREATE OR REPLACE FUNCTION practitioners_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_doc := f_fold(NEW.name || ' ' ||
        coalesce((SELECT name FROM clinics WHERE id = NEW.clinic_id), '') || ' ' ||
        NEW.bio);
    RETURN NEW;
END $$;
