/* Unit tests for cli/worker.c's pure pieces: the lease token, a row's mail fields
 * (cli/outbox_mail.c), and a folded mail's Message-ID (the same set of rows, in any
 * order, gives the same one, so a resend is folded by mail clients).  The uuid[]
 * literal of a mail's rows is cache/id_list.c's: test_cache_id_list.c.  The .c file is
 * included to reach them (worker_cli is renamed so that it does not clash). */
#define worker_cli worker_cli_under_test
#include "cli/worker.c"
#undef worker_cli

#include "unit.h"

static void test_token(void **state)
{
    (void)state;
    char a[37], b[37];
    new_token(a);
    new_token(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');                 /* version 4 */
    assert_non_null(strchr("89ab", a[19]));       /* the RFC 4122 variant */
}

/* Message-ID of a fold of the given dedupe keys. */
static void fold(const char *const *keys, int n, char *out, size_t outlen)
{
    struct outbox_mail *items = calloc((size_t)n, sizeof(*items));
    struct outbox_mail **its = calloc((size_t)n, sizeof(*its));
    for (int i = 0; i < n; i++) {
        items[i].det.dedupe_key = (char *)keys[i];
        its[i] = &items[i];
    }
    outbox_mail_fold_id(its, n, out, outlen);
    free(its);
    free(items);
}

static void test_fold_message_id(void **state)
{
    (void)state;
    const char *abc[] = {"booked:1", "reminder:2:100", "cancelled:3"};
    const char *cab[] = {"cancelled:3", "booked:1", "reminder:2:100"};
    const char *ab[] = {"booked:1", "reminder:2:100"};
    char x[200], y[200], z[200];
    fold(abc, 3, x, sizeof(x));
    fold(cab, 3, y, sizeof(y));
    fold(ab, 2, z, sizeof(z));
    assert_string_equal(x, y);
    assert_string_not_equal(x, z);
    assert_int_equal(strncmp(x, "folded.", 7), 0);
    assert_int_equal(strlen(x), strlen("folded.") + 32 + strlen("@clinicd"));
    assert_string_equal(x + strlen(x) - 8, "@clinicd");
    /* keys are hashed with their ends: ("ab", "c") is not ("a", "bc") */
    const char *p1[] = {"ab", "c"}, *p2[] = {"a", "bc"};
    fold(p1, 2, x, sizeof(x));
    fold(p2, 2, y, sizeof(y));
    assert_string_not_equal(x, y);
}

/* A row's links and ids from its details (no manage link without a sealed token). */
static const struct {
    const char *booking_id, *practitioner_id, *dedupe_key, *payload;
    const char *book, *uid, *msgid;
    int64_t previous_start;
} fill_cases[] = {
    {"b-1", NULL, "booked:b-1", "{}", "https://x.example/practitioners/", "b-1@clinicd",
     "booked.b-1@clinicd", 0},
    {NULL, "p-9", "offer:w-2:1700000000", "{}", "https://x.example/practitioners/p-9",
     "row-1@clinicd", "offer.w-2.1700000000@clinicd", 0},
    /* a move's previous start is the snapshot's, taken when it moved */
    {"b-2", NULL, "rescheduled:b-2:3",
     "{\"from_epoch\": 1, \"snapshot\": {\"previous_start\": 1700000000}}",
     "https://x.example/practitioners/", "b-2@clinicd", "rescheduled.b-2.3@clinicd",
     1700000000},
    {"b-3", NULL, "cancelled:b-3", "{\"manage_token_sealed\": \"not sealed\"}",
     "https://x.example/practitioners/", "b-3@clinicd", "cancelled.b-3@clinicd", 0},
};

static void test_fill(void **state)
{
    (void)state;
    struct config cfg = {0};
    cfg.public_base_url = "https://x.example";
    cfg.smtp_from = "clinic@x.example";
    for (size_t i = 0; i < UNIT_ARRAY_LEN(fill_cases); i++) {
        struct outbox_mail it = {0};
        snprintf(it.id, sizeof(it.id), "row-1");
        it.det.booking_id = fill_cases[i].booking_id ? xstrdup(fill_cases[i].booking_id) : NULL;
        it.det.practitioner_id =
            fill_cases[i].practitioner_id ? xstrdup(fill_cases[i].practitioner_id) : NULL;
        it.det.dedupe_key = xstrdup(fill_cases[i].dedupe_key);
        it.det.payload = xstrdup(fill_cases[i].payload);
        it.det.kind = xstrdup("booked");
        it.det.recipient = xstrdup("ana@example.org");
        outbox_mail_fill(&it, &cfg, 1234);
        assert_string_equal(it.m.book_url, fill_cases[i].book);
        assert_string_equal(it.m.uid, fill_cases[i].uid);
        assert_string_equal(it.m.message_id, fill_cases[i].msgid);
        assert_null(it.m.manage_url);
        assert_true(it.m.previous_start == fill_cases[i].previous_start);
        assert_true(it.m.now == 1234);
        assert_string_equal(it.m.to, "ana@example.org");
        assert_string_equal(it.m.from, "clinic@x.example");
        outbox_mail_release(&it);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_fold_message_id),
        cmocka_unit_test(test_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
