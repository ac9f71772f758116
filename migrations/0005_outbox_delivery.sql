-- Delivery of the outbox: a row being sent is leased to one worker; a row whose
-- worker died mid-way is not sent again (it might have gone out) but marked failed,
-- visibly, for a person to look at.

ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed'));
ALTER TABLE notifications ADD COLUMN lease_until timestamptz;
ALTER TABLE notifications ADD COLUMN message_id text;
CREATE INDEX notifications_sending_idx ON notifications (lease_until) WHERE status = 'sending';
CREATE INDEX notifications_failed_idx ON notifications (clinic_id, created_at) WHERE status = 'failed';
