-- Delivery of the outbox at least once (issue 12).  Migration 0005 failed a row whose
-- worker went away, so a killed, stopped or disconnected worker lost confirmations (the
-- patient's only manage link).  Now:
--   * each claim carries a random lease token; an expired lease returns the row to
--     'pending' with its attempts kept (the retry limit still applies), and a worker
--     checks and extends its lease, by token, right before it sends, so a row taken
--     over by another worker is never sent by the first one as well;
--   * attempts count the transfers started (not the rows claimed), so rows claimed but
--     never tried cost nothing;
--   * failed_at and last_error tell the clinic's staff what could not be delivered
--     (GET /api/v1/clinics/{id}/notifications?status=failed), and a resend puts it back;
--   * message_id records the Message-ID of the mail a row went out in (several rows to
--     one address may go out folded into one mail), and contact_key (migration 0011)
--     counts mails per person for mail_per_address_per_hour.

ALTER TABLE notifications
    ADD COLUMN lease_token uuid,
    ADD COLUMN failed_at timestamptz,
    ADD COLUMN contact_key text GENERATED ALWAYS AS (contact_key(recipient::text)) STORED;

-- Rows left 'sending' by a worker of the old code go back to the queue (their worker
-- can no longer finish them under a token); rows the old code failed for being
-- interrupted stay failed, now listed for the staff to resend.
UPDATE notifications SET status = 'pending', lease_until = NULL WHERE status = 'sending';
UPDATE notifications SET failed_at = coalesce(next_attempt_at, created_at) WHERE status = 'failed';

-- mails sent to one person in the last hour (the rate limit), and that person's rows
-- due now (folded into one mail past the limit)
CREATE INDEX notifications_contact_sent_idx ON notifications (contact_key, sent_at)
    WHERE status = 'sent';
CREATE INDEX notifications_contact_due_idx ON notifications (contact_key, next_attempt_at)
    WHERE status = 'pending';
-- the staff's lists: newest first, keyset on (created_at, id)
DROP INDEX notifications_failed_idx;
CREATE INDEX notifications_failed_idx ON notifications (clinic_id, created_at DESC, id DESC)
    WHERE status = 'failed';
CREATE INDEX notifications_pending_clinic_idx ON notifications (clinic_id, created_at DESC, id DESC)
    WHERE status = 'pending';
