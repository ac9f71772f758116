/* The HL7 FHIR R4 read facade's routes. */
#ifndef CLINICD_FHIR_HANDLERS_H
#define CLINICD_FHIR_HANDLERS_H

#include "http/request.h"

void fhir_metadata(struct req *r);
void fhir_unknown(struct req *r);
void fhir_not_allowed(struct req *r);
void fhir_practitioner_search(struct req *r);
void fhir_practitioner_read(struct req *r);
void fhir_role_search(struct req *r);
void fhir_role_read(struct req *r);
void fhir_location_search(struct req *r);
void fhir_location_read(struct req *r);
void fhir_schedule_search(struct req *r);
void fhir_schedule_read(struct req *r);
void fhir_slot_search(struct req *r);
void fhir_slot_read(struct req *r);
void fhir_appointment_search(struct req *r);
void fhir_appointment_read(struct req *r);

#include "util/banned.h"
#endif
