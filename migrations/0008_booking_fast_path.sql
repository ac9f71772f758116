-- Booking in one round trip.  Creating a booking took seven statements from the
-- service (BEGIN, the advisory locks, the per-contact count, the booking, its
-- confirmation in the outbox, the idempotency record, COMMIT), moving one six or
-- seven, cancelling one six: each a round trip, a wake-up on both sides and a
-- parse-bind-execute.  The functions below run the same steps in the same order
-- inside the one statement that calls them.  Creating and moving need no BEGIN and
-- COMMIT at all: the statement is the transaction, so a failure anywhere (the
-- exclusion constraint refusing a taken time, say) undoes every step.  The service
-- keeps what needs its own keys or its tz database: whether a time is an offered slot
-- (domain/slots.c), the manage token and its hash, the idempotent answer sealed, and
-- times written in the local zone.  backend/src/api/bookings.c calls these.

-- idempotency_get(): migrations/functions/idempotency_get.sql

-- idempotency_put(): migrations/functions/idempotency_put.sql

-- contact_open_bookings(): migrations/functions/contact_open_bookings.sql

-- book_slot(): migrations/functions/book_slot.sql

-- waitlist_offer_freed(): migrations/functions/waitlist_offer_freed.sql

-- booking_freed(): migrations/functions/booking_freed.sql

-- booking_move(): migrations/functions/booking_move.sql

-- booking_cancel(): migrations/functions/booking_cancel.sql
