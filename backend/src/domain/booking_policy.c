/* A clinic's booking policy as pure rules. */
#include "domain/booking_policy.h"

enum start_rule booking_start_rule(int64_t now, int min_notice_min, int horizon_days,
                                   int64_t start)
{
    if (start <= now)
        return START_PAST;
    if (start < now + (int64_t)min_notice_min * 60)
        return START_NOTICE;
    if (start >= now + (int64_t)horizon_days * 86400)
        return START_HORIZON;
    return START_OK;
}

int64_t booking_cancellable_until(int64_t start, int64_t notice_hours)
{
    return start - notice_hours * 3600;
}

bool booking_cancellable(int64_t now, int64_t start, int64_t notice_hours)
{
    return now <= booking_cancellable_until(start, notice_hours);
}

bool booking_within_limit(long open, long adding, int max_open)
{
    return open + adding <= max_open;
}
