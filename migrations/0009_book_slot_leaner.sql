-- book_slot (migration 0008) with fewer steps, measured with perf on the backends
-- while 64 clients booked free slots: the per-contact count ran through a second
-- plpgsql function, and the booking and its confirmation were two statements, each
-- with its own executor start and end.  The count is now inlined, and the two inserts
-- are one statement (a data-modifying WITH), so they still go or fail together, and
-- the foreign keys are checked as before: notifications.booking_id sees the booking,
-- because foreign keys are checked at the end of the statement.

-- book_slot(): migrations/functions/book_slot.sql
