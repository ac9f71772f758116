/* Finding times for a plan's new dates (booking/plan.h): the practitioner's free
 * slots around them, the exact time or the nearest free one within 3 days, never
 * overlapping what the same change already chose. */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool free_of(const struct finder *f, struct interval b)
{
    for (size_t i = 0; i < f->ntaken; i++)
        if (f->taken[i].start < b.end && b.start < f->taken[i].end)
            return false;
    return true;
}

static struct interval blocked_of(const struct finder *f, const struct slot *sl)
{
    return slots_blocked(sl->start, sl->end, f->s.buffer_before_min, f->s.buffer_after_min);
}

/* Drops from the busy ranges the sessions [start, end) that the change moves (their
 * own times are theirs to keep or leave). */
void finder_forget(struct finder *f, int64_t start, int64_t end)
{
    struct slot sl = {start, end, 0};
    struct interval b = blocked_of(f, &sl);
    size_t k = 0;
    for (size_t i = 0; i < f->s.nbusy; i++)
        if (f->s.busy[i].start != b.start || f->s.busy[i].end != b.end)
            f->s.busy[k++] = f->s.busy[i];
    f->s.nbusy = k;
}

void finder_slots(struct finder *f, int64_t lo, int64_t hi)
{
    struct slot_query q;
    schedule_query(&f->s, lo, hi, &q);
    free(f->slots);
    f->n = slots_compute_all(&q, &f->slots);
}

void finder_release(struct finder *f)
{
    free(f->slots);
    schedule_release(&f->s);
}

/* A slot for date d: the exact time, else the nearest free one within 3 days (not
 * overlapping what the change chose); *why: why the date itself is not free. */
enum pick finder_pick(struct finder *f, const struct recurrence_date *d,
                             struct slot *out, enum plan_reason *why)
{
    *why = PR_NONE;
    const struct slot *best = NULL;
    int64_t best_d = PLAN_NEAR_WINDOW + 1;
    for (size_t i = 0; i < f->n; i++) {
        const struct slot *sl = &f->slots[i];
        int64_t dd = sl->start > d->requested ? sl->start - d->requested
                                              : d->requested - sl->start;
        if (dd >= best_d || !free_of(f, blocked_of(f, sl)))
            continue;
        best = sl;
        best_d = dd;
    }
    enum pick pick = best && best_d == 0 && d->exists ? PICK_FREE : PICK_MOVED;
    if (pick == PICK_MOVED) {
        *why = plan_reason_of(&f->s, d->requested, d->exists);
        if (*why == PR_PAST_HORIZON || *why == PR_INSIDE_NOTICE)
            best = NULL; /* the policy refuses the date: no other time is put in its place */
    }
    if (!best) {
        if (*why == PR_TAKEN || *why == PR_OUTSIDE_HOURS)
            *why = PR_NO_FREE_NEAR;
        return PICK_NONE;
    }
    *out = *best;
    f->taken[f->ntaken++] = blocked_of(f, best);
    return pick;
}
