/* Clinic staff keep their services: list, one, create, update, deactivate. */
#include "staff/services.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/audit.h"
#include "staff/fields.h"
#include "api/handlers.h"
#include "staff/replies.h"

const char *const service_create_fields[] = {"name", "duration_minutes", "price", "currency",
                                             "buffer_before_minutes", "buffer_after_minutes",
                                             NULL};
const char *const service_patch_fields[] = {"name", "duration_minutes", "price", "currency",
                                            "buffer_before_minutes", "buffer_after_minutes",
                                            "active", NULL};

/* The price in whole cents into f->price; a problem when absent on create. */
static void price_parse(struct input *in, json_t *body, bool create, struct service_fields *f)
{
    json_t *p = json_object_get(body, "price");
    if (!field_absent(body, "price")) {
        double cents = json_is_number(p) ? json_number_value(p) * 100.0 : -1;
        double whole = round(cents);
        if (!json_is_number(p) || cents < 0 || whole > (double)MAX_PRICE_CENTS)
            input_error(in, "price", false, "price must be a number from 0 to 100000");
        else if (fabs(cents - whole) > 1e-6 * (whole > 1 ? whole : 1))
            input_error(in, "price", false, "price may have at most two decimals (cents)");
        else {
            snprintf(f->price_s, sizeof(f->price_s), "%.0f", whole);
            f->price = f->price_s;
        }
    } else if (create) {
        input_error(in, "price", false, "price is required");
    }
}

void service_parse(struct input *in, json_t *body, bool create, struct service_fields *f)
{
    memset(f, 0, sizeof(*f));
    f->name = body_str(in, body, NULL, "name", create, 200);
    f->duration = field_int(in, body, "duration_minutes", 5, 480, f->duration_s,
                            sizeof(f->duration_s));
    if (create && field_absent(body, "duration_minutes"))
        input_error(in, "duration_minutes", false, "duration_minutes is required");
    price_parse(in, body, create, f);
    f->currency = body_str(in, body, NULL, "currency", create, 3 + 8);
    if (f->currency && (strlen(f->currency) != 3 || !isupper((unsigned char)f->currency[0]) ||
                        !isupper((unsigned char)f->currency[1]) ||
                        !isupper((unsigned char)f->currency[2]))) {
        input_error(in, "currency", false,
                    "currency must be an ISO 4217 code of three capital letters, such as USD");
        f->currency = NULL;
    }
    f->before = field_int(in, body, "buffer_before_minutes", 0, 240, f->before_s,
                          sizeof(f->before_s));
    f->after = field_int(in, body, "buffer_after_minutes", 0, 240, f->after_s,
                         sizeof(f->after_s));
    if (!create) {
        static const char *const fixed[] = {"name", "duration_minutes", "price", "currency",
                                            "buffer_before_minutes", "buffer_after_minutes",
                                            "active", NULL};
        fields_not_null(in, body, fixed);
        f->active = field_reactivate(in, body);
    }
}

void staff_services_list(struct req *r)
{
    staff_list_route(r, &store_services_list);
}

void staff_services_get(struct req *r)
{
    staff_get_route(r, &store_services_get);
}

/* Creates (id NULL) or updates the service from its body, with its audit row (the
 * body as given), and replies with it. */
static void service_save(struct req *r, const struct auth *a, const char *id)
{
    struct input in;
    input_init(&in, r);
    json_t *body = staff_body(&in, id ? service_patch_fields : service_create_fields);
    struct service_fields f;
    if (body)
        service_parse(&in, body, !id, &f);
    if (!input_ok(&in)) {
        input_reply(&in);
        json_decref(body);
        return;
    }
    struct audit_entry e;
    char new_id[40];
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), id ? "update_service" : "create_service",
                     "service", id, false, "success", json_incref(body));
    enum db_status st = id ? store_services_update(&r->db, staff_clinic(r), id, &f, &e)
                           : store_services_create(&r->db, staff_clinic(r), &f, &e, new_id);
    audit_entry_release(&e);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        staff_reply_one(r, &store_services_get, id ? id : new_id, id ? 200 : 201);
    json_decref(body);
}

/* POST (create) or PATCH (the route's service): one handler for both routes, told
 * apart by the method. */
void staff_services_write(struct req *r)
{
    const char *id = NULL;
    if (r->method == M_POST || (id = staff_route_id(r)))
        service_save(r, &r->actor, id);
}

/* Booked sessions of a deactivated service still take place; it is only no longer
 * offered for new bookings. */
void staff_services_delete(struct req *r)
{
    staff_delete_route(r, "deactivate_service", "service", store_services_deactivate);
}
